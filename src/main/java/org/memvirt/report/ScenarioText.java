package org.memvirt.report;

import java.util.List;
import java.util.Locale;

import org.memvirt.engine.HostResult;
import org.memvirt.host.FreeMemory;
import org.memvirt.engine.Units;

/** Renders a {@link HostResult} as the text a {@code free -m} or {@code virsh dommemstat} user reads. */
public final class ScenarioText {
    private static final long MIB = 1L << 20;
    private static final int TIMELINE_ROWS = 24;
    private static final int FULL_FREE_VIEWS = 8;
    private static final int PER_VM_TIMELINES = 4;

    private ScenarioText() {}

    public static String render(HostResult r) {
        StringBuilder sb = new StringBuilder();
        HostResult.Host h = r.host();
        sb.append(String.format(Locale.ROOT, "scenario %s: %d VMs on a %s host (reserve %s, swap %s %s, balloon policy %s)%n",
                r.scenario(), r.vms().size(), Units.human(h.ramBytes()), Units.human(h.reserveBytes()),
                Units.human(h.swapBytes()), h.swapKind(), h.balloonPolicy()));
        if (!r.engine().virtualTime()) {
            sb.append(String.format(Locale.ROOT, "engine %s%s; %.1f s of wall time from boot to the end (%.2f s in all, %.2f s CPU of this process)%n",
                    r.engine().key(), r.engineReason().isEmpty() ? "" : " (" + r.engineReason() + ")", r.virtualSeconds(), r.wallSeconds(), r.cpuSeconds()));
        } else {
            sb.append(String.format(Locale.ROOT, "engine %s%s; %.1f s of virtual time in %.2f s (%.2f s CPU); %.1f bytes of model state per guest page%n",
                    r.engine().key(), r.engineReason().isEmpty() ? "" : " (" + r.engineReason() + ")", r.virtualSeconds(),
                    r.wallSeconds(), r.cpuSeconds(), r.modelBytesPerGuestPage()));
        }
        sb.append(summary(r.summary())).append("\n\n");

        sb.append("host (free -m, before the first VM starts):\n");
        sb.append(FreeTable.render(h.freeAtStart(), FreeUnit.MEBI));
        sb.append("host (free -m, at the end):\n");
        sb.append(FreeTable.render(h.free(), FreeUnit.MEBI));
        sb.append(String.format(Locale.ROOT, "ksm: %s%n", h.ksm()));
        sb.append(String.format(Locale.ROOT, "vmstat: %s%n%n", h.vmstat()));

        sb.append(String.format(Locale.ROOT, "%-14s %7s %9s %9s %9s %9s %8s %9s %8s  %-9s %s%n", "vm (MiB)", "memory",
                "resident", "peak-res", "swapped", "peak-swp", "shared", "ballooned", "swap-ins", "status", "killed at"));
        for (HostResult.Vm v : r.vms()) {
            sb.append(String.format(Locale.ROOT, "%-14s %7d %9d %9d %9d %9d %8d %9d %8d  %-9s %s%n", v.name(),
                    v.configuredBytes() / MIB, v.residentBytes() / MIB, v.peakResidentBytes() / MIB,
                    v.swappedBytes() / MIB, v.peakSwappedBytes() / MIB, v.sharedBytes() / MIB,
                    v.balloonedBytes() / MIB, v.swapIns(), v.status(),
                    v.killedAt() == null ? "" : String.format(Locale.ROOT, "%.3fs", v.killedAt())));
        }
        sb.append("\nguests (free -m inside each guest, at the end):\n");
        if (r.vms().size() <= FULL_FREE_VIEWS) {
            for (HostResult.Vm v : r.vms()) sb.append(v.name()).append(":\n").append(FreeTable.render(v.free(), FreeUnit.MEBI));
        } else {
            sb.append(String.format(Locale.ROOT, "%-14s %12s %12s %12s %12s%n", "", "total", "used", "free", "available"));
            for (HostResult.Vm v : r.vms()) {
                FreeMemory f = v.free();
                sb.append(String.format(Locale.ROOT, "%-14s %12d %12d %12d %12d%n", v.name() + " Mem:", f.total() / MIB,
                        f.used() / MIB, f.free() / MIB, f.available() / MIB));
            }
        }
        timeline(sb, r.timeline());
        if (r.vms().size() <= PER_VM_TIMELINES) {
            for (int i = 0; i < r.vms().size(); i++) vmTimeline(sb, r.vms().get(i), i, r.timeline());
        }
        sb.append("\nevents:\n");
        int shown = 0;
        for (HostResult.Event e : r.events()) {
            if (shown++ == 200) {
                sb.append(String.format(Locale.ROOT, "  ... %d more (see --json)%n", r.events().size() - 200));
                break;
            }
            sb.append(String.format(Locale.ROOT, "  %10.3fs  %-12s %-22s %s%n", e.t(), e.vm(), e.kind(), e.message()));
        }
        for (String n : r.notes()) sb.append("note: ").append(n).append('\n');
        return sb.toString();
    }

