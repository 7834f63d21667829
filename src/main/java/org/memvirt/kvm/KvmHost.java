package org.memvirt.kvm;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.memvirt.engine.Counter;
import org.memvirt.engine.Counters;
import org.memvirt.engine.EngineKind;
import org.memvirt.engine.EventLog;
import org.memvirt.engine.HostResult;
import org.memvirt.engine.HostSpec;
import org.memvirt.engine.KsmConfig;
import org.memvirt.engine.RunSpec;
import org.memvirt.engine.Units;
import org.memvirt.host.FreeMemory;
import org.memvirt.host.HostMmu;
import org.memvirt.host.HostRoot;
import org.memvirt.host.MemInfo;
import org.memvirt.host.MmuMode;
import org.memvirt.host.VmStat;
import org.memvirt.hostctl.KsmSettings;
import org.memvirt.workload.Op;
import org.memvirt.workload.Workload;
import org.memvirt.workload.WorkloadFormat;

/**
 * The kvm engine's host of many VMs: runs a {@link HostSpec} for real ({@link KvmScenarioRunner}: every VM in this
 * process, KSM from {@code host.ksm}, per-VM resident limits) and reports the same {@link HostResult} fields as the
 * sim. Times are wall-clock seconds since the VMs booted.
 */
final class KvmHost {
    static final Duration TIMEOUT = Duration.ofMinutes(30);     // memvirt: bound of a whole kvm scenario
    static final int SETTLE_SCANS = 3;                          // as KsmSettings.fast(): see its comment

    private final HostSpec scenario;
    private final List<String> notes;
    private final EventLog events = new EventLog();
    private final List<HostResult.Sample> timeline = new ArrayList<>();
    private final long[] peakResident;
    private final long[] peakSwapped;
    private long peakHostUsed;
    private long peakSwapUsed;
    private long lastSharing;
    private long t0;

    private KvmHost(HostSpec scenario, List<String> notes) {
        this.scenario = scenario;
        this.notes = new ArrayList<>(notes);
        this.peakResident = new long[scenario.vms().size()];
        this.peakSwapped = new long[scenario.vms().size()];
    }

    /** Runs {@code scenario} (already checked by {@link KvmFit#check}); {@code notes} go into the result. */
    static HostResult run(HostSpec scenario, List<String> notes) {
        return new KvmHost(scenario, notes).run();
    }

    /** The ksmd settings of {@code host.ksm}, or null (leave the host's KSM alone) when it is off. */
    static KsmSettings ksmSettings(KsmConfig k) {
        return KsmSettings.ofScenario(k.run(), k.pagesToScan(), k.sleepMillisecs(), k.useZeroPages());
    }

