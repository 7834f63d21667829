package org.memvirt.sim;

import java.util.ArrayList;
import java.util.List;

import org.memvirt.engine.EngineKind;
import org.memvirt.engine.BalloonPolicy;
import org.memvirt.engine.EventLog;
import org.memvirt.engine.HostResult;
import org.memvirt.engine.HostSpec;
import org.memvirt.engine.RunListener;
import org.memvirt.engine.Units;
import org.memvirt.host.FreeMemory;
import org.memvirt.host.MmuMode;

/**
 * The sim engine's host of many VMs: runs a {@link HostSpec} on the simulated host: VMs take turns in quanta of virtual time (each runs its workload until its
 * clock passes the quantum's end), then the host advances (kswapd, ksmd), fixed balloon targets and the balloon
 * policy apply, and the timeline is sampled. Swap-in storms, OOM kills, KSM merges and balloon moves become events.
 */
final class SimHost {
    static final long STORM_PAGES_PER_SECOND = 2_560;        // 10 MiB/s of swap-in marks a swap-in storm
    static final long MAX_OPEN_ENDED_NANOS = 24L * 3600 * 1_000_000_000L;

    private final HostSpec scenario;
    private final HostModel host;
    /** The wall clock, in nanoseconds; tests give a clock of their own. */
    java.util.function.LongSupplier wallClock = System::nanoTime;
    private final EventLog events = new EventLog();
    private final List<PageGuest> guests = new ArrayList<>();
    private final List<HostResult.Sample> timeline = new ArrayList<>();
    private final BalloonPolicy policy;
    private final KsmTuner ksmTuner;
    private final boolean[] fixedApplied;
    private int fixedPending;            // guests with a fixed balloon target not yet applied: none, no loop per quantum
    private final long[] lastSwapIns;
    private final boolean[] storming;
    private long lastSharing;
    private boolean swapFullSeen;
    private FreeMemory freeAtStart;

    SimHost(HostSpec scenario) {
        this(scenario, CostModel.DEFAULT);
    }

    /** A host whose VMs' op times come from {@code cost}. */
    SimHost(HostSpec scenario, CostModel cost) {
        this.scenario = scenario;
        this.host = new HostModel(HostConfig.of(scenario.host()));
        host.setListener(new HostListener() {
            @Override
            public void oomKilled(OomKill k) {
                events.add(k.atNanos(), k.name(), "oom_kill", String.format(
                        "Out of memory: killed %s (oom_badness %d = rss %d + swap %d + pgtables %d pages, adjusted) "
                                + "while %s was allocating", k.name(), k.points(), k.rssPages(), k.swapPages(),
                        k.pageTablePages(), k.requester()));
            }
        });
        for (HostSpec.Vm vm : scenario.vms()) guests.add(new PageGuest(vm, host, events, cost));
        this.policy = BalloonPolicy.of(scenario.policy());
        this.ksmTuner = switch (scenario.ksmPolicy()) {
            case NONE -> null;
            case KSMTUNED -> new KsmTuner(false);
            case MOM -> new KsmTuner(true);
        };
        this.fixedApplied = new boolean[guests.size()];
        for (PageGuest g : guests) {
            if (g.spec.balloon() != null && g.spec.balloon().targetBytes() != 0) fixedPending++;
        }
        this.lastSwapIns = new long[guests.size()];
        this.storming = new boolean[guests.size()];
    }

    HostModel host() {
        return host;
    }

    HostResult run() {
        return run(RunListener.NONE);
    }

