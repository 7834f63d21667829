package org.memvirt.bench;

import java.util.function.LongSupplier;

/**
 * Paired measurement of {@link ShadowFaultBench}'s round in the baseline and the current build, both loaded in one JVM
 * ({@link SimBuilds}): alternating 200 ms slices, so load from other processes hits both alike; prints the medians of
 * the per-round ratios current / baseline, by wall time and by this thread's CPU time (steadier on a shared machine). Run: {@code java -Dmemvirt.baseline.classes=DIR -cp <test-classes:classes:deps>
 * org.memvirt.bench.ShadowFaultPaired [rounds]}.
 */
public final class ShadowFaultPaired {
    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        LongSupplier baseline = SimBuilds.load("baseline", "org.memvirt.sim.ShadowFaultLoop");
        LongSupplier current = SimBuilds.load("current", "org.memvirt.sim.ShadowFaultLoop");
        double[] base = new double[rounds], cur = new double[rounds], ratio = new double[rounds];
        double[] baseCpu = new double[rounds], curCpu = new double[rounds], ratioCpu = new double[rounds];
        long sink = 0;
        for (int r = -5; r < rounds; r++) {
            long[] b = slice(baseline), c = slice(current);
            sink += b[1] + c[1];
            if (r < 0) continue;                                   // warm-up rounds
            base[r] = b[0] * 1e9 / b[2];
            cur[r] = c[0] * 1e9 / c[2];
            ratio[r] = cur[r] / base[r];
            baseCpu[r] = b[0] * 1e9 / b[3];
            curCpu[r] = c[0] * 1e9 / c[3];
            ratioCpu[r] = curCpu[r] / baseCpu[r];
        }
        double[] sorted = ratio.clone();
        java.util.Arrays.sort(sorted);
        double[] sortedCpu = ratioCpu.clone();
        java.util.Arrays.sort(sortedCpu);
        System.out.printf("medians of %d paired slices: baseline %.0f rounds/s wall (%.0f per CPU-second), current %.0f"
                + " rounds/s wall (%.0f per CPU-second); current/baseline %.2f wall (min %.2f max %.2f), %.2f per"
                + " CPU-second (min %.2f max %.2f) (sink %d)%n", rounds, X86PairedRatio.median(base),
                X86PairedRatio.median(baseCpu), X86PairedRatio.median(cur), X86PairedRatio.median(curCpu),
                X86PairedRatio.median(ratio), sorted[0], sorted[rounds - 1], X86PairedRatio.median(ratioCpu),
                sortedCpu[0], sortedCpu[rounds - 1], sink & 1);
    }

    /** Rounds of {@code loop} done in a 200 ms slice, their checksum, the slice's nanoseconds and its CPU nanoseconds. */
    private static long[] slice(LongSupplier loop) {
        java.lang.management.ThreadMXBean tm = java.lang.management.ManagementFactory.getThreadMXBean();
        long t0 = System.nanoTime(), c0 = tm.getCurrentThreadCpuTime(), n = 0, sum = 0, elapsed;
        while ((elapsed = System.nanoTime() - t0) < 200_000_000L) {
            sum += loop.getAsLong();
            n++;
        }
        return new long[] {n, sum, elapsed, tm.getCurrentThreadCpuTime() - c0};
    }

    private ShadowFaultPaired() {}
}