    private HostResult run() {
        List<KvmScenarioRunner.VmSpec> specs = new ArrayList<>();
        MmuMode mmu = HostMmu.read().mode();            // the host's (KvmFit refused any other): not a per-VM choice
        for (HostSpec.Vm vm : scenario.vms()) {
            List<Workload.Step> steps = new ArrayList<>();
            for (Op op : vm.workload()) steps.add(new Workload.Step(op, WorkloadFormat.format(op), Workload.Step.SPREAD));
            RunSpec spec = new RunSpec(vm.machine(), new Workload(steps, vm.name()), mmu, true, null, TIMEOUT, 1);
            specs.add(new KvmScenarioRunner.VmSpec(vm.name(), spec, vm.residentLimitBytes()));
        }
        MemInfo before = meminfo();
        Map<String, Long> vmstatBefore = VmStat.read(HostRoot.REAL);
        long wall0 = System.nanoTime();
        long cpu0 = VmStat.processCpuNanos();
        t0 = wall0;
        sampleHost(0, before, emptyVms(), new Counters(Map.of()));
        KvmScenarioRunner.Outcome o = KvmScenarioRunner.run(specs, ksmSettings(scenario.host().ksm()), TIMEOUT, new Observer());
        long end = System.nanoTime() - t0;
        Counters ksm = o.ksm();
        if (ksm.has(Counter.KSM_SETTLE_MS)) {
            events.add(end, "host", "ksm_settle", String.format(Locale.ROOT, "ksm settled in %d ms (%d full scans):"
                    + " pages_shared %+d, pages_sharing %+d", ksm.get(Counter.KSM_SETTLE_MS), SETTLE_SCANS,
                    ksm.get(Counter.KSM_GLOBAL_PAGES_SHARED), ksm.get(Counter.KSM_GLOBAL_PAGES_SHARING)));
        }
        List<KvmScenarioRunner.Memory> last = new ArrayList<>();
        for (KvmScenarioRunner.VmOutcome v : o.vms()) {
            last.add(new KvmScenarioRunner.Memory(v.residentBytes(), v.ksmBytes(), v.swappedBytes(), v.balloonedBytes()));
        }
        MemInfo after = meminfo();
        sampleHost(end, after, last, ksm);
        List<HostResult.Vm> vms = new ArrayList<>();
        for (int i = 0; i < o.vms().size(); i++) vms.add(vmReport(scenario.vms().get(i), o.vms().get(i), i));
        double wall = (System.nanoTime() - wall0) / 1e9;
        return new HostResult(scenario.name(), EngineKind.KVM, "", end / 1e9, wall, (VmStat.processCpuNanos() - cpu0) / 1e9, 0,
                hostReport(before, after, ksm, vmstatBefore), vms, events.sorted(), List.copyOf(timeline), notes);
    }

    /** Op boundaries become events and timeline samples. */
    private final class Observer implements KvmScenarioRunner.Observer {
        @Override
        public void vmStarted(int vm) {
            synchronized (KvmHost.this) {
                HostSpec.Vm spec = scenario.vms().get(vm);
                events.add(System.nanoTime() - t0, spec.name(), "start", "started with " + Units.human(spec.ramBytes())
                        + (spec.residentLimitBytes() > 0 ? ", resident limit " + Units.human(spec.residentLimitBytes()) : ""));
            }
        }

        @Override
        public void opDone(int vm, int index, String text, long nanos, List<KvmScenarioRunner.Memory> memory, Counters ksm) {
            synchronized (KvmHost.this) {
                long t = System.nanoTime() - t0;
                KvmScenarioRunner.Memory m = memory.get(vm);
                events.add(t, scenario.vms().get(vm).name(), "op_done", String.format(Locale.ROOT, "'%s' done in %s:"
                        + " resident %s, swapped %s, ksm %s, ballooned %s", text, Units.seconds(nanos),
                        Units.human(m.residentBytes()), Units.human(m.swappedBytes()), Units.human(m.ksmBytes()),
                        Units.human(m.balloonedBytes())));
                if (index == scenario.vms().get(vm).workload().size() - 1) {
                    events.add(t, scenario.vms().get(vm).name(), "finish", "workload finished");
                }
                sampleHost(t, meminfo(), memory, ksm);
            }
        }
    }

    private List<KvmScenarioRunner.Memory> emptyVms() {
        List<KvmScenarioRunner.Memory> out = new ArrayList<>();
        for (int i = 0; i < scenario.vms().size(); i++) out.add(new KvmScenarioRunner.Memory(0, 0, 0, 0));
        return out;
    }

