package org.memvirt.qemu;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.memvirt.config.MemoryLayout;
import org.memvirt.engine.Counter;
import org.memvirt.engine.Counters;
import org.memvirt.engine.EngineKind;
import org.memvirt.engine.FreeCounters;
import org.memvirt.engine.RunListener;
import org.memvirt.engine.ResidentSplit;
import org.memvirt.engine.RunResult;
import org.memvirt.engine.RunSpec;
import org.memvirt.host.FreeMemory;
import org.memvirt.host.HostMmu;
import org.memvirt.host.HostRoot;
import org.memvirt.host.MemInfo;
import org.memvirt.image.GuestImage;
import org.memvirt.image.ImageBuilder;
import org.memvirt.qemu.agent.AgentOpResult;
import org.memvirt.workload.Op;
import org.memvirt.workload.Unrolled;
import org.memvirt.workload.Workload;

/**
 * One run of the qemu engine: obtain the image, boot the guest, run the workload op by op (memory ops through the
 * agent, balloon ops over QMP, a guest without the agent measured from the host alone), sample guest RAM meanwhile,
 * go on watching for {@code --duration}, measure, and stop QEMU on every path. Each op's deltas: the guest's own
 * counters (vmstat, stat, its {@code free}), guest RAM's smaps gauges, the balloon, and KVM's statistics under KVM.
 */
final class QemuRun {
    static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(10);
    private static final Duration WATCH_SLICE = Duration.ofSeconds(1);

    private final RunSpec spec;
    private final RunListener listener;
    private final long ramBytes;
    private final MemoryLayout layout;
    private final long deadline;
    private final Duration timeout;
    private final List<String> notes = new ArrayList<>();
    private BootedGuest guest;
    private RamSampler sampler;
    private HostReading last;
    private Map<String, Long> meminfo = Map.of();
    private long balloonAsked = -1;                                   // pages; -1: no balloon op ran
    private boolean balloonDriverUp;                                  // the guest's virtio_balloon has reported

    private QemuRun(RunSpec spec, RunListener listener) {
        this.spec = spec;
        this.listener = listener;
        this.ramBytes = spec.machine().layout().ramSize();
        this.layout = spec.machine().layout();
        this.timeout = spec.timeout() == null ? DEFAULT_TIMEOUT : spec.timeout();
        this.deadline = System.nanoTime() + timeout.toNanos();
    }

    static RunResult run(RunSpec spec, RunListener listener) {
        return new QemuRun(spec, listener).run();
    }

    private RunResult run() {
        GuestPlan plan = GuestPlan.of(spec);
        plan.checkOps(spec.workload(), ramBytes);
        notes.addAll(plan.notes());
        GuestImage image = null;
        if (!plan.ownLine()) {
            image = ImageBuilder.forThisUser().obtain(plan.kernel(), plan.initrd(), listener);
            if (!image.note().isEmpty()) notes.add(image.note());
        }
        try (BootedGuest g = BootedGuest.boot(spec.machine(), plan, image)) {
            guest = g;
            notes.addAll(g.notes);
            return drive(plan);
        }
    }

    private RunResult drive(GuestPlan plan) {
        boolean kvm = guest.accel().equals(AccelChoice.KVM);
        QmpCommands qmp = guest.qemu.qmp();
        HostReading ready = read(kvm);
        Map<String, Long> readyMeminfo = Map.of();
        if (guest.agent != null) {
            meminfo = guest.agent.region(ramBytes, timeout).meminfo();
            readyMeminfo = meminfo;
        }
        if (plan.balloonId() != null) qmp.setGuestStatsInterval(plan.balloonId(), 1);
        List<RunResult.OpResult> ops = new ArrayList<>();
        Map<Counter, Long> events = new EnumMap<>(Counter.class);
        HostReading before = ready;
        RunResult.Timeline timeline;
        try (RamSampler s = new RamSampler(guest.qemu.pid(), guest.ram.start(), ramBytes, qmp)) {
            sampler = s;
            List<Workload.Step> steps = spec.workload().steps();
            for (int i = 0; i < steps.size(); i++) {
                Workload.Step step = steps.get(i);
                listener.stepStarted(i, steps.size(), step.text());
                s.mark(step.text());
                Map<String, Long> meminfoBefore = meminfo;
                long t0 = System.nanoTime();
                Map<Counter, Long> stepEvents = runStep(step, plan);
                long nanos = System.nanoTime() - t0;
                HostReading after = read(kvm);
                Map<Counter, Long> d = new LinkedHashMap<>(stepEvents);
                d.putAll(minus(after.gauges(ramBytes), before.gauges(ramBytes)));
                if (!meminfo.isEmpty()) d.putAll(minus(GuestCounters.gauges(meminfo), GuestCounters.gauges(meminfoBefore)));
                if (kvm) d.putAll(minus(after.kvmSummed(), before.kvmSummed()));
                ops.add(new RunResult.OpResult(step.text(), nanos, counters(d)));
                stepEvents.forEach((c, v) -> events.merge(c, v, Long::sum));
                before = after;
            }
            if (spec.guest().duration() != null) watch(spec.guest().duration(), kvm);
            s.close();
            timeline = s.timeline();
        }
        return result(plan, kvm, ready, readyMeminfo, events, ops, timeline);
    }

