package org.memvirt.workload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class AccessStreamTest {
    private static final Op.Distribution UNIFORM = new Op.Distribution.Uniform();

    private static long[] first(AccessStream stream, int n) {
        long[] accesses = new long[n];
        for (int i = 0; i < n; i++) accesses[i] = stream.next();
        return accesses;
    }

    private static long access(long page, int write) {
        return page << 1 | write;
    }

    @Test
    void splitMix64FromSeedZeroGivesTheReferenceOutputs() {
        AccessStream stream = new AccessStream(1, 0, UNIFORM, 0);
        assertThat(new long[] {stream.nextLong(), stream.nextLong(), stream.nextLong()})
                .containsExactly(0xE220_A839_7B1D_CDAFL, 7960286522194355700L, 487617019471545679L);
    }

    @Test
    void uniformFirstAccessesAreFixedForSeed42() {   // computed independently from SplitMix64's definition
        assertThat(first(new AccessStream(262_144, 30, UNIFORM, 42), 8)).containsExactly(
                access(194396, 0), access(73033, 0), access(9969, 0), access(57253, 1),
                access(89110, 0), access(53713, 0), access(134583, 0), access(174367, 0));
    }

    @Test
    void zipfFirstAccessesAreFixedForSeed7() {
        assertThat(first(new AccessStream(4, 50, new Op.Distribution.Zipf(1.0), 7), 8)).containsExactly(
                access(0, 1), access(3, 1), access(0, 1), access(0, 0), access(0, 1), access(0, 1), access(3, 1), access(2, 0));
    }

    @Test
    void sameSeedSameStreamOtherSeedOtherStream() {
        Op.Distribution zipf = new Op.Distribution.Zipf(0.99);
        assertThat(first(new AccessStream(1 << 20, 50, zipf, 9), 1000)).containsExactly(first(new AccessStream(1 << 20, 50, zipf, 9), 1000));
        assertThat(first(new AccessStream(1 << 20, 50, zipf, 9), 1000)).isNotEqualTo(first(new AccessStream(1 << 20, 50, zipf, 10), 1000));
    }

    @Test
    void uniformHitsEveryPageEvenlyAndWritesAtTheAskedRate() {
        int pages = 100, n = 1_000_000;
        long[] hits = new long[pages];
        long writes = 0;
        AccessStream stream = new AccessStream(pages, 30, UNIFORM, 1);
        for (int i = 0; i < n; i++) {
            long access = stream.next();
            hits[(int) (access >>> 1)]++;
            writes += access & 1;
        }
        // Every bound below is 5 sigma of a binomial count (seeded stream; a correct generator lands outside with
        // probability 6e-7 per bound). A page's hits: sigma = sqrt(n p (1 - p)) = sqrt(1e6 x 0.01 x 0.99) = 99.5.
        for (long h : hits) assertThat(h).isBetween(9_500L, 10_500L);
        // the write fraction: sigma = sqrt(0.3 x 0.7 / 1e6) = 4.58e-4, 5 sigma = 0.0023
        assertThat(writes / (double) n).isCloseTo(0.30, within(0.0023));
    }

    @Test
    void zipfFollowsOneOverRank() {
        int pages = 1000, n = 1_000_000;
        long[] hits = new long[pages];
        AccessStream stream = new AccessStream(pages, 0, new Op.Distribution.Zipf(1.0), 3);
        for (int i = 0; i < n; i++) hits[(int) (stream.next() >>> 1)]++;
        double harmonic = 0;
        for (int r = 1; r <= pages; r++) harmonic += 1.0 / r;
        // Sampling is exact inversion of the CDF, so each bound is 5 sigma of the multinomial counts (n = 1e6):
        // rank 1, p = 1/H_1000 = 0.1336: sigma = sqrt(p (1 - p) / n) = 3.40e-4, 5 sigma = 0.0017
        assertThat(hits[0] / (double) n).isCloseTo(1 / harmonic, within(0.0017));
        // rank 2, p = 0.0668: sigma = 2.50e-4, 5 sigma = 0.00125
        assertThat(hits[1] / (double) n).isCloseTo(1 / (2 * harmonic), within(0.00125));
        // ranks 1 and 10: relative variance of the ratio (1-p1)/(n p1) + (1-p10)/(n p10) + 2/n = 8.23e-5 (the
        // multinomial covariance adds the 2/n), relative sigma 0.907 %, 5 sigma of 10 = 0.454, rounded up to 0.46
        assertThat(hits[0] / (double) hits[9]).isCloseTo(10.0, within(0.46));
        long top10 = 0;
        for (int r = 0; r < 10; r++) top10 += hits[r];
        // p = H_10 / H_1000 = 0.3913: sigma = sqrt(p (1 - p) / n) = 4.88e-4, 5 sigma = 0.0025 (rounded up from 0.00244)
        assertThat(top10 / (double) n).isCloseTo(2.928968 / harmonic, within(0.0025));
    }
}
