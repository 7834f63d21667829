package org.memvirt.qemu;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

import org.memvirt.engine.BalloonPolicy;
import org.memvirt.engine.EngineKind;
import org.memvirt.engine.EventLog;
import org.memvirt.engine.GuestOptions;
import org.memvirt.engine.HostResult;
import org.memvirt.engine.HostSpec;
import org.memvirt.engine.RunListener;
import org.memvirt.engine.RunSpec;
import org.memvirt.engine.Units;
import org.memvirt.host.FreeMemory;
import org.memvirt.host.HostCapabilities;
import org.memvirt.host.HostRoot;
import org.memvirt.host.ProcessMemory;
import org.memvirt.host.VmStat;
import org.memvirt.hostctl.CgroupUsage;
import org.memvirt.hostctl.HostLimits;
import org.memvirt.hostctl.KsmSession;
import org.memvirt.hostctl.OomKill;
import org.memvirt.hostctl.SwapFile;
import org.memvirt.image.GuestImage;
import org.memvirt.image.ImageBuilder;
import org.memvirt.workload.Workload;
import org.memvirt.workload.WorkloadFormat;

/**
 * The qemu engine's host of many VMs: the scenario's host made real ({@link HostLimits}: a memory cgroup of
 * {@code host.ram - host.reserve} RAM and {@code host.swap} swap, a swap file where the host has too little, the
 * kernel's OOM killer inside the group), every VM a real QEMU with memvirt's Linux guest started inside the group at
 * its {@code start}, driven by its own workload through its agent (one thread per VM), ksmd run from {@code host.ksm}
 * through a {@link KsmSession}, and the timeline sampled from the host every {@code sample}: each VM's guest-RAM
 * mapping (Rss, Swap, KSM), its balloon, the group's charge and ksmd's counters. Times are wall-clock seconds since the
 * group was made. Everything is undone on every exit path: QEMU stopped, the group removed, the swap file swapped off
 * and deleted, ksmd's knobs restored (and after a kill -9 the next run removes what was left, {@code Leftovers}).
 */
final class QemuHost {
    static final Duration TIMEOUT = Duration.ofMinutes(30);     // memvirt: bound of a whole qemu scenario
    static final Duration MIN_SAMPLE = Duration.ofMillis(500);  // memvirt: smaps of 8 QEMUs take ~10 ms to read
    static final int SETTLE_SCANS = 3;                          // as the kvm engine's host: KsmSettings.fast()

    private final HostSpec scenario;
    private final List<String> notes;
    private final RunListener listener;
    private final EventLog events = new EventLog();
    private final List<HostResult.Sample> timeline = new ArrayList<>();
    private final Guest[] guests;
    private volatile boolean stopping;
    private Map<String, Long> endKsm = Map.of();
    private long t0;
    private Instant instant0;
    private long peakSwapUsed;
    private long peakUsed;
    private long lastSharing;

    /** One VM: its thread, its guest once booted, and what was seen of it. */
    private final class Guest implements BalloonPolicy.Guest {
        final int index;
        final HostSpec.Vm spec;
        volatile BootedGuest booted;
        volatile String status = "waiting";
        volatile String died;                                   // why its thread ended early, or null
        volatile OomKill kill;
        volatile double killedAt = Double.NaN;
        long peakResident, peakSwapped, resident, swapped, shared, ballooned, balloonTarget, pss;
        long minorFaults, majorFaults, verifyMismatches, verifyPages;
        long guestFree = -1;                                    // stat-free-memory, bytes; -1 before the first report
        Map<String, Long> meminfo = Map.of();
        Map<String, Long> ksmStat = Map.of();
        Map<String, Long> balloonStats;
        Thread thread;
        boolean closed;

        Guest(int index, HostSpec.Vm spec) {
            this.index = index;
            this.spec = spec;
        }