    /** One top-level op: through the agent where it can run it whole, else leaf by leaf (balloon ops over QMP). */
    private Map<Counter, Long> runStep(Workload.Step step, GuestPlan plan) {
        Map<Counter, Long> events = new LinkedHashMap<>();
        if (guest.agent != null && !QemuVmOps.hasBalloon(step.op())) {
            agentResult(guest.agent.run(step.op(), step.text(), left()), events);
            return events;
        }
        boolean ballooned = false;
        for (Unrolled leaves = new Unrolled(List.of(step.op())); leaves.hasNext(); ) {
            Op op = leaves.next();
            if (op instanceof Op.Balloon b) {
                if (guest.agent == null) awaitBalloonDriver(step.text(), plan.balloonId());
                BalloonOp.Outcome o = new BalloonOp(guest.qemu.qmp(), ramBytes).run(b, deadline);
                balloonAsked = o.targetBytes() / BalloonOp.PAGE;
                notes.add(BalloonOp.describe(step.text(), o));
                ballooned = true;
            } else if (guest.agent != null) {
                agentResult(guest.agent.run(op, step.text(), left()), events);
            } else if (op instanceof Op.Sleep(long nanos)) {
                sleep(Duration.ofNanos(nanos));
            } else {
                throw new IllegalStateException("GuestPlan.checkOps lets only balloon and sleep through without the agent");
            }
        }
        if (ballooned && guest.agent != null) agentResult(guest.agent.stats(left()), events);
        return events;
    }

    /**
     * Waits, before the first balloon op on a guest without memvirt's agent, until the guest's balloon driver has
     * reported its statistics once (memvirt's agent is ready only after its driver is loaded; another guest gives no
     * sign but this one): asked before, the op would find a driver still booting and stall. Notes the wait; fails at
     * the run's time limit or when QEMU dies. Nothing to read where the balloon is the user's own ({@code id} null).
     */
    private void awaitBalloonDriver(String opText, String id) {
        if (balloonDriverUp || id == null) return;
        long t0 = System.nanoTime();
        QmpCommands qmp = guest.qemu.qmp();
        while (!qmp.guestStats(id).reported()) {
            if (!guest.qemu.alive()) {
                throw new QemuException("the guest died before its balloon driver started: " + guest.qemu.diagnosis());
            }
            String state = qmp.status().status();
            if (BootedGuest.DEAD_STATES.contains(state)) {                 // KVM's emulation failure keeps QEMU running
                throw new QemuException("the guest stopped before its balloon driver started: QEMU's state is " + state
                        + " (" + guest.accel() + ")");
            }
            if (System.nanoTime() - deadline > 0) {
                throw new QemuException("'" + opText + "': the guest's balloon driver (virtio_balloon) never reported "
                        + "within the run's time limit (--timeout)");
            }
            sleepQuietly(BalloonOp.POLL);
        }
        balloonDriverUp = true;
        notes.add(String.format(java.util.Locale.ROOT, "%s: waited %.1f s for the guest's balloon driver (its first "
                + "statistics)", opText, (System.nanoTime() - t0) / 1e9));
    }

    private void agentResult(AgentOpResult r, Map<Counter, Long> events) {
        GuestCounters.events(r).forEach((c, v) -> events.merge(c, v, Long::sum));
        if (!r.meminfo().isEmpty()) meminfo = r.meminfo();
    }

    /** Goes on sampling for {@code d} (the guest runs its own work); ends early, with a note, if the guest stops. */
    private void watch(Duration d, boolean kvm) {
        sampler.mark("watch " + d.toSeconds() + " s");
        long end = System.nanoTime() + d.toNanos();
        while (System.nanoTime() - end < 0) {
            if (!guest.qemu.alive()) {
                notes.add("the guest stopped " + String.format(java.util.Locale.ROOT, "%.1f", sampler.seconds())
                        + " s into the run: " + guest.qemu.diagnosis());
                return;
            }
            read(kvm);
            sleepQuietly(Duration.ofNanos(Math.min(WATCH_SLICE.toNanos(), Math.max(0, end - System.nanoTime()))));
        }
    }

    /** The host's view now; remembered, so a guest that stopped during a watch still has its last figures. */
    private HostReading read(boolean kvm) {
        last = HostReading.take(guest.qemu, guest.ram.start(), kvm);
        return last;
    }

