package org.memvirt.report;

import static org.assertj.core.api.Assertions.assertThat;

import org.memvirt.host.FreeMemory;
import org.junit.jupiter.api.Test;

class FreeTableTest {
    private static final long KIB = 1024;

    /** free (procps-ng 4.0.2) printed this on a 24 GiB host of this project's kind. */
    private static final FreeMemory CASE_42 = FreeMemory.fromMeminfo(24683652 * KIB, 24301560 * KIB, 24322476 * KIB,
            1116 * KIB, 208276 * KIB, 58376 * KIB, 8956 * KIB, 0, 0);

    @Test
    void golden42_freeMebi() {
        assertThat(FreeTable.render(CASE_42, FreeUnit.MEBI)).isEqualTo("""
                               total        used        free      shared  buff/cache   available
                Mem:           24105         352       23731           8         261       23752
                Swap:              0           0           0
                """);
    }

    @Test
    void golden42_freeGibi() {
        assertThat(FreeTable.render(CASE_42, FreeUnit.GIBI)).isEqualTo("""
                               total        used        free      shared  buff/cache   available
                Mem:              23           0          23           0           0          23
                Swap:              0           0           0
                """);
    }

    @Test
    void defaultKibiMatchesFreeOnThisHost() {
        // free (procps-ng 4.0.2) printed these for MemTotal 24683652, MemFree 24351656, MemAvailable 24396424,
        // Buffers+Cached+SReclaimable 266076, Shmem 8956 (kB).
        FreeMemory t = FreeMemory.fromMeminfo(24683652 * KIB, 24351656 * KIB, 24396424 * KIB, 7508 * KIB,
                242000 * KIB, 16568 * KIB, 8956 * KIB, 0, 0);
        assertThat(FreeTable.render(t, FreeUnit.KIBI)).isEqualTo("""
                               total        used        free      shared  buff/cache   available
                Mem:        24683652      287228    24351656        8956      266076    24396424
                Swap:              0           0           0
                """);
    }

    @Test
    void swapRowIsTotalUsedFree() {
        FreeMemory t = FreeMemory.fromMeminfo(8L << 30, 1L << 30, 2L << 30, 0, 0, 0, 0, 4L << 30, 3L << 30);
        assertThat(FreeTable.render(t, FreeUnit.GIBI)).endsWith("Swap:              4           1           3\n");
    }

    @Test
    void decimalUnitsTruncate() {
        FreeMemory t = new FreeMemory(1_999_999, 0, 0, 0, 0, 0, 0, 0, 0);
        assertThat(FreeTable.render(t, FreeUnit.MEGA).lines().skip(1).findFirst()).hasValue(
                "Mem:               1           0           0           0           0           0");
    }

    @Test
    void bytesFromGuestNumbersRenderWithoutMeminfo() {
        FreeMemory guest = new FreeMemory(2L << 30, 100L << 20, 1900L << 20, 0, 48L << 20, 1948L << 20, 0, 0, 0);
        assertThat(FreeTable.render(guest, FreeUnit.MEBI).lines().skip(1).findFirst()).hasValue(
                "Mem:            2048         100        1900           0          48        1948");
    }
}
