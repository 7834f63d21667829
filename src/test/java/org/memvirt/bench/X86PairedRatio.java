package org.memvirt.bench;

import java.util.Arrays;

/**
 * Paired measurement of {@link X86TranslateBench}'s random 2D stream against its physical-limit loop in one JVM:
 * alternating 200 ms slices, so load from other processes hits both alike; prints the median ratio.
 * Run: {@code java -cp <test-classes:classes:deps> org.memvirt.bench.X86PairedRatio [4K|2M] [rounds]}.
 */
public final class X86PairedRatio {
    public static void main(String[] args) {
        X86TranslateBench bench = new X86TranslateBench();
        X86TranslateBench.RandomStream s = new X86TranslateBench.RandomStream();
        s.hostPage = args.length > 0 ? args[0] : "4K";
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        s.setUp();
        X86TranslateBench.HitStream h = new X86TranslateBench.HitStream();
        h.setUp();
        double[] ratios = new double[rounds];
        double[] walks = new double[rounds], limits = new double[rounds], hits = new double[rounds];
        double[] plains = new double[rounds], noMemo = new double[rounds], memoGain = new double[rounds];
        double[] walksCpu = new double[rounds], limitsCpu = new double[rounds], hitsCpu = new double[rounds];
        java.lang.management.ThreadMXBean tm = java.lang.management.ManagementFactory.getThreadMXBean();
        long sink = 0;
        for (int r = -3; r < rounds; r++) {
            long t0 = System.nanoTime(), c0 = tm.getCurrentThreadCpuTime(), n = 0;
            while (System.nanoTime() - t0 < 200_000_000L) { sink += bench.randomStream2d(s); n++; }
            double w = n * X86TranslateBench.BATCH * 1e9 / (System.nanoTime() - t0);
            double wc = n * X86TranslateBench.BATCH * 1e9 / (tm.getCurrentThreadCpuTime() - c0);
            t0 = System.nanoTime();
            c0 = tm.getCurrentThreadCpuTime();
            n = 0;
            while (System.nanoTime() - t0 < 200_000_000L) { sink += bench.physicalLimit(s); n++; }
            double l = n * X86TranslateBench.BATCH * 1e9 / (System.nanoTime() - t0);
            double lc = n * X86TranslateBench.BATCH * 1e9 / (tm.getCurrentThreadCpuTime() - c0);
            t0 = System.nanoTime();
            c0 = tm.getCurrentThreadCpuTime();
            n = 0;
            while (System.nanoTime() - t0 < 100_000_000L) { sink += bench.tlbHitStream(h); n++; }
            double hs = n * X86TranslateBench.BATCH * 1e9 / (System.nanoTime() - t0);
            double hc = n * X86TranslateBench.BATCH * 1e9 / (tm.getCurrentThreadCpuTime() - c0);
            t0 = System.nanoTime();
            n = 0;
            while (System.nanoTime() - t0 < 100_000_000L) { sink += bench.plainArrayLookup(h); n++; }
            double pl = n * X86TranslateBench.BATCH * 1e9 / (System.nanoTime() - t0);
            t0 = System.nanoTime();
            n = 0;
            while (System.nanoTime() - t0 < 100_000_000L) { sink += bench.tlbHitStreamNoMemo(h); n++; }
            double nm = n * X86TranslateBench.BATCH * 1e9 / (System.nanoTime() - t0);
            if (r < 0) continue;                                   // warm-up rounds
            walks[r] = w;
            limits[r] = l;
            hits[r] = hs;
            ratios[r] = w / l;
            walksCpu[r] = wc;
            limitsCpu[r] = lc;
            hitsCpu[r] = hc;
            plains[r] = hs / pl;
            noMemo[r] = nm;
            memoGain[r] = hs / nm;
        }
        System.out.printf("host %s, medians of %d paired rounds: 2D random stream %.0f/s wall (%.0f per CPU-second), "
                        + "physical limit %.0f/s wall (%.0f per CPU-second), ratio %.3f (min %.3f max %.3f); "
                        + "TLB-hit stream %.0f/s wall (%.0f per CPU-second), ratio to a plain 64-entry array lookup %.3f; "
                        + "without the hit memo %.0f/s wall, memo gain %.2fx (min %.2f max %.2f) (sink %d)%n",
                s.hostPage, rounds,
                median(walks), median(walksCpu), median(limits), median(limitsCpu), median(ratios),
                Arrays.stream(ratios).min().orElse(0), Arrays.stream(ratios).max().orElse(0),
                median(hits), median(hitsCpu), median(plains), median(noMemo), median(memoGain),
                Arrays.stream(memoGain).min().orElse(0), Arrays.stream(memoGain).max().orElse(0), sink & 1);
    }

    static double median(double[] v) {
        double[] c = v.clone();
        Arrays.sort(c);
        return c[c.length / 2];
    }

    private X86PairedRatio() {}
}
