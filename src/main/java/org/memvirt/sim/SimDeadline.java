package org.memvirt.sim;

import java.time.Duration;
import java.util.Locale;

import org.memvirt.workload.Footprint;
import org.memvirt.workload.Workload;

/**
 * The wall-clock limit of a sim run ({@code RunSpec.timeout}, {@code run --timeout}): a workload that even the fastest
 * simulation could not finish within it is refused before the VM is built, and a run that reaches it stops with an
 * error naming the step.
 */
final class SimDeadline {
    /** Fastest measured: 14.7 ns per TLB-hitting access (docs/PERFORMANCE.md, sim engine, tlbFriendly), rounded down. */
    static final double MIN_NANOS_PER_ACCESS = 10;
    private final long deadline;
    private final Duration timeout;
    private final LongClock clock;
    private String step = "";

    /** The wall clock in nanoseconds; tests give their own. */
    @FunctionalInterface
    interface LongClock {
        long nanos();
    }

    private SimDeadline(Duration timeout, LongClock clock) {
        this.timeout = timeout;
        this.clock = clock;
        this.deadline = timeout == null ? Long.MAX_VALUE : clock.nanos() + timeout.toNanos();
    }

    /** {@link #checkFits}, then starts the clock. */
    static SimDeadline start(Workload workload, Duration timeout, LongClock clock) {
        checkFits(workload, timeout);
        return new SimDeadline(timeout, clock);
    }

    /** Refuses a workload whose accesses alone outlast {@code timeout} (null: no limit). */
    static void checkFits(Workload workload, Duration timeout) {
        if (timeout != null) {
            double accesses = 0;
            for (Workload.Step s : workload.steps()) accesses += Footprint.accesses(s.op());
            double atLeast = accesses * MIN_NANOS_PER_ACCESS / 1e9;
            if (atLeast > timeout.toSeconds()) {
                throw new SimException(String.format(Locale.ROOT, "the workload's %,.0f accesses take the simulator at"
                        + " least %s (%.0f ns each at best), more than --timeout %d s; make the workload smaller or raise"
                        + " --timeout", accesses, seconds(atLeast), MIN_NANOS_PER_ACCESS, timeout.toSeconds()));
            }
        }
    }

    /** The step now running, for the message. */
    void step(String text) {
        step = text;
    }

    /** Throws once the limit has passed. */
    void check() {
        if (timeout != null && clock.nanos() - deadline > 0) {
            throw SimException.timedOut("the sim run stopped after --timeout " + timeout.toSeconds() + " s, in step '" + step + "'");
        }
    }

    private static String seconds(double s) {
        return s < 3600 ? String.format(Locale.ROOT, "%.0f s", s) : String.format(Locale.ROOT, "%.1f h", s / 3600);
    }
}
