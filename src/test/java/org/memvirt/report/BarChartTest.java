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
        assertThat(LineChartTest.texts(svg)).containsSubsequence("0", "1", "10", "100", "1k", "10k", "100k", "1M",
                "count (log scale)");
        List<String> heights = LineChartTest.all(svg, "<rect [^>]*height=\"([0-9.]+)\"[^>]*><title>");
        // the plot is 440 - 40 - (int) (24 + 8 * 4.2 + 20) = 323 px high and spans 6.5 decades (0 sits half a
        // decade below 1): 10^6 fills it, 10^2 is 2.5 / 6.5 of it, 10^1 1.5 / 6.5, and 0 draws nothing
        assertThat(heights).containsExactly("323", "74.54", "124.23", "0");
    }

    @Test
    void aCountOfOneHasAVisibleBarOnALogScale() {
        String svg = new BarChart("b", "count", Quantity.COUNT, List.of("exits", "halt_exits"),
                List.of(new Series("kvm", new double[] {1_000_000, 1})), true).render();
        List<String> heights = LineChartTest.all(svg, "<rect [^>]*height=\"([0-9.]+)\"[^>]*><title>");
        // plot 440 - 40 - (int) (24 + 10 * 4.2 + 20) = 314 px over 6.5 decades: 1 is half a decade, 314 / 13
        assertThat(heights).containsExactly("314", "24.15");
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
