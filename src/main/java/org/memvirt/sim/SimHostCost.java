package org.memvirt.sim;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

import org.memvirt.engine.EngineException;
import org.memvirt.engine.HostSpec;
import org.memvirt.engine.KsmConfig;
import org.memvirt.engine.Units;
import org.memvirt.workload.Footprint;
import org.memvirt.workload.Op;

/**
 * What simulating a host of many VMs (a scenario) will cost in CPU time, estimated before it starts from the terms that dominate it
 * (measured by {@code scripts/bench-model cost}, docs/PERFORMANCE.md "What a scenario costs"): quanta of virtual
 * time, ksmd's scanned pages, and workload accesses. A scenario expected to take longer than its
 * {@link HostSpec#maxWallNanos()} is refused; one expected to take more than a minute is announced.
 */
public final class SimHostCost {
    // Measured 2026-12-07 on this project's host (thread CPU per unit, rounded up): 123 ns per quantum with one idle
    // VM (1 h of 1 ms quanta), 6 ns more per further VM; ksmd 100..119 ns per page of a wake's budget when more
    // pages are mergeable than the budget, 0.9 ns per RAM page walked when a wake finishes a whole pass; 27.5 ns per
    // access (touch, random) without swap, 95 ns with the host swapping.
    static final double NANOS_PER_QUANTUM = 150, NANOS_PER_VM_QUANTUM = 10;
    static final double NANOS_PER_KSM_PAGE = 150, NANOS_PER_WALKED_PAGE = 1;
    static final double NANOS_PER_ACCESS = 30, NANOS_PER_SWAPPING_ACCESS = 100;
    /** Scenarios expected to take longer than this are announced with their estimate. */
    static final double ANNOUNCE_SECONDS = 60;
    static final long OPEN_ENDED_CAP_NANOS = SimHost.MAX_OPEN_ENDED_NANOS;

    /** The estimate, in seconds of CPU time of the simulating thread, and what it is made of. */
    public record Estimate(double seconds, double virtualSeconds, int vms, long ksmPagesPerSecond) {
        /** {@code 4 VMs, 1000 h of virtual time, ksmd at 250,000 pages/s}. */
        public String terms() {
            return vms + " VM" + (vms == 1 ? "" : "s") + ", " + Units.duration(virtualSeconds) + " of virtual time"
                    + (ksmPagesPerSecond > 0 ? String.format(Locale.ROOT, ", ksmd at %,d pages/s", ksmPagesPerSecond) : "");
        }
    }

    /** The expected cost of simulating {@code s}. */
    public static Estimate estimate(HostSpec s) {
        double virtualNanos = s.durationNanos() >= 0 ? s.durationNanos() : openEndedNanos(s);
        double quanta = virtualNanos / s.quantumNanos();
        double nanos = quanta * (NANOS_PER_QUANTUM + NANOS_PER_VM_QUANTUM * Math.max(0, s.vms().size() - 1));
        long mergeableTouched = 0, mergeableRam = 0, touched = 0;
        double accesses = 0;
        for (HostSpec.Vm vm : s.vms()) {
            long pages = Math.min(vm.ramBytes() / 4096, regionPages(vm.workload()) + vm.bootTouchBytes() / 4096);
            touched += pages;
            if (vm.memMerge()) {
                mergeableTouched += pages;
                mergeableRam += vm.ramBytes() / 4096;
            }
            for (Op op : vm.workload()) accesses += Footprint.accesses(op);
        }
        KsmConfig k = s.host().ksm();
        long perSecond = 0;
        if (k.run() && mergeableTouched > 0) {
            double wakes = virtualNanos / (Math.max(1, k.sleepMillisecs()) * 1e6);   // sleep 0 counts as 1 ms
            long perWake = Math.min(k.pagesToScan(), mergeableTouched);
            double walked = perWake >= mergeableTouched ? mergeableRam : (double) mergeableRam * perWake / mergeableTouched;
            nanos += wakes * (perWake * NANOS_PER_KSM_PAGE + walked * NANOS_PER_WALKED_PAGE);
            perSecond = (long) (perWake * 1000.0 / Math.max(1, k.sleepMillisecs()));
        }
        boolean swapping = touched * 4096 > s.host().ramBytes() - s.host().reserveBytes();
        nanos += accesses * (swapping ? NANOS_PER_SWAPPING_ACCESS : NANOS_PER_ACCESS);
        return new Estimate(nanos / 1e9, virtualNanos / 1e9, s.vms().size(), perSecond);
    }

    /** Refuses, before anything is built, a scenario expected to take longer than its wall-clock limit. */
    public static void check(HostSpec s) {
        Estimate e = estimate(s);
        double limit = s.maxWallNanos() / 1e9;
        if (e.seconds() > limit) {
            throw new EngineException("scenario " + s.name() + ": simulating it would take about "
                    + Units.duration(e.seconds()) + " (" + e.terms() + "), more than --max-wall "
                    + Units.duration(limit) + "; shorten its duration or raise --max-wall");
        }
    }

    /**
     * A line announcing a long simulation, for the command to print; empty when it is expected to be quick, or to take
     * longer than its limit (then {@link #check} refuses it).
     */
    public static Optional<String> announcement(HostSpec s) {
        Estimate e = estimate(s);
        if (e.seconds() <= ANNOUNCE_SECONDS || e.seconds() > s.maxWallNanos() / 1e9) return Optional.empty();
        return Optional.of("warning: scenario " + s.name() + ": simulating it will take about " + Units.duration(e.seconds())
                + " (" + e.terms() + "); --max-wall " + Units.duration(s.maxWallNanos() / 1e9) + " stops it");
    }

    /** An open-ended scenario runs until every workload has ended: at least its sleeps, at most 24 h. */
    private static double openEndedNanos(HostSpec s) {
        double longest = 0;
        for (HostSpec.Vm vm : s.vms()) longest = Math.max(longest, vm.startNanos() + sleepNanos(vm.workload()));
        return Math.min(longest, OPEN_ENDED_CAP_NANOS);
    }

    private static double sleepNanos(List<Op> ops) {
        double total = 0;
        for (Op op : ops) {
            if (op instanceof Op.Sleep(long nanos)) total += nanos;
            else if (op instanceof Op.Repeat(int times, List<Op> body)) total += times * sleepNanos(body);
        }
        return total;
    }

    private static long regionPages(List<Op> ops) {
        long end = 0;
        for (Op op : ops) end = Math.max(end, Footprint.regionEnd(op));
        return (end + 4095) / 4096;
    }

    private SimHostCost() {}
}