    /**
     * The run in one line: {@code 3 of 14 VMs killed by the host OOM killer: guest-9, guest-10, guest-12; peak swap
     * used 1.0 GiB of 1.0 GiB; KSM saved 1.7 GiB}.
     */
    public static String summary(HostResult.Summary s) {
        return String.format(Locale.ROOT, "%d of %d VMs killed by the host OOM killer%s; peak swap used %s of %s; KSM saved %s",
                s.oomKills(), s.vms(), s.killed().isEmpty() ? "" : ": " + String.join(", ", s.killed()),
                Units.human(s.peakSwapUsedBytes()), Units.human(s.swapBytes()), Units.human(s.ksmSavedBytes()));
    }

    private static void timeline(StringBuilder sb, List<HostResult.Sample> samples) {
        sb.append("\ntimeline (MiB; resident/swapped/shared/ballooned summed over VMs):\n");
        sb.append(String.format(Locale.ROOT, "%10s %10s %10s %10s %10s %10s %10s %10s%n", "t", "host-used", "host-free",
                "swap-used", "resident", "swapped", "shared", "ballooned"));
        int stride = Math.max(1, (samples.size() + TIMELINE_ROWS - 1) / TIMELINE_ROWS);
        for (int i = 0; i < samples.size(); i++) {
            if (i % stride != 0 && i != samples.size() - 1) continue;
            HostResult.Sample s = samples.get(i);
            long res = 0, swp = 0, shr = 0, bal = 0;
            for (HostResult.VmSample v : s.vms()) {
                res += v.resident();
                swp += v.swapped();
                shr += v.shared();
                bal += v.ballooned();
            }
            sb.append(String.format(Locale.ROOT, "%9.1fs %10d %10d %10d %10d %10d %10d %10d%n", s.t(),
                    s.hostUsedBytes() / MIB, s.hostFreeBytes() / MIB, s.swapUsedBytes() / MIB, res / MIB, swp / MIB,
                    shr / MIB, bal / MIB));
        }
    }

    private static void vmTimeline(StringBuilder sb, HostResult.Vm vm, int index, List<HostResult.Sample> samples) {
        sb.append(String.format(Locale.ROOT, "%n%s over time (MiB):%n", vm.name()));
        sb.append(String.format(Locale.ROOT, "%10s %10s %10s %10s %10s %10s%n", "t", "configured", "resident", "swapped",
                "shared", "ballooned"));
        int stride = Math.max(1, (samples.size() + TIMELINE_ROWS - 1) / TIMELINE_ROWS);
        for (int i = 0; i < samples.size(); i++) {
            if (i % stride != 0 && i != samples.size() - 1) continue;
            HostResult.VmSample v = samples.get(i).vms().get(index);
            sb.append(String.format(Locale.ROOT, "%9.1fs %10d %10d %10d %10d %10d%n", samples.get(i).t(),
                    v.configured() / MIB, v.resident() / MIB, v.swapped() / MIB, v.shared() / MIB, v.ballooned() / MIB));
        }
    }
}
