package org.memvirt.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.memvirt.engine.Counters;
import org.memvirt.engine.RunResult;

class RunReportTest {
    @Test
    void compareReportShowsRunsSideBySide() {
        String html = RunReport.render(Samples.compare(), Samples.q35TwoGiB());
        HtmlReportTest.assertSelfContained(html);
        assertThat(html).contains("<title>memvirt compare: sim shadow vs sim ept</title>",
                "<thead><tr><th>counter</th><th>sim shadow</th><th>sim ept</th></tr></thead>",
                "<tr><th>exits</th><td class=\"num\">1,310,722</td><td class=\"num\">262,150</td></tr>",
                "<tr><th>mmu_shadow_zapped</th><td class=\"num\">37</td><td class=\"num\">0</td></tr>",
                "<tr><th>walk_refs</th><td class=\"num\">6,291,456</td><td class=\"num\">6,291,456</td></tr>",
                "<tr><th>ram size</th><td class=\"num\">2 GiB (2,147,483,648 B)</td></tr>",
                "<tr><th>0xfeffc000</th><td>0xfeffffff</td><td>reserved</td><td class=\"num\">16 KiB (16,384 B)</td></tr>",
                "<h2>Per op: sim shadow</h2>", "<h2>Per op: sim ept</h2>",
                "<title>sim ept exits: 262,150</title>");
    }

    @Test
    void perOpTableHasTimeMainCountersAndOtherChanges() {
        String html = RunReport.render(List.of(Samples.compare().get(0)), null);
        assertThat(html).contains("<title>memvirt run: sim shadow</title>",
                "<thead><tr><th>#</th><th>op</th><th>time</th><th>exits</th><th>pf_fixed</th><th>pf_guest</th>"
                        + "<th>invlpg</th><th>tlb_flush</th><th>tlb_miss</th><th>walk_refs</th>"
                        + "<th>other changes</th></tr></thead>",
                "<tr><th>2</th><td>invlpg 0x7f0000000000 x 4096</td><td class=\"num\">12 ms</td>"
                        + "<td class=\"num\">655,361</td><td class=\"num\">0</td><td class=\"num\">4,096</td>"
                        + "<td class=\"num\">4,096</td><td class=\"num\">0</td><td class=\"num\">0</td>"
                        + "<td class=\"num\">0</td><td>mmu_shadow_zapped +3</td></tr>")
                .doesNotContain("memory layout");
    }

    @Test
    void chartCountersAreTheMainOnesThenTlbAndWalkCounters() {
        Counters c = new Counters(java.util.Map.of("walk_refs", 1L, "mmu_unsync", 2L, "tlb_miss", 3L));
        assertThat(RunReport.chartCounters(List.of(c))).containsExactlyInAnyOrder("exits", "pf_fixed", "pf_guest",
                "invlpg", "tlb_flush", "walk_refs", "tlb_miss").startsWith("exits", "pf_fixed", "pf_guest", "invlpg",
                "tlb_flush");
    }

    @Test
    void barChartTurnsLogarithmicWhenCountersSpanManyDecades() {
        Counters wide = new Counters(java.util.Map.of("exits", 5_000_000L, "invlpg", 3L));
        Counters narrow = new Counters(java.util.Map.of("exits", 500L, "invlpg", 3L));
        List<String> names = RunReport.chartCounters(List.of(wide));
        assertThat(RunReport.counterChart(List.of("a"), List.of(wide), names)).contains("count (log scale)");
        assertThat(RunReport.counterChart(List.of("a"), List.of(narrow), names)).doesNotContain("log scale");
    }

    @Test
    void repeatedRunNamesAreNumbered() {
        RunResult r = Samples.compare().get(1);
        assertThat(RunReport.runNames(List.of(r, r, r))).containsExactly("sim ept", "sim ept #2", "sim ept #3");
    }

    @Test
    void layoutWithHotplugShowsHighRamAndDeviceMemory() {
        String html = RunReport.render(List.of(Samples.compare().get(1)), Samples.pcHotplug());
        assertThat(html).contains("<tr><th>above 4G starts at</th><td>0x100000000</td></tr>",
                "<tr><th>device memory</th><td>0x140000000 + 5 GiB (5,368,709,120 B)</td></tr>",
                "<tr><th>slots</th><td class=\"num\">4</td></tr>");
    }

    @Test
    void noRunsIsAnError() {
        assertThatThrownBy(() -> RunReport.render(List.of(), null)).hasMessage("a run report needs at least one run");
    }
}
