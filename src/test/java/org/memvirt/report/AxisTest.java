package org.memvirt.report;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class AxisTest {
    private static final double MIB = 1 << 20;
    private static final double GIB = 1 << 30;

    @Test
    void bytesUseBinaryUnitsAndPowerOfTwoSteps() {
        assertThat(Axis.fromZero(Quantity.BYTES, 3.5 * GIB).labels())
                .containsExactly("0", "1 GiB", "2 GiB", "3 GiB", "4 GiB");
        assertThat(Axis.fromZero(Quantity.BYTES, 600 * MIB).labels())
                .containsExactly("0", "128 MiB", "256 MiB", "384 MiB", "512 MiB", "640 MiB");
        assertThat(Axis.fromZero(Quantity.BYTES, 1 * GIB).labels())
                .containsExactly("0", "256 MiB", "512 MiB", "768 MiB", "1 GiB");
        assertThat(Axis.fromZero(Quantity.BYTES, 3000).labels()).containsExactly("0", "1 KiB", "2 KiB", "3 KiB");
        assertThat(Axis.fromZero(Quantity.BYTES, 1.5 * GIB).labels())
                .containsExactly("0", "512 MiB", "1 GiB", "1.5 GiB");
    }

    @Test
    void secondsPickTheirUnit() {
        assertThat(Axis.linear(Quantity.SECONDS, 0, 60).labels()).containsExactly("0", "20 s", "40 s", "60 s");
        assertThat(Axis.linear(Quantity.SECONDS, 0, 2).labels()).containsExactly("0", "0.5 s", "1.0 s", "1.5 s", "2.0 s");
        assertThat(Axis.linear(Quantity.SECONDS, 0, 0.25).labels())
                .containsExactly("0", "50 ms", "100 ms", "150 ms", "200 ms", "250 ms");
        assertThat(Axis.linear(Quantity.SECONDS, 10, 13).ticks()).containsExactly(10, 11, 12, 13);
    }

    @Test
    void logAxisHasOneTickPerDecadeAboveAZeroHalfADecadeBelowOne() {
        Axis a = Axis.log(Quantity.COUNT, 2_500_000);
        assertThat(a.labels()).containsExactly("0", "1", "10", "100", "1k", "10k", "100k", "1M", "10M");
        // 7 decades plus the half decade under 1: 1000 is 3.5 of 7.5 up, a count of 1 half a decade, 0 nothing
        assertThat(a.fraction(1000)).isEqualTo(3.5 / 7.5);
        assertThat(a.fraction(1)).isEqualTo(0.5 / 7.5);
        assertThat(a.fraction(0)).isZero();
    }

    @Test
    void linearFractionIsClamped() {
        Axis a = Axis.linear(Quantity.COUNT, 0, 10);
        assertThat(a.fraction(5)).isEqualTo(0.5);
        assertThat(a.fraction(20)).isEqualTo(1);
        assertThat(a.fraction(-1)).isZero();
    }

    @Test
    void singleValuesAreFormattedWithTheirUnit() {
        assertThat(Quantity.BYTES.format(1.5 * GIB)).isEqualTo("1.5 GiB");
        assertThat(Quantity.BYTES.format(512 * MIB)).isEqualTo("512 MiB");
        assertThat(Quantity.BYTES.format(1020 * MIB)).isEqualTo("1020 MiB");
        assertThat(Quantity.SECONDS.format(0.0123)).isEqualTo("12.3 ms");
        assertThat(Quantity.SECONDS.format(4.5e-6)).isEqualTo("4.5 µs");
        assertThat(Quantity.COUNT.format(4_200_000)).isEqualTo("4.2M");
        assertThat(Quantity.COUNT.format(999)).isEqualTo("999");
        assertThat(Quantity.COUNT.format(0)).isEqualTo("0");
    }
}
