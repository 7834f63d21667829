package org.memvirt.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class WalkGridTest {
    @Test
    void coldFourByFourWalkHas24MemoryReferencesThenTheData() {
        WalkGrid g = Samples.coldWalk();
        assertThat(g.count(WalkGrid.Kind.MEMORY)).isEqualTo(24); // (4+1)(4+1)-1, Bhargava et al., ASPLOS 2008
        assertThat(g.count(WalkGrid.Kind.DATA)).isEqualTo(1);
        String svg = g.render();
        List<String> numbers = LineChartTest.all(svg, "font-size=\"17\" font-weight=\"bold\" fill=\"[^\"]*\">([^<]*)<");
        List<String> expected = new ArrayList<>();
        for (int i = 1; i <= 25; i++) expected.add(Integer.toString(i));
        assertThat(numbers).isEqualTo(expected);
        assertThat(LineChartTest.legend(svg)).containsExactly("memory reference (24)", "page-walk cache hit (0)",
                "nested TLB hit (0)", "skipped (0)", "data access (1)");
    }

    @Test
    void headersNameGuestRowsAndNestedColumns() {
        WalkGrid g = new WalkGrid("5x4", 5, 4, List.of(), "");
        assertThat(LineChartTest.all(g.render(), "font-weight=\"bold\" fill=\"#1b1b1b\">([^<]*)<"))
                .containsExactly("5x4", "nL4", "nL3", "nL2", "nL1", "hPA", "gL5", "gL4", "gL3", "gL2", "gL1", "gPA");
    }

    @Test
    void cellsCarryOrderKindAndLabelInTheirHoverText() {
        WalkGrid g = new WalkGrid("w", 4, 4, List.of(
                new WalkGrid.Cell(0, 3, WalkGrid.Kind.NESTED_TLB_HIT, ""),
                new WalkGrid.Cell(0, 0, WalkGrid.Kind.SKIPPED, ""),
                new WalkGrid.Cell(0, 4, WalkGrid.Kind.PWC_HIT, "gPTE 0x1000"),
                new WalkGrid.Cell(4, 4, WalkGrid.Kind.DATA, "data")),
                "GVA 0x1000 → GPA 0x2000 → HPA 0x3000");
        String svg = g.render();
        assertThat(LineChartTest.all(svg, "<g class=\"cell [a-z_]+\"><title>([^<]*)</title>")).containsExactly(
                "#1 nested TLB hit: gL4 × nL1", "skipped: gL4 × nL4", "#2 page-walk cache hit: gL4 × hPA, gPTE 0x1000",
                "#3 data access: gPA × hPA, data");
        assertThat(svg).contains(">GVA 0x1000 → GPA 0x2000 → HPA 0x3000</text>");
    }

    @Test
    void cellsOutsideTheGridOrListedTwiceAreRejected() {
        assertThatThrownBy(() -> new WalkGrid("w", 4, 4, List.of(new WalkGrid.Cell(5, 0, WalkGrid.Kind.MEMORY, "")), ""))
                .hasMessage("cell (5, 0) outside the 5x5 grid");
        WalkGrid.Cell c = new WalkGrid.Cell(1, 1, WalkGrid.Kind.MEMORY, "");
        assertThatThrownBy(() -> new WalkGrid("w", 4, 4, List.of(c, c), "")).hasMessage("cell (1, 1) listed twice");
    }
}