    /**
     * Runs the scenario, telling {@code listener} how far it got: one step (the scenario), its progress the virtual
     * time done of the duration, or, for open-ended scenarios, the share of VMs whose workload has ended.
     */
    HostResult run(RunListener listener) {
        listener.stepStarted(0, 1, scenario.name());
        long wallStart = wallClock.getAsLong();
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        long cpuStart = threads.getCurrentThreadCpuTime();
        long q = scenario.quantumNanos();
        long nextSample = 0;
        long nextPolicy = scenario.policy().intervalNanos();
        long nextKsmTune = 0;
        long t = 0;
        freeAtStart = hostFree();
        sample(0);
        nextSample += scenario.sampleNanos();
        long wallDeadline = wallStart + scenario.maxWallNanos();
        for (long quanta = 0; !finished(t); quanta++) {
            if ((quanta & 1023) == 0 && wallClock.getAsLong() - wallDeadline > 0) throw wallLimit(t);
            long end = t + q;
            for (PageGuest g : guests) {
                if (g.status == PageGuest.Status.WAITING && g.spec.startNanos() < end && !host.killed(g.vm)) {
                    g.startAt(t);
                    g.boot();
                }
                if (g.status == PageGuest.Status.RUNNING) g.runUntil(end);
                g.runBalloon(end);
            }
            host.advance(q);
            t = end;
            noteKills();
            applyFixedTargets(t);
            if (policy != null && t >= nextPolicy) {
                policy.tick(host, guests);
                nextPolicy += scenario.policy().intervalNanos();
            }
            if (ksmTuner != null && t >= nextKsmTune) {
                String change = ksmTuner.tick(host, guests);
                if (change != null) events.add(t, "host", "ksm_tune", change);
                nextKsmTune += ksmTuner.intervalNanos;
            }
            if (!swapFullSeen && host.config().swapPages() > 0 && host.swapUsedPages() >= host.config().swapPages()) {
                swapFullSeen = true;
                events.add(t, "host", "swap_full", "swap is full (" + Units.human(host.config().swapBytes()) + ")");
            }
            if (t >= nextSample) {
                sample(t);
                nextSample += scenario.sampleNanos();
                listener.stepProgress(done(t));
            }
        }
        if (timeline.getLast().t() < t / 1e9) sample(t);
        listener.stepProgress(1);
        return report(t, (wallClock.getAsLong() - wallStart) / 1e9, (threads.getCurrentThreadCpuTime() - cpuStart) / 1e9);
    }

    /** The run used up its wall-clock time: stopped at virtual time {@code t}, nothing reported. */
    private SimException wallLimit(long t) {
        String of = scenario.durationNanos() >= 0 ? " of " + Units.duration(scenario.durationNanos() / 1e9) : "";
        return SimException.timedOut("scenario " + scenario.name() + ": stopped after --max-wall "
                + Units.duration(scenario.maxWallNanos() / 1e9) + " of simulation, at " + Units.duration(t / 1e9)
                + of + " of virtual time; no report was written");
    }

    /** The fraction of the run done at virtual time {@code t}, for progress reports. */
    private double done(long t) {
        if (scenario.durationNanos() > 0) return (double) t / scenario.durationNanos();
        int ended = 0;
        for (PageGuest g : guests) {
            if (g.status != PageGuest.Status.WAITING && g.status != PageGuest.Status.RUNNING) ended++;
        }
        return guests.isEmpty() ? 1 : (double) ended / guests.size();
    }

    private boolean finished(long t) {
        if (scenario.durationNanos() >= 0) return t >= scenario.durationNanos();
        if (t >= MAX_OPEN_ENDED_NANOS) return true;
        for (PageGuest g : guests) {
            if (g.status == PageGuest.Status.WAITING || g.status == PageGuest.Status.RUNNING) return false;
        }
        return true;
    }

    private void noteKills() {
        for (PageGuest g : guests) {
            if (host.killed(g.vm) && g.status != PageGuest.Status.KILLED) g.status = PageGuest.Status.KILLED;
        }
    }

    private void applyFixedTargets(long t) {
        if (fixedPending == 0) return;
        for (int i = 0; i < guests.size(); i++) {
            PageGuest g = guests.get(i);
            HostSpec.Balloon b = g.spec.balloon();
            if (fixedApplied[i] || b == null || b.targetBytes() == 0 || t < b.targetAtNanos()) continue;
            if (g.status != PageGuest.Status.RUNNING && g.status != PageGuest.Status.FINISHED) continue;
            fixedApplied[i] = true;
            fixedPending--;
            g.balloon.setTargetBytes(b.targetBytes());
            long pages = g.balloon.numPages();
            g.balloon.setNumPages(0);
            g.setBalloonPages(pages, "fixed target " + Units.human(b.targetBytes()), t);
        }
    }