        /** Stops its QEMU once (the agent's goodbye, then QMP quit, SIGTERM, SIGKILL). */
        synchronized void close() {
            BootedGuest b = booted;
            if (b == null || closed) return;
            closed = true;
            try {
                b.close();
            } catch (RuntimeException e) {
                b.qemu.close();                                 // the agent was mid-op or gone: QEMU is stopped anyway
            }
        }

        boolean live() {
            BootedGuest b = booted;
            return b != null && b.qemu.alive();
        }

        @Override
        public boolean managed() {
            return spec.balloon() != null && live() && ("running".equals(status) || "finished".equals(status))
                    && guestFree >= 0;
        }

        @Override
        public long ramPages() {
            return spec.ramBytes() / BalloonOp.PAGE;
        }

        @Override
        public long balloonPages() {
            return ballooned / BalloonOp.PAGE;
        }

        @Override
        public long guestFreePages() {
            return Math.max(0, guestFree) / BalloonOp.PAGE;
        }

        @Override
        public HostSpec.Balloon balloon() {
            return spec.balloon();
        }

        /** What the guest kernel keeps out of MemTotal (memblock's reservations): no balloon can take it. */
        @Override
        public long floorPages() {
            return (spec.ramBytes() - meminfo.getOrDefault("MemTotal", 0L)) / BalloonOp.PAGE;
        }

        /** Asks the guest's driver over QMP; it moves toward the target in its own time. */
        @Override
        public void setBalloonPages(long pages, String by) {
            long before = balloonTarget;
            try {
                booted.qemu.qmp().balloon(spec.ramBytes() - pages * BalloonOp.PAGE);
            } catch (QemuException e) {
                return;                                         // it died: the kill is reported as such
            }
            balloonTarget = pages * BalloonOp.PAGE;
            event(this, "balloon_target", by + ": balloon target " + Units.human(before) + " -> "
                    + Units.human(balloonTarget));
        }
    }

    private QemuHost(HostSpec scenario, List<String> notes, RunListener listener) {
        this.scenario = scenario;
        this.notes = new ArrayList<>(notes);
        this.listener = listener;
        this.guests = new Guest[scenario.vms().size()];
        for (int i = 0; i < guests.length; i++) guests[i] = new Guest(i, scenario.vms().get(i));
    }

    /** Runs {@code scenario} (already checked by {@link QemuFit#check}); {@code notes} go into the result. */
    static HostResult run(HostSpec scenario, List<String> notes, RunListener listener) {
        return new QemuHost(scenario, notes, listener).run();
    }

