package org.memvirt.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.memvirt.engine.Counters;
import org.memvirt.engine.EngineKind;
import org.memvirt.engine.RunResult;
import org.memvirt.host.MmuMode;

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
                        + "<th>invlpg</th><th>tlb_flush</th><th>walk_refs</th>"
                        + "<th>other changes</th></tr></thead>",
                "<tr><th>2</th><td>invlpg 0x7f0000000000 x 4096</td><td class=\"num\">12 ms</td>"
                        + "<td class=\"num\">655,361</td><td>–</td><td class=\"num\">4,096</td>"
                        + "<td class=\"num\">4,096</td><td>–</td><td>–</td>"             // not in this op's deltas
                        + "<td>mmu_shadow_zapped +3</td></tr>")
                .doesNotContain("memory layout");
    }

    @Test
    void chartCountersAreTheMainOnesThenTlbAndWalkCounters() {
        Counters c = new Counters(java.util.Map.of("walk_refs", 1L, "mmu_unsync", 2L, "stlb_misses", 3L));
        assertThat(RunReport.chartCounters(List.of(c))).containsExactly("exits", "pf_fixed", "pf_guest", "invlpg",
                "tlb_flush", "walk_refs");
        assertThat(RunReport.chartCounters(List.of(Counters.empty()))).doesNotContain("walk_refs");
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

    private static RunResult run(String engine, String mmu, boolean vpid, Map<String, Long> counters) {
        RunResult.MemoryPicture m = new RunResult.MemoryPicture(1L << 20, 1L << 20, 0, 0, 0, 0, 4096);
        return new RunResult(EngineKind.byKey(engine), "--engine " + engine, MmuMode.valueOf(mmu.toUpperCase()), vpid, m, new Counters(counters), List.of(), List.of());
    }

    private static Map<String, Long> ordered(Object... nameValue) {
        Map<String, Long> m = new LinkedHashMap<>();
        for (int i = 0; i < nameValue.length; i += 2) m.put((String) nameValue[i], ((Number) nameValue[i + 1]).longValue());
        return m;
    }

    private static final RunResult SHADOW = run("sim", "shadow", true, ordered("exits", 4137, "exit_exception", 4127,
            "exit_invlpg", 0, "exit_cr_access", 10, "ept_violations", 0, "ept_misconfigs", 0, "npf", 0,
            "dtlb_hits", 300, "dtlb_misses", 100, "stlb_hits", 75, "stlb_misses", 25));
    private static final RunResult EPT = run("sim", "ept", true, ordered("exits", 4126, "exit_exception", 0,
            "exit_invlpg", 0, "exit_cr_access", 0, "ept_violations", 4126, "ept_misconfigs", 0, "npf", 0,
            "dtlb_hits", 0, "dtlb_misses", 0, "stlb_hits", 1, "stlb_misses", 3));
    private static final RunResult KVM = run("kvm", "ept", true, ordered("exits", 530, "user_exits", 12,
            "io_exits", 11, "mmio_exits", 0, "halt_exits", 1, "pf_taken", 0, "pf_fixed", 4100));

    @Test
    void exitsByReasonAreTheExitCountersThenEptAndNptFaultsThenKvmsExitCounts() {
        List<String> names = List.of("sim shadow vpid", "sim ept vpid", "kvm ept vpid");
        BarChart chart = RunReport.exitChart(names, List.of(SHADOW, EPT, KVM));
        assertThat(chart.title()).isEqualTo("Exits by reason");
        assertThat(chart.categories()).containsExactly("exit_exception", "exit_invlpg", "exit_cr_access",
                "ept_violations", "ept_misconfigs", "npf", "exits", "user_exits", "io_exits", "mmio_exits", "halt_exits",
                "pf_taken");
        assertThat(chart.series()).extracting(Series::name).containsExactlyElementsOf(names);
        assertThat(chart.series().get(0).values()).containsExactly(4127, 0, 10, 0, 0, 0, 4137, 0, 0, 0, 0, 0);
        assertThat(chart.series().get(1).values()).containsExactly(0, 0, 0, 4126, 0, 0, 4126, 0, 0, 0, 0, 0);
        assertThat(chart.series().get(2).values()).containsExactly(0, 0, 0, 0, 0, 0, 530, 12, 11, 0, 1, 0);
        assertThat(chart.log()).isTrue();                          // 4,137 > 1000 x 1 (halt_exits)
        assertThat(RunReport.exitReasons(List.of(KVM))).containsExactly("exits", "user_exits", "io_exits",
                "mmio_exits", "halt_exits", "pf_taken");
        assertThat(RunReport.exitChart(List.of("x"), List.of(run("sim", "ept", true, Map.of("pf_fixed", 1L)))))
                .isNull();
    }

    @Test
    void tlbHitRatesArePercentPerLevelAndSkipRunsWithoutTlbCounters() {
        List<String> names = List.of("sim shadow vpid", "kvm ept vpid", "sim ept vpid");
        BarChart chart = RunReport.tlbChart(names, List.of(SHADOW, KVM, EPT));
        assertThat(chart.title()).isEqualTo("TLB hit rates");
        assertThat(chart.yQuantity()).isEqualTo(Quantity.PERCENT);
        assertThat(chart.log()).isFalse();
        assertThat(chart.categories()).containsExactly("dTLB", "STLB");
        assertThat(chart.series()).extracting(Series::name).containsExactly("sim shadow vpid", "sim ept vpid");
        assertThat(chart.series().get(0).values()).containsExactly(75.0, 75.0);
        assertThat(chart.series().get(1).values()).containsExactly(0.0, 25.0);
        // each run keeps its colour of the other charts, skipped runs included
        assertThat(chart.series()).extracting(Series::color).containsExactly(Palette.series(0), Palette.series(2));
        assertThat(RunReport.tlbChart(List.of("kvm"), List.of(KVM))).isNull();
        assertThat(RunReport.hitRatePercent(1, 2)).isEqualTo(100.0 / 3);
        assertThat(RunReport.hitRatePercent(0, 0)).isZero();
    }

    @Test
    void reportHasBothChartsWithTheirLegendsAndANoteForRunsWithoutTlbCounters() {
        String html = RunReport.render(List.of(SHADOW, EPT, KVM), null);
        HtmlReportTest.assertSelfContained(html);
        assertThat(html).contains("<h2>Exits by reason</h2>", "aria-label=\"Exits by reason\"",
                "<h2>TLB hit rates</h2>", "aria-label=\"TLB hit rates\"",
                "<title>sim shadow vpid exit_exception: 4,127</title>", "<title>sim ept vpid STLB: 25%</title>",
                "<title>sim shadow vpid dTLB: 75%</title>",
                "kvm ept vpid: no TLB hit and miss counters (the kvm engine cannot see the hardware TLB), so no bar.");
        for (String chart : List.of("Exits by reason", "TLB hit rates")) {
            String svg = html.substring(html.indexOf("aria-label=\"" + chart + "\""));
            String legend = svg.substring(svg.indexOf("<g class=\"legend\">"), svg.indexOf("</svg>"));
            assertThat(legend).contains(">sim shadow vpid</text>", ">sim ept vpid</text>");
            assertThat(legend.contains(">kvm ept vpid</text>")).isEqualTo(chart.equals("Exits by reason"));
        }
    }

    @Test
    void noRunsIsAnError() {
        assertThatThrownBy(() -> RunReport.render(List.of(), null)).hasMessage("a run report needs at least one run");
    }

    @Test
    void aRunWithATimelineChartsGuestRamOverTimeWithItsOpsAsMarkers() {
        RunResult.Timeline tl = new RunResult.Timeline(200, List.of(
                new RunResult.Timeline.Sample(0.0, 100L << 20, 100L << 20, 0),
                new RunResult.Timeline.Sample(0.2, 1124L << 20, 1124L << 20, 0),
                new RunResult.Timeline.Sample(0.4, 100L << 20, 100L << 20, 3L << 30)),
                List.of(new RunResult.Timeline.Mark(0.0, "touch 1G"), new RunResult.Timeline.Mark(0.3, "balloon to 3G")));
        RunResult.MemoryPicture m = new RunResult.MemoryPicture(4L << 30, 100L << 20, 0, 0, 0, 3L << 30, 4096);
        RunResult qemu = new RunResult(EngineKind.QEMU, "--engine qemu", "tcg", null, false, 17_000L, m, null, null,
                Counters.empty(), List.of(), List.of(), tl, List.of(), null, null);
        String html = RunReport.render(List.of(qemu, Samples.compare().get(1)), null);
        assertThat(html).contains("<h2>Guest RAM over time: qemu tcg</h2>", "sampled every 200 ms",
                "aria-label=\"qemu tcg: guest RAM\"", "<title>Rss (max 1.1 GiB)</title>", "<title>balloon (max 3 GiB)</title>",
                "<title>balloon to 3G at 300 ms</title>")
                .doesNotContain("Guest RAM over time: sim");
    }
}
