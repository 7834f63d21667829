package org.memvirt.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

class XyChartTest {
    static final double GIB = 1L << 30;

    static String chart(double[] lo, double[] hi) {
        XyChart.Line line = new XyChart.Line("swap plan", new double[] {1, 2, 3}, new double[] {0, 19.7 * GIB, 45.4 * GIB},
                lo, hi, null, XyChart.Style.LINE);
        return new XyChart("peak swap used", "overcommit", List.of(), "peak swap used", Quantity.BYTES, List.of(line)).render();
    }

    /**
     * One host per point: no interval, so the bounds are NaN (what SweepHtml passes); the axis must still reach the
     * values, exactly as without bounds. It did not: Math.max(y, NaN) made the axis 0..1 B and every point sat on top.
     */
    @Test
    void nanBoundsScaleTheAxisAsNoBoundsDo() {
        double[] nan = {Double.NaN, Double.NaN, Double.NaN};
        String none = chart(null, null);
        assertThat(chart(nan, nan)).isEqualTo(none);
        assertThat(none).contains("GiB").doesNotContain("1 KiB");
    }
}
