package org.memvirt.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.List;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Scale;

class AxisProperties {
    /**
     * Axis.linear's step is the nice step at or above span / 5 (Quantity.niceStep: 1, 2, 5 or 10 per decade, or the
     * next power of two for bytes), so at most span / step + 1 = 6 multiples of it fit in the span; and it is below
     * span / 2 (nice / raw < 2.5), so at least 2 do.
     */
    private static final int MAX_TICKS = 6;

    @Property(tries = 300)
    void valueAxesStartAtZeroCoverTheMaximumWithFewDistinctLabels(@ForAll Quantity q,
            @ForAll @LongRange(min = 1, max = 1L << 45) long max) {
        Axis a = Axis.fromZero(q, max);
        assertThat(a.ticks()[0]).isZero();
        assertThat(a.hi()).isGreaterThanOrEqualTo(max);
        assertThat(a.ticks()[a.ticks().length - 1]).isEqualTo(a.hi());
        assertThat(a.ticks().length).isBetween(2, MAX_TICKS);
        assertThat(new HashSet<>(List.of(a.labels()))).hasSameSizeAs(a.labels());
    }

    @Property(tries = 300)
    void timeAxisTicksStayInsideTheRangeInOrder(@ForAll @DoubleRange(min = 0, max = 1e4) double start,
            @ForAll @DoubleRange(min = 1e-7, max = 1e4) @Scale(9) double span) {
        Axis a = Axis.linear(Quantity.SECONDS, start, start + span);
        assertThat(a.ticks().length).isBetween(2, MAX_TICKS);
        for (int i = 0; i < a.ticks().length; i++) {
            assertThat(a.fraction(a.ticks()[i])).isBetween(0.0, 1.0);
            if (i > 0) assertThat(a.ticks()[i]).isGreaterThan(a.ticks()[i - 1]);
        }
        assertThat(new HashSet<>(List.of(a.labels()))).hasSameSizeAs(a.labels());
    }
}
