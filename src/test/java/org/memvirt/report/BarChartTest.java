package org.memvirt.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Test;

class BarChartTest {
    private static BarChart shadowVsEpt(boolean log) {
        return new BarChart("counters", "count", Quantity.COUNT, List.of("exits", "pf_fixed"),
                List.of(new Series("shadow", new double[] {1_000_000, 100}), new Series("ept", new double[] {10, 0})),
                log);
    }

    @Test
    void barsSitSideBySideWithExactHoverText() {
        String svg = shadowVsEpt(false).render();
        assertThat(LineChartTest.all(svg, "<title>([^<]*)</title></rect>"))
                .containsExactly("shadow exits: 1,000,000", "ept exits: 10", "shadow pf_fixed: 100", "ept pf_fixed: 0");
    }

    @Test
    void logScaleTicksAreDecadesAndBarHeightsFollowTheLogarithm() {
        String svg = shadowVsEpt(true).render();
        assertThat(LineChartTest.texts(svg)).containsSubsequence("1", "10", "100", "1k", "10k", "100k", "1M",
                "count (log scale)");
        List<String> heights = LineChartTest.all(svg, "<rect [^>]*height=\"([0-9.]+)\"[^>]*><title>");
        // the plot is 440 - 40 - (int) (24 + 8 * 4.2 + 20) = 323 px high; 10^6 fills it, 10^2 a third, 10^1 a sixth
        assertThat(heights).containsExactly("323", "53.83", "107.67", "0");
    }

    @Test
    void linearScaleStartsAtZero() {
        String svg = new BarChart("b", "bytes", Quantity.BYTES, List.of("a"),
                List.of(new Series("x", new double[] {3L << 30})), false).render();
        assertThat(LineChartTest.texts(svg)).containsSubsequence("0", "1 GiB", "2 GiB", "3 GiB", "bytes", "a");
        assertThat(LineChartTest.legend(svg)).containsExactly("x");
    }

    @Test
    void valuesMustMatchCategories() {
        assertThatThrownBy(() -> new BarChart("b", "y", Quantity.COUNT, List.of("a", "b"),
                List.of(new Series("x", new double[] {1})), false))
                .hasMessage("series 'x' has 1 values for 2 categories");
    }
}