    private HostResult run() {
        GuestImage image = ImageBuilder.forThisUser().obtain(null, null, listener);
        if (!image.note().isEmpty()) notes.add(image.note());
        long wall0 = System.nanoTime();
        long cpu0 = VmStat.processCpuNanos();
        Map<String, Long> vmstatBefore = VmStat.read(HostRoot.REAL);
        try (HostLimits limits = HostLimits.open(HostRoot.REAL, QemuFit.limits(scenario.host()), SwapFile.DEFAULT_DIR);
                KsmSession ksm = QemuFit.ksmSettings(scenario.host().ksm()) == null ? null
                        : KsmSession.start(QemuFit.ksmSettings(scenario.host().ksm()))) {
            t0 = System.nanoTime();
            instant0 = Instant.now();
            for (String n : limits.notices()) events.add(0, "host", "cleanup", n);
            for (String n : ksm != null ? ksm.leftoversRestored() : KsmSession.restoreLeftovers()) {
                events.add(0, "host", "cleanup", n);
            }
            notes.add("qemu engine: memory cgroup " + limits.groupPath() + " (RAM " + Units.human(limits.limits().ramBytes())
                    + ", swap " + Units.human(limits.limits().swapBytes()) + ")" + limits.swapFile().map(f -> "; swap file "
                    + f.path() + " of " + Units.human(f.bytes()) + " made for the run").orElse(""));
            FreeMemory freeAtStart = free(limits.usage());
            sample(limits, ksm);
            try {
                drive(limits, ksm, image);
            } finally {
                stopping = true;
                oomKills(limits);
                endKsm = ksmCounters(ksm);                      // before the QEMUs go: their pages unmerge as they exit
                for (Guest g : guests) balloonStats(g);
                for (Guest g : guests) g.close();
                for (Guest g : guests) if (g.thread != null) g.thread.interrupt();
                for (Guest g : guests) join(g.thread);
                for (Guest g : guests) g.close();               // one that booted while the others were closed
            }
            oomKills(limits);
            double end = (System.nanoTime() - t0) / 1e9;
            CgroupUsage u = limits.usage();
            Map<String, Long> ksmCounters = endKsm;
            HostResult.Host host = new HostResult.Host(scenario.host().ramBytes(), scenario.host().reserveBytes(),
                    scenario.host().swapBytes(), "this host's swap" + limits.swapFile().map(f -> " + swap file").orElse(""),
                    lastSample().hostUsedBytes(), Math.max(peakUsed, u.peakBytes()), lastSample().swapUsedBytes(),
                    peakSwapUsed, ksmCounters.getOrDefault("pages_shared", 0L) * BalloonOp.PAGE, freeAtStart,
                    free(lastSample().hostUsedBytes()), ksmCounters, VmStat.scenarioDelta(HostRoot.REAL, vmstatBefore),
                    scenario.policy().kind().name().toLowerCase(Locale.ROOT));
            List<HostResult.Vm> vms = new ArrayList<>();
            for (Guest g : guests) vms.add(report(g));
            return new HostResult(scenario.name(), EngineKind.QEMU, "", end, (System.nanoTime() - wall0) / 1e9,
                    (VmStat.processCpuNanos() - cpu0) / 1e9, 0, host, vms, events.sorted(), List.copyOf(timeline),
                    notes);
        }
    }

    /** Starts every VM's thread, samples until all have ended and the duration has passed, or the bound. */
    private void drive(HostLimits limits, KsmSession ksm, GuestImage image) {
        CountDownLatch firstBoot = new CountDownLatch(1);
        boolean kvmUndecided = AccelChoice.forLinuxGuest().accel().equals(AccelChoice.KVM);
        for (Guest g : guests) {
            g.thread = Thread.ofPlatform().name("memvirt-qemu-" + g.spec.name()).daemon().start(
                    () -> vm(g, limits, image, g.index > 0 && kvmUndecided ? firstBoot : null, firstBoot));
        }
        long sampleNanos = Math.max(MIN_SAMPLE.toNanos(), scenario.sampleNanos());
        long next = t0 + sampleNanos;
        long fixedDone = 0;
        BalloonPolicy policy = BalloonPolicy.of(scenario.policy());
        PolicyHost policyHost = new PolicyHost(limits);
        long nextPolicy = scenario.policy().intervalNanos();
        while (true) {
            sleepUntil(next);
            next += sampleNanos;
            long t = System.nanoTime() - t0;
            fixedDone = fixedTargets(t, fixedDone);
            oomKills(limits);
            sample(limits, ksm);
            if (policy != null && t >= nextPolicy) {
                for (Guest g : guests) readGuestFree(g);
                synchronized (this) {
                    policy.tick(policyHost, List.of(guests));
                }
                nextPolicy += scenario.policy().intervalNanos();
            }
            boolean running = false;
            for (Guest g : guests) running |= g.thread.isAlive();
            if (!running && (scenario.durationNanos() < 0 || t >= scenario.durationNanos())) return;
            if (t > TIMEOUT.toNanos()) {
                notes.add("qemu engine: stopped after " + TIMEOUT.toMinutes() + " min (the bound of a qemu scenario)");
                return;
            }
        }
    }

