package org.memvirt.report;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

import org.memvirt.config.E820Entry;
import org.memvirt.config.MemoryLayout;
import org.memvirt.config.SwapPlan;
import org.memvirt.engine.HostResult;
import org.memvirt.engine.RunResult;

/**
 * The text {@code memvirt demo} prints, step by step as the steps run: each method prints one step's part (a step
 * that runs an engine prints its heading before the run and its figures after).
 */
public final class DemoText {
    static final long GIB = 1L << 30;
    static final long MIB = 1L << 20;

    private DemoText() {}

    public static void title(PrintWriter out) {
        out.println("memvirt demo: KVM memory virtualization, real and modelled, in seven steps");
    }

    public static void host(PrintWriter out, DemoSteps.Host host) {
        heading(out, 1, "This host: is KVM usable, and what MMU do guests get?");
        out.printf(Locale.ROOT, "KVM:       %s%n", (host.kvmUsable() ? "usable: " : "not usable: ") + host.kvm());
        out.printf(Locale.ROOT, "MMU mode:  %s (%s)%n", host.mmuMode(), host.mmuSource());
        out.printf(Locale.ROOT, "           %s%n", host.mmuNote());
        out.printf(Locale.ROOT, "host RAM:  %d MiB, swap %d MiB%n", host.memTotalBytes() / MIB, host.swapTotalBytes() / MIB);
    }

    public static void guest(PrintWriter out, DemoSteps.Guest guest) {
        heading(out, 2, "A 4 GiB guest: QEMU's " + String.join(" ", guest.qemu()) + " on the pc machine");
        MemoryLayout l = guest.layout();
        out.printf(Locale.ROOT, "ram_size %s: below_4g %s at 0x0, above_4g %s at 0x%x%n", size(l.ramSize()), size(l.belowFourG()),
                size(l.aboveFourG()), l.aboveFourGStart());
        out.println("  (the pc machine puts 3 GiB below 4 GiB once RAM reaches 3.5 GiB, below the PCI hole; the rest "
                + "moves above 4 GiB)");
        out.println("e820 map QEMU hands the firmware:");
        int i = 0;
        for (E820Entry e : l.e820()) {
            out.printf(Locale.ROOT, "  %d: %016x - %016x %-8s %s%n", i++, e.start(), e.end(), e.type(), size(e.end() - e.start()));
        }
    }

    /** Step 3's heading and the engine chosen, printed before the guest runs. */
    public static void lazyStart(PrintWriter out, String workload, String engine, String engineReason) {
        heading(out, 3, "Lazy allocation: '" + workload + "' in the 4 GiB guest, on the " + engine + " engine");
        engine(out, engineReason);
    }

    /** The engine step 3 runs on, and why (printed again when the first engine failed and the last one ran). */
    public static void engine(PrintWriter out, String engineReason) {
        out.printf(Locale.ROOT, "engine:    %s%n", engineReason);
    }

    /** Step 3's figures; {@code real} when the guest ran on a real engine, so the host's second free is measured. */
    public static void lazy(PrintWriter out, DemoSteps.Lazy lazy, boolean real) {
        long resident = lazy.residentBytes();
        out.printf(Locale.ROOT, "guest RAM: configured %d MiB, resident %.1f MiB (%.1f%% of it) after %.1f s%n",
                lazy.configuredBytes() / MIB, resident / (double) MIB,
                100.0 * resident / lazy.configuredBytes(), lazy.seconds());
        out.printf(Locale.ROOT, "counters:  %s%n", lazy.counters().toString().replaceAll("[{}]", "").replace("=", " "));
        out.println("host, free -m before the guest started:");
        out.print(indent(FreeTable.render(lazy.hostBefore(), FreeUnit.MEBI)));
        out.println(real ? "host, free -m while the guest ran (after its touch):"
                : "host, free -m with the simulated guest's resident memory added:");
        out.print(indent(FreeTable.render(lazy.hostDuring(), FreeUnit.MEBI)));
        out.printf(Locale.ROOT, "used grew by %d MiB for a guest configured with %d MiB: host memory follows what the guest "
                + "touches, not -m%n", (lazy.hostDuring().used() - lazy.hostBefore().used()) / MIB,
                lazy.configuredBytes() / MIB);
    }

