package org.memvirt.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class FreeTableTest {
    private static final long KIB = 1024;

    /** qemu-memory.md §7 golden case #42 (procps-ng 4.0.2 on this host). */
    private static final FreeTable CASE_42 = FreeTable.fromMeminfo(24683652 * KIB, 24301560 * KIB, 24322476 * KIB,
            1116 * KIB, 208276 * KIB, 58376 * KIB, 8956 * KIB, 0, 0);

    @Test
    void golden42_freeMebi() {
        assertThat(CASE_42.render(FreeUnit.MEBI)).isEqualTo("""
                               total        used        free      shared  buff/cache   available
                Mem:           24105         352       23731           8         261       23752
                Swap:              0           0           0
                """);
    }

    @Test
    void golden42_freeGibi() {
        assertThat(CASE_42.render(FreeUnit.GIBI)).isEqualTo("""
                               total        used        free      shared  buff/cache   available
                Mem:              23           0          23           0           0          23
                Swap:              0           0           0
                """);
    }

    @Test
    void defaultKibiMatchesFreeOnThisHost() {
        // free (procps-ng 4.0.2) printed these for MemTotal 24683652, MemFree 24351656, MemAvailable 24396424,
        // Buffers+Cached+SReclaimable 266076, Shmem 8956 (kB).
        FreeTable t = FreeTable.fromMeminfo(24683652 * KIB, 24351656 * KIB, 24396424 * KIB, 7508 * KIB,
                242000 * KIB, 16568 * KIB, 8956 * KIB, 0, 0);
        assertThat(t.render(FreeUnit.KIBI)).isEqualTo("""
                               total        used        free      shared  buff/cache   available
                Mem:        24683652      287228    24351656        8956      266076    24396424
                Swap:              0           0           0
                """);
    }

    @Test
    void usedIsTotalMinusAvailable() {
        assertThat(CASE_42.used()).isEqualTo((24683652L - 24322476L) * KIB);
        assertThat(CASE_42.buffCache()).isEqualTo((1116L + 208276L + 58376L) * KIB);
    }

    @Test
    void usedFallsBackToTotalMinusFreeWhenAvailableExceedsTotal() {
        FreeTable t = FreeTable.fromMeminfo(1000, 400, 2000, 0, 0, 0, 0, 0, 0);
        assertThat(t.used()).isEqualTo(600);
    }

    @Test
    void availableZeroCountsAsFree() {
        FreeTable t = FreeTable.fromMeminfo(1000, 400, 0, 0, 0, 0, 0, 0, 0);
        assertThat(t.available()).isEqualTo(400);
        assertThat(t.used()).isEqualTo(600);
    }

    @Test
    void swapUsedIsTotalMinusFree() {
        FreeTable t = FreeTable.fromMeminfo(8L << 30, 1L << 30, 2L << 30, 0, 0, 0, 0, 4L << 30, 3L << 30);
        assertThat(t.render(FreeUnit.GIBI)).endsWith("Swap:              4           1           3\n");
    }

    @Test
    void decimalUnitsTruncate() {
        FreeTable t = new FreeTable(1_999_999, 0, 0, 0, 0, 0, 0, 0, 0);
        assertThat(t.render(FreeUnit.MEGA).lines().skip(1).findFirst()).hasValue(
                "Mem:               1           0           0           0           0           0");
    }

    @Test
    void bytesFromGuestNumbersRenderWithoutMeminfo() {
        FreeTable guest = new FreeTable(2L << 30, 100L << 20, 1900L << 20, 0, 48L << 20, 1948L << 20, 0, 0, 0);
        assertThat(guest.render(FreeUnit.MEBI).lines().skip(1).findFirst()).hasValue(
                "Mem:            2048         100        1900           0          48        1948");
    }

    @Test
    void negativeFieldIsRejected() {
        assertThatThrownBy(() -> new FreeTable(-1, 0, 0, 0, 0, 0, 0, 0, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("total is negative: -1 bytes");
    }
}