    /** Sets each {@code balloon.target} once its time has come; returns the bit set of VMs done. */
    private long fixedTargets(long t, long done) {
        for (Guest g : guests) {
            HostSpec.Balloon b = g.spec.balloon();
            if (b == null || b.targetBytes() == 0 || (done & (1L << g.index)) != 0 || t < b.targetAtNanos() || !g.live()) {
                continue;
            }
            try {
                g.booted.qemu.qmp().balloon(b.targetBytes());
                g.balloonTarget = g.spec.ramBytes() - b.targetBytes();
                event(g, "balloon_target", "fixed policy: balloon target " + Units.human(b.targetBytes()) + " for the guest");
            } catch (QemuException e) {
                continue;
            }
            done |= 1L << g.index;
        }
        return done;
    }

    /** One VM's thread: wait for its start, boot inside the group, run its workload, then keep running. */
    private void vm(Guest g, HostLimits limits, GuestImage image, CountDownLatch waitFor, CountDownLatch firstBoot) {
        try {
            sleepUntil(t0 + g.spec.startNanos());
            if (waitFor != null) waitFor.await();
            RunSpec spec = runSpec(g.spec);
            GuestPlan plan = GuestPlan.of(spec);
            BootedGuest b;
            try {
                b = BootedGuest.boot(g.spec.machine(), plan, image, limits::command);
            } finally {
                if (g.index == 0) firstBoot.countDown();
            }
            limits.watch(b.qemu.process());
            g.booted = b;
            if (stopping) return;                               // the run ended while it booted: closed with the rest
            g.status = "running";
            b.qemu.qmp().setGuestStatsInterval(plan.balloonId(), 1);
            g.meminfo = b.agent.region(g.spec.ramBytes(), TIMEOUT).meminfo();
            event(g, "start", String.format(Locale.ROOT, "booted in %s (%s), QEMU pid %d, %s", Units.seconds(b.bootNanos),
                    b.accel(), b.qemu.pid(), Units.human(g.spec.ramBytes())));
            Duration left = TIMEOUT;
            List<Workload.Step> steps = spec.workload().steps();
            for (int i = 0; i < steps.size(); i++) {
                Workload.Step step = steps.get(i);
                long s0 = System.nanoTime();
                QemuVmOps.Result r = QemuVmOps.run(b, plan, step, g.spec.ramBytes(), System.nanoTime() + left.toNanos());
                synchronized (g) {
                    g.minorFaults += r.minorFaults();
                    g.majorFaults += r.majorFaults();
                    g.verifyMismatches += r.mismatches();
                    g.verifyPages += r.verifiedPages();
                    if (!r.meminfo().isEmpty()) g.meminfo = r.meminfo();
                    if (r.balloonTargetBytes() >= 0) g.balloonTarget = r.balloonTargetBytes();
                }
                event(g, "op_done", String.format(Locale.ROOT, "'%s' done in %s%s", step.text(),
                        Units.seconds(System.nanoTime() - s0), r.note() == null ? "" : ": " + r.note()));
                if (r.verifiedPages() > 0) {
                    event(g, r.mismatches() == 0 ? "verify" : "verify_failed", r.verifiedPages() + " pages checked, "
                            + r.mismatches() + " wrong" + (r.firstMismatch().isEmpty() ? "" : " (first: " + r.firstMismatch() + ")"));
                }
            }
            g.status = "finished";
            event(g, "finish", "workload finished");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            if (stopping) return;                               // closed at the end of the run: not a failure
            g.died = e.getMessage();
            g.status = "failed";
        }
    }

    /** The RunSpec of one VM, as {@code run --engine qemu} would take it (for GuestPlan and the agent). */
    static RunSpec runSpec(HostSpec.Vm vm) {
        List<Workload.Step> steps = new ArrayList<>();
        for (var op : vm.workload()) steps.add(new Workload.Step(op, WorkloadFormat.format(op), Workload.Step.SPREAD));
        boolean fpr = vm.guest() != null && vm.guest().freePageReporting();
        boolean deflate = vm.balloon() != null && vm.balloon().deflateOnOom();
        return new RunSpec(vm.machine(), new Workload(steps, vm.name()), HostCapabilities.read().mmuMode(), null, null,
                TIMEOUT, 1, false, 0, new GuestOptions(null, null, fpr, deflate, null), vm.guest());
    }