    private void sample(long t) {
        List<HostResult.VmSample> vms = new ArrayList<>(guests.size());
        double seconds = scenario.sampleNanos() / 1e9;
        for (int i = 0; i < guests.size(); i++) {
            PageGuest g = guests.get(i);
            VmMemory m = host.vmMemory(g.vm);
            vms.add(new HostResult.VmSample(g.spec.ramBytes(), m.rssPages() * 4096, m.swappedPages() * 4096,
                    (m.ksmPages() + m.zeroPages()) * 4096, g.balloon == null ? 0 : g.balloon.actual() * 4096));
            long rate = (long) ((m.swapIns() - lastSwapIns[i]) / seconds);
            lastSwapIns[i] = m.swapIns();
            if (!storming[i] && rate >= STORM_PAGES_PER_SECOND) {
                storming[i] = true;
                events.add(t, g.spec.name(), "swap_in_storm", "swap-in storm: " + rate + " pages/s ("
                        + Units.human(rate * 4096) + "/s) read back from swap");
            } else if (storming[i] && rate < STORM_PAGES_PER_SECOND) {
                storming[i] = false;
                events.add(t, g.spec.name(), "swap_in_storm_end", "swap-in storm over (" + rate + " pages/s)");
            }
        }
        KsmCounters k = host.ksmCounters();
        if (k.pagesSharing() != lastSharing) {
            events.add(t, "host", "ksm_merge", String.format("ksm: pages_shared %d, pages_sharing %d (%+d), full_scans %d, saving %s",
                    k.pagesShared(), k.pagesSharing(), k.pagesSharing() - lastSharing, k.fullScans(), Units.human(k.pagesSaved() * 4096)));
            lastSharing = k.pagesSharing();
        }
        timeline.add(new HostResult.Sample(t / 1e9, host.usedPages() * 4096, host.freePages() * 4096,
                host.swapUsedPages() * 4096, k.pagesShared(), k.pagesSharing(), vms));
    }

    private HostResult report(long t, double wall, double cpu) {
        List<HostResult.Vm> vms = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        for (PageGuest g : guests) vms.add(vmReport(g));
        if (events.dropped() > 0) notes.add(events.dropped() + " events past the first " + EventLog.MAX_EVENTS + " were dropped");
        if (scenario.durationNanos() < 0 && t >= MAX_OPEN_ENDED_NANOS) notes.add("stopped after 24 h of virtual time");
        long modelBytes = host.modelBytes();
        for (PageGuest g : guests) modelBytes += g.modelBytes();
        return new HostResult(scenario.name(), EngineKind.SIM, "", t / 1e9, wall, cpu, (double) modelBytes / host.guestPages(),
                hostReport(), vms, events.sorted(), timeline, notes);
    }

    private HostResult.Vm vmReport(PageGuest g) {
        VmMemory m = host.vmMemory(g.vm);
        long total = g.guestTotalPages() * 4096;
        long used = Math.min(total, g.guestUsedPages() * 4096);
        FreeMemory free = FreeMemory.ofUsed(total, used);
        return new HostResult.Vm(g.spec.name(), g.spec.ramBytes(), g.spec.memMerge(),
                g.spec.mmu() != null ? g.spec.mmu() : MmuMode.EPT,
                g.status.name().toLowerCase(java.util.Locale.ROOT), m.killed(),
                m.killed() ? m.killedAtNanos() / 1e9 : null, m.rssPages() * 4096, m.peakRssPages() * 4096,
                m.swappedPages() * 4096, m.peakSwappedPages() * 4096, (m.ksmPages() + m.zeroPages()) * 4096,
                g.balloon == null ? 0 : g.balloon.actual() * 4096, g.balloon == null ? 0 : g.balloon.numPages() * 4096,
                m.swapIns(), m.cowBreaks(), g.minorFaults, g.majorFaults, g.stats[Stat.VERIFY_MISMATCHES], free,
                g.balloon == null ? null : g.balloonStats(), List.of());
    }

    /** The host's {@code free} now: used is the reserve plus guest frames, KSM pages and zram; no page cache. */
    private FreeMemory hostFree() {
        long ram = host.config().ramBytes();
        long used = host.usedPages() * 4096;
        long swap = host.config().swapPages() * 4096;
        long swapUsed = host.swapUsedPages() * 4096;
        return new FreeMemory(ram, used, ram - used, 0, 0, ram - used, swap, swapUsed, swap - swapUsed);
    }

    private HostResult.Host hostReport() {
        FreeMemory hostFree = hostFree();
        return new HostResult.Host(hostFree.total(), host.config().reservePages() * 4096, hostFree.swapTotal(),
                host.config().swapKind().key(), hostFree.used(), host.peakUsedPages() * 4096, hostFree.swapUsed(),
                host.peakSwapUsedPages() * 4096, host.ksmPages() * 4096, freeAtStart, hostFree, host.ksmSysfs(), host.vmstat(),
                scenario.policy().kind().name().toLowerCase(java.util.Locale.ROOT));
    }
}
