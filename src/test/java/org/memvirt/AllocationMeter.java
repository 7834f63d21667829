package org.memvirt;

import java.lang.management.ManagementFactory;

import org.junit.jupiter.api.Assumptions;

/**
 * Heap bytes a piece of work allocates on this thread (com.sun.management.ThreadMXBean.getThreadAllocatedBytes), for
 * the tests that show a hot path allocates nothing. The least of up to five measurements counts, because a JIT
 * deoptimization may allocate once; the counter read's own cost is subtracted.
 */
public final class AllocationMeter {
    /** The least bytes {@code work} allocated in up to 5 runs (stops at the first 0); aborts the test where unsupported. */
    public static long leastBytes(Runnable work) {
        if (!(ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean tm)
                || !tm.isThreadAllocatedMemorySupported()) {
            Assumptions.abort("per-thread allocation counting is not available in this JVM");
            return -1;
        }
        long tid = Thread.currentThread().threadId();
        long least = Long.MAX_VALUE;
        for (int attempt = 0; attempt < 5 && least > 0; attempt++) {
            long probe = tm.getThreadAllocatedBytes(tid);
            long overhead = tm.getThreadAllocatedBytes(tid) - probe;     // what the counter read itself costs
            long before = tm.getThreadAllocatedBytes(tid);
            work.run();
            least = Math.min(least, tm.getThreadAllocatedBytes(tid) - before - overhead);
        }
        return least;
    }

    private AllocationMeter() {}
}