    /** Records the kernel's OOM kills seen so far against their VMs, once each. */
    private synchronized void oomKills(HostLimits limits) {
        for (OomKill k : limits.oomKills()) {
            for (Guest g : guests) {
                BootedGuest b = g.booted;
                if (b == null || b.qemu.pid() != k.pid() || g.kill != null) continue;
                g.kill = k;
                g.killedAt = Math.max(0, Duration.between(instant0, k.at()).toNanos() / 1e9);
                g.status = "killed";
                events.add((long) (g.killedAt * 1e9), g.spec.name(), "oom_kill", "killed by the kernel's OOM killer in"
                        + " memory cgroup " + limits.groupPath() + ": " + k.reason()
                        + (k.fromKernelLog() ? "" : " (the kernel log was not readable)"));
            }
        }
    }

    /** One timeline sample: each VM's guest-RAM mapping and balloon, the group's charge, ksmd's counters. */
    private synchronized void sample(HostLimits limits, KsmSession ksm) {
        long t = System.nanoTime() - t0;
        List<HostResult.VmSample> vms = new ArrayList<>();
        for (Guest g : guests) {
            if (g.live()) {
                try {
                    BootedGuest b = g.booted;
                    ProcessMemory p = ProcessMemory.of(b.qemu.pid());
                    ProcessMemory.Mapping ram = p.mapping(b.ram.start());
                    Map<String, Long> ksmStat = p.ksmStat().fields();
                    long actual = b.qemu.qmp().balloonActualBytes();
                    g.resident = ram.resident();
                    g.pss = ram.pss();
                    g.swapped = ram.swap();
                    g.shared = ksmStat.containsKey("ksm_merging_pages") ? ksmStat.get("ksm_merging_pages") * BalloonOp.PAGE
                            : ram.ksm();
                    g.ksmStat = ksmStat;
                    g.ballooned = g.spec.ramBytes() - actual;
                    g.peakResident = Math.max(g.peakResident, g.resident);
                    g.peakSwapped = Math.max(g.peakSwapped, g.swapped);
                } catch (RuntimeException e) {
                    // it died between the check and the read: its last figures stand until the kill is seen
                }
            } else if (g.kill != null || g.died != null) {
                g.resident = g.swapped = g.shared = g.ballooned = g.pss = 0;
                g.ksmStat = Map.of();
            }
            vms.add(g.booted == null ? new HostResult.VmSample(g.spec.ramBytes(), 0, 0, 0, 0)
                    : new HostResult.VmSample(g.spec.ramBytes(), g.resident, g.swapped, g.shared, g.ballooned, g.pss, g.ksmStat));
        }
        CgroupUsage u = limits.usage();
        peakUsed = Math.max(peakUsed, u.memoryBytes());
        peakSwapUsed = Math.max(peakSwapUsed, u.swapBytes());
        Map<String, Long> k = ksmCounters(ksm);
        long shared = k.getOrDefault("pages_shared", 0L), sharing = k.getOrDefault("pages_sharing", 0L);
        if (sharing != lastSharing) {
            events.add(t, "host", "ksm_merge", String.format(Locale.ROOT, "ksm: pages_shared %+d, pages_sharing %+d since"
                    + " the start", shared, sharing));
            lastSharing = sharing;
        }
        timeline.add(new HostResult.Sample(t / 1e9, u.memoryBytes(), free(u).free(), u.swapBytes(), shared, sharing, vms));
    }