    private RunResult result(GuestPlan plan, boolean kvm, HostReading ready, Map<String, Long> readyMeminfo,
            Map<Counter, Long> events, List<RunResult.OpResult> ops, RunResult.Timeline timeline) {
        boolean alive = guest.qemu.alive();
        HostReading end = alive ? read(kvm) : last;
        if (alive && guest.agent != null) meminfo = guest.agent.stats(left()).meminfo();
        BalloonStats stats = alive && plan.balloonId() != null ? guest.qemu.qmp().guestStats(plan.balloonId())
                : new BalloonStats(0, Map.of());
        Map<Counter, Long> totals = new LinkedHashMap<>();
        if (kvm) totals.putAll(totals(ready.kvmSummed(), end.kvmSummed()));
        totals.putAll(events);
        if (!meminfo.isEmpty()) totals.putAll(GuestCounters.gauges(meminfo));
        totals.putAll(end.gauges(ramBytes));
        totals.put(Counter.GUEST_RAM_NORESERVE, guest.qemu.command().ramNote() != null ? 1L : 0L);
        long rss = end.ram().resident();
        totals.put(Counter.VMM_RSS_KB, (end.vmRssBytes() - rss) / 1024);
        end.ksm().forEach((name, v) -> Counter.find(name).ifPresent(c -> totals.put(c, v)));
        if (balloonAsked >= 0) totals.put(Counter.BALLOON_NUM_PAGES, balloonAsked);
        totals.putAll(GuestCounters.balloonStats(stats));
        FreeMemory host = MemInfo.read(HostRoot.REAL).free();
        totals.putAll(FreeCounters.host(host));
        List<Counters> vcpus = new ArrayList<>();
        if (kvm) {
            for (int i = 0; i < end.kvmVcpus().size() && i < ready.kvmVcpus().size(); i++) {
                vcpus.add(counters(totals(ready.kvmVcpus().get(i), end.kvmVcpus().get(i))));
            }
        }
        long ballooned = ramBytes - end.balloonActualBytes();
        ResidentSplit accounting = guest.agent == null ? null : accounting(ready, readyMeminfo, rss);
        RunResult.MemoryPicture memory = new RunResult.MemoryPicture(ramBytes, rss, end.ram().anonHugePages(),
                end.ram().swap(), end.ram().ksm(), ballooned, meminfo.getOrDefault("PageTables", 0L),
                end.vmRssBytes() - rss, accounting);
        FreeMemory guestFree = !meminfo.isEmpty() ? GuestCounters.free(meminfo) : GuestCounters.free(stats);
        RunResult.GuestView view = new RunResult.GuestView(guest.agent == null ? null : guest.agent.ready().kernel(),
                guest.agent != null, meminfo, guestFree, stats.reported() ? stats.stats() : Map.of());
        HostMmu mmu = kvm ? HostMmu.read() : null;
        return new RunResult(EngineKind.QEMU, "", guest.accel(), mmu == null ? null : mmu.mode(),
                mmu != null && mmu.tlbTagged(), guest.agent == null ? null : guest.bootNanos / 1_000_000, memory, view,
                host, counters(totals), vcpus, ops, timeline, notes, null, null);
    }

    /**
     * What guest RAM's Rss is made of: the struct page array (64 B per 4 KiB page of -m), the rest of what the guest
     * touched by the time its agent was ready (kernel, initramfs, boot allocations), the workload's anonymous memory
     * now less at ready, and what is left over.
     */
    private ResidentSplit accounting(HostReading ready, Map<String, Long> readyMeminfo, long rss) {
        long structPages = ResidentSplit.structPageBytes(layout);
        long kernel = ready.ram().resident() - structPages;
        long workload = Math.max(0, meminfo.getOrDefault("AnonPages", 0L) - readyMeminfo.getOrDefault("AnonPages", 0L));
        return new ResidentSplit(structPages, kernel, workload, rss - structPages - kernel - workload);
    }

    /** {@code after - before} for every counter in either. */
    static Map<Counter, Long> minus(Map<Counter, Long> after, Map<Counter, Long> before) {
        Map<Counter, Long> d = new LinkedHashMap<>();
        after.forEach((c, v) -> d.put(c, v - before.getOrDefault(c, 0L)));
        before.forEach((c, v) -> d.putIfAbsent(c, -v));
        return d;
    }

    /** Totals over the run: a counter's change, a gauge's value at the end (engine.Counter.Kind). */
    static Map<Counter, Long> totals(Map<Counter, Long> start, Map<Counter, Long> end) {
        Map<Counter, Long> t = new LinkedHashMap<>();
        end.forEach((c, v) -> t.put(c, c.kind() == Counter.Kind.GAUGE ? v : v - start.getOrDefault(c, 0L)));
        return t;
    }

    /** In the table's order (KVM's statistics first, then the guest's, the VMM's, the host's). */
    static Counters counters(Map<Counter, Long> values) {
        return Counters.of(new java.util.TreeMap<>(values));
    }

    private Duration left() {
        return Duration.ofNanos(Math.max(1, deadline - System.nanoTime()));
    }

    private void sleep(Duration d) {
        long end = System.nanoTime() + d.toNanos();
        while (System.nanoTime() - end < 0) {
            if (!guest.qemu.alive()) throw new QemuException("the guest died during a sleep: " + guest.qemu.diagnosis());
            if (System.nanoTime() - deadline > 0) throw new QemuException("the run's time limit (--timeout) ran out");
            sleepQuietly(Duration.ofNanos(Math.min(WATCH_SLICE.toNanos(), end - System.nanoTime())));
        }
    }

    private static void sleepQuietly(Duration d) {
        try {
            if (!d.isNegative() && !d.isZero()) Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new QemuException("interrupted");
        }
    }
}