    public static void mmu(PrintWriter out, DemoSteps.Mmu mmu) {
        heading(out, 4, "Shadow paging vs EPT, same workload on the sim engine");
        out.printf(Locale.ROOT, "workload:  %s%n", mmu.workload());
        List<DemoSteps.MmuColumn> columns = mmu.modes();
        out.printf(Locale.ROOT, "%-16s %14s %14s  %s%n", "counter", columns.get(0).mmu(), columns.get(1).mmu(), "");
        for (DemoSteps.MmuRow row : DemoSteps.MmuRow.ALL) {
            String key = row.counter().key();
            out.printf(Locale.ROOT, "%-16s %,14d %,14d  %s%n", key, columns.get(0).counters().get(key),
                    columns.get(1).counters().get(key), row.shows());
        }
        RunResult.Cost s = columns.get(0).cost();
        RunResult.Cost e = columns.get(1).cost();
        out.printf(Locale.ROOT, "%-16s %14s %14s  %s%n", "cost estimate", ms(s.vmNanos()), ms(e.vmNanos()),
                "modelled time (docs/sim-engine.md)");
        out.printf(Locale.ROOT, "%-16s %13.2fx %13.2fx  %s%n", "slowdown", s.slowdown(), e.slowdown(), "vs the same work native");
        out.println("Shadow paging exits on every guest #PF, INVLPG and MOV CR3 and keeps shadow tables in sync; EPT "
                + "pays instead with 2D walks of up to 24 references on a TLB miss.");
    }

    public static void plan(PrintWriter out, SwapPlan p) {
        heading(out, 5, "Swap for 64 guests x 1 GiB on a 32 GiB host with a 4 GiB reserve");
        out.printf(Locale.ROOT, "guests %d GiB + reserve %d GiB - RAM %d GiB = %d GiB of swap for the guests (overcommit %.2f)%n",
                p.guestTotal() / GIB, p.hostReserve() / GIB, p.hostRam() / GIB, p.swapForGuests() / GIB,
                p.overcommitRatio());
        out.printf(Locale.ROOT, "swap for guests %d GiB + recommended host swap %d GiB (RHEL 7 table) = %d GiB%n",
                p.swapForGuests() / GIB, p.recommendedHostSwap() / GIB, p.totalSwap() / GIB);
    }

    /** Step 6's heading, printed before the scenario runs. */
    public static void scenarioStart(PrintWriter out, int guests) {
        heading(out, 6, "Overcommit: " + guests + " guests x 1 GiB on an 8 GiB host, 1 GiB swap, KSM (sim engine)");
        out.println("each guest fills 384 MiB with the same OS image (KSM merges it), touches 600 MiB of its own, "
                + "then writes at random");
    }

    public static void scenario(PrintWriter out, HostResult r) {
        HostResult.Summary s = r.summary();
        out.printf(Locale.ROOT, "%.0f s of virtual time in %.1f s%n", s.virtualSeconds(), s.wallSeconds());
        out.printf(Locale.ROOT, "swap:      peak %d MiB used of %d MiB; %,d pages read back (swap-ins)%n",
                s.peakSwapUsedBytes() / MIB, s.swapBytes() / MIB, s.swapIns());
        out.printf(Locale.ROOT, "KSM:       pages_shared %,d, pages_sharing %,d at the end (%d MiB saved)%n", s.ksmPagesShared(),
                s.ksmPagesSharing(), s.ksmSavedBytes() / MIB);
        out.printf(Locale.ROOT, "OOM:       %d of %d guests killed by the host OOM killer%s%n", s.oomKills(), s.vms(),
                s.killed().isEmpty() ? "" : ": " + String.join(", ", s.killed()));
        int shown = 0;
        for (HostResult.Event e : r.events()) {
            if (!e.kind().equals("oom_kill") || shown++ == 3) continue;
            out.printf(Locale.ROOT, "  %7.3fs  %s%n", e.t(), e.message());
        }
        SwapPlan plan = r.swapPlan();
        out.printf(Locale.ROOT, "RAM + swap - reserve = %s for %s of guests: %s%n", size(plan.roomForGuests()),
                size(plan.guestTotal()), s.oomKills() > 0
                ? "KSM and swap were not enough; step 5's rule sizes swap so that they are"
                : "KSM and swap were enough this time");
    }

    /** Step 7: where the HTML report went. */
    public static void written(PrintWriter out, Path written) {
        heading(out, 7, "The HTML report");
        out.printf("written to %s%n", written);
        out.println("  (host, guest layout, lazy allocation, shadow vs EPT with every counter, the swap plan, and the "
                + "scenario's charts)");
    }

    private static void heading(PrintWriter out, int step, String title) {
        out.printf(Locale.ROOT, "%n== %d. %s%n", step, title);
    }

    static String size(long bytes) {
        return bytes % GIB == 0 ? bytes / GIB + " GiB" : bytes % MIB == 0 ? bytes / MIB + " MiB"
                : bytes >= MIB ? String.format(Locale.ROOT, "%.2f MiB", bytes / (double) MIB)
                : String.format(Locale.ROOT, "%d KiB", bytes >> 10);
    }

    static String count(long v) {
        return String.format(Locale.ROOT, "%,d", v);
    }

    static String ms(long nanos) {
        return String.format(Locale.ROOT, "%.1f ms", nanos / 1e6);
    }

    private static String indent(String lines) {
        return lines.replaceAll("(?m)^", "  ");
    }
}