    /** The scenario's host as a balloon policy sees it: its RAM, the reserve, and the group's charge on top. */
    private final class PolicyHost implements BalloonPolicy.Host {
        private final HostLimits limits;

        PolicyHost(HostLimits limits) {
            this.limits = limits;
        }

        @Override
        public long ramPages() {
            return scenario.host().ramBytes() / BalloonOp.PAGE;
        }

        @Override
        public long reservePages() {
            return scenario.host().reserveBytes() / BalloonOp.PAGE;
        }

        @Override
        public long usedPages() {
            return Math.min(ramPages(), reservePages() + limits.usage().memoryBytes() / BalloonOp.PAGE);
        }

        @Override
        public long freePages() {
            return ramPages() - usedPages();
        }
    }

    /** Each managed guest's free memory from its balloon statistics (polled every second, as memvirt asked). */
    private static void readGuestFree(Guest g) {
        if (g.spec.balloon() == null || !g.live()) return;
        try {
            BalloonStats st = g.booted.qemu.qmp().guestStats(VirtioBalloon.DEFAULT_ID);
            Long free = st.stats().get("stat-free-memory");
            if (st.reported() && free != null) g.guestFree = free;
        } catch (QemuException e) {
            // it died just now
        }
    }

    /** The guest's balloon statistics at the end (the guest polls them every second, as memvirt asked). */
    private static void balloonStats(Guest g) {
        if (g.spec.balloon() == null || !g.live()) return;
        try {
            BalloonStats st = g.booted.qemu.qmp().guestStats(VirtioBalloon.DEFAULT_ID);
            if (st.reported()) g.balloonStats = st.stats();
        } catch (QemuException e) {
            // it died just now: no statistics
        }
    }

    /** The group's figures as {@code free} would print a host of the scenario's RAM with the reserve used. */
    private FreeMemory free(CgroupUsage u) {
        return free(u.memoryBytes());
    }

    private FreeMemory free(long groupBytes) {
        return FreeMemory.ofUsed(scenario.host().ramBytes(), Math.min(scenario.host().ramBytes(),
                scenario.host().reserveBytes() + groupBytes));
    }

    /** ksmd's counters as changes since the session started (sysfs names), or none without a session. */
    private static Map<String, Long> ksmCounters(KsmSession ksm) {
        Map<String, Long> out = new LinkedHashMap<>();
        if (ksm == null) return out;
        ksm.globalDeltas().forEach((name, v) -> out.put(name.substring("ksm_global_".length()), v));
        return out;
    }

    private HostResult.Sample lastSample() {
        return timeline.getLast();
    }

    private HostResult.Vm report(Guest g) {
        boolean killed = g.kill != null;
        if (!killed && g.died != null) {
            events.add(System.nanoTime() - t0, g.spec.name(), "failed", g.died);
        }
        long total = g.meminfo.getOrDefault("MemTotal", 0L);
        FreeMemory free = total > 0 ? GuestCounters.free(g.meminfo) : FreeMemory.ofUsed(g.spec.ramBytes(), 0);
        return new HostResult.Vm(g.spec.name(), g.spec.ramBytes(), g.spec.memMerge(), null, g.status, killed,
                killed ? g.killedAt : null, g.resident, g.peakResident, g.swapped, g.peakSwapped, g.shared, g.ballooned,
                g.balloonTarget, 0, 0, g.minorFaults, g.majorFaults, g.verifyMismatches, free, g.balloonStats,
                List.of());
    }

    private synchronized void event(Guest g, String kind, String message) {
        events.add(System.nanoTime() - t0, g.spec.name(), kind, message);
    }

    private static void sleepUntil(long nanoTime) {
        long d = nanoTime - System.nanoTime();
        if (d <= 0) return;
        try {
            Thread.sleep(Duration.ofNanos(d));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new QemuException("interrupted");
        }
    }

    private static void join(Thread t) {
        if (t == null) return;
        try {
            t.join(Duration.ofSeconds(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
