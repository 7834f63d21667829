package org.memvirt.workload;

/**
 * The page indices and read/write choices of a {@code random} op, identical in both engines: SplitMix64 from the
 * op's seed; uniform pages by multiply-shift reduction, Zipf pages by inversion of a precomputed CDF.
 * Allocation-free after construction.
 */
public final class AccessStream {
    private final long pages;
    private final int writesPercent;
    private final double[] zipfCdf;   // null for uniform
    private long state;

    public AccessStream(long pages, int writesPercent, Op.Distribution distribution, long seed) {
        if (pages <= 0) throw new IllegalArgumentException("random over an empty range");
        this.pages = pages;
        this.writesPercent = writesPercent;
        this.state = seed;
        this.zipfCdf = distribution instanceof Op.Distribution.Zipf(double theta) ? zipfCdf(pages, theta) : null;
    }

    /** SplitMix64 next(). */
    public long nextLong() {
        state += Patterns.GOLDEN_GAMMA;
        return Patterns.mix(state);
    }

    /**
     * The next access: the page index in bits 63..1 and bit 0 set for a write. Each access consumes two
     * {@link #nextLong()} values (page, then write choice).
     */
    public long next() {
        long page;
        if (zipfCdf == null) {
            page = Math.unsignedMultiplyHigh(nextLong(), pages);
        } else {
            double u = (nextLong() >>> 11) * 0x1.0p-53;
            page = search(zipfCdf, u);
        }
        boolean write = Long.remainderUnsigned(nextLong(), 100) < writesPercent;
        return (page << 1) | (write ? 1 : 0);
    }

    /** CDF of Zipf(theta) over ranks 1..pages (rank r has weight r^-theta); page index = rank - 1. */
    private static double[] zipfCdf(long pages, double theta) {
        if (pages > (1 << 26)) throw new IllegalArgumentException("zipf over more than 2^26 pages (256 GiB) is not supported");
        double[] cdf = new double[(int) pages];
        double sum = 0;
        for (int r = 0; r < cdf.length; r++) {
            sum += Math.pow(r + 1, -theta);
            cdf[r] = sum;
        }
        for (int r = 0; r < cdf.length; r++) cdf[r] /= sum;
        cdf[cdf.length - 1] = 1.0;
        return cdf;
    }

    private static long search(double[] cdf, double u) {
        int lo = 0, hi = cdf.length - 1;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (cdf[mid] > u) hi = mid; else lo = mid + 1;
        }
        return lo;
    }
}
