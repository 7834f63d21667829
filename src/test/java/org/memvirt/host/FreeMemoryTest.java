package org.memvirt.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** free's numbers from /proc/meminfo as procps-ng 4 computes them (library/meminfo.c meminfo_read_failed). */
class FreeMemoryTest {
    private static final long KIB = 1024;

    /** free (procps-ng 4.0.2) on a 24 GiB host of this project's kind; report.FreeTableTest renders it. */
    static final FreeMemory CASE_42 = FreeMemory.fromMeminfo(24683652 * KIB, 24301560 * KIB, 24322476 * KIB,
            1116 * KIB, 208276 * KIB, 58376 * KIB, 8956 * KIB, 0, 0);

    @Test
    void usedIsTotalMinusAvailable() {
        assertThat(CASE_42.used()).isEqualTo((24683652L - 24322476L) * KIB);
        assertThat(CASE_42.buffCache()).isEqualTo((1116L + 208276L + 58376L) * KIB);
        assertThat(CASE_42.shared()).isEqualTo(8956L * KIB);
    }

    @Test
    void availableAboveTotalCountsAsFree() {
        FreeMemory f = FreeMemory.fromMeminfo(1000, 400, 2000, 0, 0, 0, 0, 0, 0);
        assertThat(f.available()).isEqualTo(400);
        assertThat(f.used()).isEqualTo(600);
    }

    @Test
    void availableZeroCountsAsFree() {
        FreeMemory f = FreeMemory.fromMeminfo(1000, 400, 0, 0, 0, 0, 0, 0, 0);
        assertThat(f.available()).isEqualTo(400);
        assertThat(f.used()).isEqualTo(600);
    }

    @Test
    void swapUsedIsTotalMinusFree() {
        FreeMemory f = FreeMemory.fromMeminfo(8L << 30, 1L << 30, 2L << 30, 0, 0, 0, 0, 4L << 30, 3L << 30);
        assertThat(f.swapUsed()).isEqualTo(1L << 30);
        assertThat(f.swapFree()).isEqualTo(3L << 30);
    }

    @Test
    void meminfoFreeIsTheSameComputation() {
        MemInfo m = MemInfo.parse("""
                MemTotal:       24683652 kB
                MemFree:        24301560 kB
                MemAvailable:   24322476 kB
                Buffers:            1116 kB
                Cached:           208276 kB
                SwapTotal:             0 kB
                SwapFree:              0 kB
                Shmem:              8956 kB
                SReclaimable:      58376 kB
                """);
        assertThat(m.free()).isEqualTo(CASE_42);
    }

    @Test
    void aModelledHostHasNoCacheAndNoSwap() {
        assertThat(FreeMemory.ofUsed(1000, 300)).isEqualTo(new FreeMemory(1000, 300, 700, 0, 0, 700, 0, 0, 0));
    }

    @Test
    void moreUsedComesFromFreeAndAvailable() {
        FreeMemory f = new FreeMemory(1000, 200, 500, 10, 300, 750, 64, 16, 48);
        assertThat(f.withMoreUsed(100)).isEqualTo(new FreeMemory(1000, 300, 400, 10, 300, 650, 64, 16, 48));
        assertThat(f.withMoreUsed(800)).isEqualTo(new FreeMemory(1000, 700, 0, 10, 300, 250, 64, 16, 48));
    }

    @Test
    void negativeFieldIsRejected() {
        assertThatThrownBy(() -> new FreeMemory(-1, 0, 0, 0, 0, 0, 0, 0, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("total is negative: -1 bytes");
    }
}
