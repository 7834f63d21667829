package org.memvirt.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.memvirt.engine.Counters;

import org.memvirt.host.FreeMemory;

class HtmlReportTest {
    @TempDir
    Path dir;

    /** The report must not reference anything outside itself: the SVG namespace is the only URL-like text. */
    static void assertSelfContained(String html) {
        String rest = html.replace("xmlns=\"" + Svg.XMLNS + "\"", "");
        assertThat(rest).doesNotContain("http:", "https:", "//", "url(", "@import", "<script", "src=", "href=");
    }

    @Test
    void everySamplePageIsSelfContained() {
        Samples.pages().forEach((name, html) -> assertSelfContained(html));
    }

    @Test
    void userTextCannotIntroduceAUrl() {
        String html = new HtmlReport("see https://example.org").section("file://x")
                .paragraph("<a href=\"http://x\">").keyValues("", Map.of("path", "//host/share")).html();
        // the words stay readable, but nothing is a reference any more: no "//", no real attribute, no element
        assertThat(html.replace("xmlns=\"" + Svg.XMLNS + "\"", "")).doesNotContain("//", "href=\"", "<a ");
        assertThat(html).contains("<h1>see https:/&#47;example.org</h1>", "&lt;a href=&quot;http:/&#47;x&quot;&gt;");
    }

    @Test
    void documentHasTitleSectionsTablesAndPrintStyles() {
        Map<String, String> kv = new LinkedHashMap<>();
        kv.put("machine", "q35");
        kv.put("ram size", "2 GiB");
        String html = new HtmlReport("run").section("Configuration").keyValues("layout", kv)
                .section("Counters").counters("totals", List.of("shadow", "ept"),
                        List.of(new Counters(Map.of("exits", 1234567L)), new Counters(Map.of("pf_fixed", 7L))))
                .html();
        assertThat(html).startsWith("<!DOCTYPE html>\n<html lang=\"en\">").endsWith("</body>\n</html>\n")
                .contains("<title>run</title>", "@media print", "<h2>Configuration</h2>",
                        "<tr><th>machine</th><td>q35</td></tr>", "<tr><th>ram size</th><td class=\"num\">2 GiB</td></tr>",
                        "<thead><tr><th>counter</th><th>shadow</th><th>ept</th></tr></thead>",
                        "<tr><th>exits</th><td class=\"num\">1,234,567</td><td>–</td></tr>",   // not reported: no 0
                        "<tr><th>pf_fixed</th><td>–</td><td class=\"num\">7</td></tr>");
        assertThat(html.split("<section>", -1)).hasSize(3);
        assertThat(html.split("</section>", -1)).hasSize(3);
    }

    @Test
    void freeBlockIsTheFreeTableVerbatim() {
        FreeMemory t = Samples.free();
        String html = new HtmlReport("f").free("host", t, FreeUnit.MEBI).html();
        assertThat(html).contains("<pre>" + FreeTable.render(t, FreeUnit.MEBI) + "</pre>");
    }

    @Test
    void chartIsInlinedInAFigure() {
        String svg = Samples.faultRates().render();
        assertThat(new HtmlReport("c").chart("rates", svg).html())
                .contains("<figure>\n" + svg + "\n<figcaption>rates</figcaption>\n</figure>");
    }

    @Test
    void writeReplacesTheFileAtomicallyAndLeavesNoTemporaryFile() throws IOException {
        Path file = dir.resolve("report.html");
        Files.writeString(file, "old");
        Path written = new HtmlReport("new").write(file);
        assertThat(written).isEqualTo(file.toAbsolutePath());
        assertThat(Files.readString(file)).contains("<title>new</title>");
        assertThat(listing()).containsExactly("report.html");
    }

    @Test
    void aFailedWriteLeavesNothingBehind() throws IOException {
        Path target = Files.createDirectories(dir.resolve("busy"));
        Files.writeString(target.resolve("inside"), "x");   // a non-empty directory cannot be replaced
        assertThatThrownBy(() -> new HtmlReport("x").write(target)).isInstanceOf(ReportException.class)
                .hasMessageStartingWith("cannot write report " + target + ": ");
        assertThat(listing()).containsExactly("busy");
        assertThatThrownBy(() -> new HtmlReport("x").write(dir.resolve("missing/r.html")))
                .isInstanceOf(ReportException.class);
    }

    private List<String> listing() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