    private void sampleHost(long t, MemInfo mi, List<KvmScenarioRunner.Memory> memory, Counters ksm) {
        FreeMemory f = mi.free();
        peakHostUsed = Math.max(peakHostUsed, f.used());
        peakSwapUsed = Math.max(peakSwapUsed, f.swapUsed());
        List<HostResult.VmSample> vms = new ArrayList<>();
        for (int i = 0; i < memory.size(); i++) {
            KvmScenarioRunner.Memory m = memory.get(i);
            peakResident[i] = Math.max(peakResident[i], m.residentBytes());
            peakSwapped[i] = Math.max(peakSwapped[i], m.swappedBytes());
            vms.add(new HostResult.VmSample(scenario.vms().get(i).ramBytes(), m.residentBytes(), m.swappedBytes(),
                    m.ksmBytes(), m.balloonedBytes()));
        }
        long shared = ksm.find(Counter.KSM_GLOBAL_PAGES_SHARED).orElse(0);    // no KSM session: no change
        long sharing = ksm.find(Counter.KSM_GLOBAL_PAGES_SHARING).orElse(0);
        if (sharing != lastSharing) {
            events.add(t, "host", "ksm_merge", String.format(Locale.ROOT, "ksm: pages_shared %+d, pages_sharing %+d since"
                    + " the start", shared, sharing));
            lastSharing = sharing;
        }
        timeline.add(new HostResult.Sample(t / 1e9, f.used(), f.free(), f.swapUsed(), shared, sharing, vms));
    }

    private HostResult.Vm vmReport(HostSpec.Vm spec, KvmScenarioRunner.VmOutcome o, int i) {
        Counters c = o.result().counters();
        long reported = c.find(Counter.BALLOON_STAT_TOTAL_MEMORY).orElse(0);   // no balloon: no guest report
        long total = reported > 0 ? reported : spec.ramBytes();
        long used = Math.min(total, (c.get(Counter.GUEST_FRAMES) + KvmFit.RUNTIME_BYTES / 4096) * 4096);
        FreeMemory free = FreeMemory.ofUsed(total, used);
        Map<String, Long> balloonStats = null;
        if (spec.balloon() != null) {
            balloonStats = new LinkedHashMap<>();
            for (Map.Entry<String, Long> e : c.values().entrySet()) {
                if (e.getKey().startsWith("balloon_stat_")) balloonStats.put("stat-" + e.getKey().substring(13).replace('_', '-'), e.getValue());
            }
        }
        peakResident[i] = Math.max(peakResident[i], o.residentBytes());
        peakSwapped[i] = Math.max(peakSwapped[i], o.swappedBytes());
        long bad = c.find(Counter.VERIFY_MISMATCHES).orElse(0);                 // no page checked: none wrong
        if (c.has(Counter.VERIFY_PAGES)) {
            events.add(System.nanoTime() - t0, spec.name(), bad == 0 ? "verify" : "verify_failed",
                    c.get(Counter.VERIFY_PAGES) + " pages checked, " + bad + " wrong");
        }
        return new HostResult.Vm(spec.name(), spec.ramBytes(), spec.memMerge(), o.result().mmu(), "finished", false,
                null, o.residentBytes(), peakResident[i], o.swappedBytes(), peakSwapped[i], o.ksmBytes(),
                o.balloonedBytes(), c.find(Counter.BALLOON_NUM_PAGES).orElse(0) * 4096,
                c.find(Counter.SWAP_IN_PAGES).orElse(0), 0, 0, 0, bad, free, balloonStats, List.of());
    }

    private HostResult.Host hostReport(MemInfo before, MemInfo after, Counters ksm, Map<String, Long> vmstatBefore) {
        Map<String, Long> sysfs = new LinkedHashMap<>();
        for (Map.Entry<String, Long> e : ksm.values().entrySet()) {
            if (e.getKey().startsWith("ksm_global_")) sysfs.put(e.getKey().substring(11), e.getValue());
        }
        for (Map.Entry<String, Long> e : ksm.values().entrySet()) {
            if (!e.getKey().startsWith("ksm_global_")) sysfs.put(e.getKey(), e.getValue());
        }
        Map<String, Long> vmstat = VmStat.scenarioDelta(HostRoot.REAL, vmstatBefore);
        FreeMemory end = after.free();
        return new HostResult.Host(after.memTotal(), 0, after.swapTotal(), "host", end.used(), peakHostUsed,
                end.swapUsed(), peakSwapUsed, sysfs.getOrDefault("pages_shared", 0L) * 4096, before.free(), end,
                sysfs, vmstat, "none");
    }

    private static MemInfo meminfo() {
        return MemInfo.read(HostRoot.REAL);
    }
}
