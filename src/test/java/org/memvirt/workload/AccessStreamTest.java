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
        for (long h : hits) assertThat(h).isBetween(9_500L, 10_500L);     // 10,000 ± 5 sigma
        assertThat(writes / (double) n).isCloseTo(0.30, within(0.005));
    }

    @Test
    void zipfFollowsOneOverRank() {
        int pages = 1000, n = 1_000_000;
        long[] hits = new long[pages];
        AccessStream stream = new AccessStream(pages, 0, new Op.Distribution.Zipf(1.0), 3);
        for (int i = 0; i < n; i++) hits[(int) (stream.next() >>> 1)]++;
        double harmonic = 0;
        for (int r = 1; r <= pages; r++) harmonic += 1.0 / r;
        assertThat(hits[0] / (double) n).isCloseTo(1 / harmonic, within(0.003));          // 0.1336
        assertThat(hits[1] / (double) n).isCloseTo(1 / (2 * harmonic), within(0.002));
        assertThat(hits[0] / (double) hits[9]).isCloseTo(10.0, within(0.5));
        long top10 = 0;
        for (int r = 0; r < 10; r++) top10 += hits[r];
        assertThat(top10 / (double) n).isCloseTo(2.928968 / harmonic, within(0.005));   // H_10 / H_1000
    }
}
