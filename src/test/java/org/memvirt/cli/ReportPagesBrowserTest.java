package org.memvirt.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.memvirt.Chromium;
import org.memvirt.report.Json;

/**
 * The five reports a user gets (demo, run, run --compare, scenario, translate), made by the commands themselves and
 * rendered in headless Chromium. Each is measured in the browser by a script added to a copy of the page (the
 * reports themselves carry none): no two event-label boxes of a chart overlap, every VM the OOM killer killed has a
 * full-size chart, the scenario's summary line opens its page. The screenshots are kept in
 * {@code target/screenshots/} for a person to look at.
 */
@Tag("browser")
class ReportPagesBrowserTest {
    static final Path OUT = Path.of("target", "screenshots");
    /** A full per-VM chart is wider than a small one (ScenarioHtml.SMALL_WIDTH, 340 px). */
    static final double FULL_CHART_WIDTH = 600;

    /** Measures the page in the browser and leaves the result as JSON in {@code <pre id="memvirt-check">}. */
    static final String MEASURE = """
            <script>
            (function () {
              var out = {lead: null, charts: [], labels: 0, overlaps: []};
              var lead = document.querySelector('p.lead');
              if (lead) out.lead = lead.textContent;
              document.querySelectorAll('svg.chart').forEach(function (svg) {
                var r = svg.getBoundingClientRect(), name = svg.getAttribute('aria-label');
                out.charts.push({name: name, width: r.width, height: r.height});
                var boxes = [];
                svg.querySelectorAll('g.marker-label text').forEach(function (t) {
                  var b = t.getBoundingClientRect();
                  boxes.push({text: t.textContent, l: b.left, r: b.right, t: b.top, b: b.bottom});
                });
                out.labels += boxes.length;
                for (var i = 0; i < boxes.length; i++) for (var j = i + 1; j < boxes.length; j++) {
                  var a = boxes[i], c = boxes[j];
                  if (a.l < c.r && c.l < a.r && a.t < c.b && c.t < a.b) out.overlaps.push(name + ': ' + a.text + ' / ' + c.text);
                }
              });
              var pre = document.createElement('pre');
              pre.id = 'memvirt-check';
              pre.textContent = JSON.stringify(out);
              document.body.appendChild(pre);
            })();
            </script>
            """;

    record Measured(String lead, List<JsonNode> charts, int labels, List<String> overlaps) {}

    @Test
    void theFiveReportsHaveDistinctLabelsEveryKilledVmChartedAndASummaryLine(@TempDir Path work) throws Exception {
        Chromium.required();
        Files.createDirectories(OUT);
        Map<String, String[]> commands = new LinkedHashMap<>();
        commands.put("scenario", new String[] {"scenario", "examples/demo-overcommit.yaml", "--engine", "sim", "--json"});
        commands.put("demo", new String[] {"demo", "--json"});
        commands.put("run", new String[] {"run", "-m", "1G", "--engine", "sim", "--workload", "touch 256M; switch 100"});
        commands.put("run-compare", new String[] {"run", "-m", "1G", "--engine", "sim", "--mmu", "shadow", "--workload",
                "touch 256M; switch 100; unmap 16M", "--compare", "--mmu ept"});
        commands.put("translate", new String[] {"translate", "--gva", "0x7f1234567000", "--warm", "4"});
        Map<String, Measured> pages = new LinkedHashMap<>();
        Map<String, JsonNode> json = new LinkedHashMap<>();
        for (Map.Entry<String, String[]> c : commands.entrySet()) {
            Path html = OUT.resolve(c.getKey() + ".html").toAbsolutePath();
            List<String> args = new ArrayList<>(List.of(c.getValue()));
            args.addAll(List.of("--report", html.toString()));
            MainTest.CliRun r = MainTest.CliRun.of(args.toArray(String[]::new));
            assertThat(r.rc()).as(c.getKey() + ": " + r.err()).isZero();
            if (args.contains("--json")) json.put(c.getKey(), Json.mapper().readTree(r.out()));
            Chromium.screenshot(work, html, OUT.resolve(c.getKey() + ".png"), 1280, 4000);
            pages.put(c.getKey(), measure(work, html));
        }
        for (Map.Entry<String, Measured> p : pages.entrySet()) {
            Measured m = p.getValue();
            assertThat(m.charts()).as(p.getKey() + " charts").isNotEmpty();
            for (JsonNode chart : m.charts()) {
                assertThat(chart.get("width").asDouble()).as(p.getKey() + " " + chart.get("name")).isPositive();
            }
            assertThat(m.overlaps()).as(p.getKey() + " overlapping event labels").isEmpty();
        }
        JsonNode summary = json.get("scenario").get("summary");
        for (String page : List.of("scenario", "demo")) {
            Measured m = pages.get(page);
            assertThat(m.labels()).as(page + " event labels").isGreaterThanOrEqualTo(3);   // swap full, OOM kills
            assertThat(m.lead()).as(page + " summary line").startsWith(summary.get("oom_kills").asInt() + " of "
                    + summary.get("vms").asInt() + " VMs killed by the host OOM killer: ").contains("; KSM saved ");
            List<String> fullCharts = new ArrayList<>();
            for (JsonNode chart : m.charts()) {
                if (chart.get("width").asDouble() >= FULL_CHART_WIDTH) fullCharts.add(chart.get("name").asText());
            }
            List<String> killed = new ArrayList<>();
            for (JsonNode k : (page.equals("demo") ? json.get("demo").at("/scenario/killed") : summary.get("killed"))) {
                killed.add(k.asText());
            }
            assertThat(killed).as(page + " killed VMs").hasSize(3);
            for (String vm : killed) {
                assertThat(fullCharts).as(page + ": a full chart of " + vm).anyMatch(n -> n.startsWith(vm + " ("));
            }
        }
    }

    /** The page with {@link #MEASURE} added, loaded in Chromium, and what the script found. */
    private static Measured measure(Path work, Path html) throws Exception {
        Path copy = work.resolve(html.getFileName());
        Files.writeString(copy, Files.readString(html).replace("</body>", MEASURE + "</body>"));
        String dom = Chromium.dumpDom(work, copy, 1280, 4000);
        int start = dom.indexOf("<pre id=\"memvirt-check\">");
        assertThat(start).as("the measuring script ran in " + html).isNotNegative();
        String text = dom.substring(start + "<pre id=\"memvirt-check\">".length(), dom.indexOf("</pre>", start))
                .replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&");
        JsonNode j = Json.mapper().readTree(text);
        List<JsonNode> charts = new ArrayList<>();
        j.get("charts").forEach(charts::add);
        List<String> overlaps = new ArrayList<>();
        j.get("overlaps").forEach(o -> overlaps.add(o.asText()));
        return new Measured(j.get("lead").isNull() ? null : j.get("lead").asText(), charts, j.get("labels").asInt(),
                overlaps);
    }
}
