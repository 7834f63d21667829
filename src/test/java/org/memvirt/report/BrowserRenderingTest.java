package org.memvirt.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import javax.imageio.ImageIO;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.memvirt.Chromium;

/**
 * Renders every chart kind and the run report in headless Chromium, checks the screenshots are real pictures, and
 * checks that no page asked for anything over the network.
 * <p>
 * The network check reads Chromium's NetLog ({@code --log-net-log}). Every URL request Chromium starts is logged as a
 * {@code URL_REQUEST_START_JOB} event; requests made on behalf of a page carry that page's network isolation key
 * ({@code file://} for a report opened from disk), while Chromium's own background traffic (update checks, time
 * queries) carries none. So a report is clean when no start-job event has a {@code file://} isolation key. A control
 * page with an external image and stylesheet proves the check finds such requests. {@code --host-resolver-rules}
 * keeps every lookup local, so nothing leaves the machine either way.
 * <p>
 * Set {@code -Dmemvirt.screenshots=DIR} to keep the pages and PNGs for looking at them.
 */
@Tag("browser")
class BrowserRenderingTest {
    private static final long MIN_PNG_BYTES = 15_000;
    private static final int MIN_COLOURS = 40;

    @TempDir
    Path dir;

    @BeforeEach                                   // per test, so that each counts (and prints) as skipped
    void needsChromium() {
        Chromium.required();
    }

    @Test
    void everyPageRendersToARealPictureWithoutNetworkRequests() throws Exception {
        Path out = outputDir();
        Map<String, String> expectedColour = Map.of("stacked-area", Palette.series(0), "bar", Palette.series(0),
                "walk-grid", WalkGrid.Kind.MEMORY.fill, "scenario", Palette.series(0));
        for (Map.Entry<String, String> page : Samples.pages().entrySet()) {
            Path html = HtmlReport.writeAtomically(out.resolve(page.getKey() + ".html"), page.getValue());
            Rendered r = render(html, out.resolve(page.getKey() + ".png"));
            assertThat(Files.size(r.png())).as(page.getKey() + " PNG size").isGreaterThan(MIN_PNG_BYTES);
            BufferedImage img = ImageIO.read(r.png().toFile());
            assertThat(img.getWidth()).isEqualTo(1280);
            assertThat(img.getHeight()).isEqualTo(900);
            assertThat(distinctColours(img)).as(page.getKey() + " distinct colours").isGreaterThan(MIN_COLOURS);
            String colour = expectedColour.get(page.getKey());
            if (colour != null) {
                assertThat(pixels(img, colour)).as(page.getKey() + " pixels of " + colour).isGreaterThan(500);
            }
            assertThat(r.pageRequests()).as(page.getKey() + " network requests").isEmpty();
        }
    }

    /** The committed example study (examples/sweep-64x16m.yaml, one host per point) as its --report page. */
    @Test
    void theExampleStudysSweepReportRendersWithoutNetworkRequests() throws Exception {
        org.memvirt.sweep.Study study = org.memvirt.sweep.StudyLoader.load(Path.of("examples/sweep-64x16m.yaml"))
                .withHostsPerPoint(1);
        org.memvirt.sweep.SweepResult result = org.memvirt.sweep.Sweep.run(study, org.memvirt.sweep.Sweep.check(study),
                new org.memvirt.sweep.LocalRunner(2), org.memvirt.engine.RunListener.NONE);
        Path html = HtmlReport.writeAtomically(outputDir().resolve("sweep.html"), SweepHtml.build(result).html());
        Rendered r = render(html, outputDir().resolve("sweep.png"));
        BufferedImage img = ImageIO.read(r.png().toFile());
        assertThat(distinctColours(img)).as("sweep distinct colours").isGreaterThan(MIN_COLOURS);
        assertThat(Files.size(r.png())).as("sweep PNG size").isGreaterThan(MIN_PNG_BYTES);
        assertThat(r.pageRequests()).as("sweep network requests").isEmpty();
    }

    @Test
    void theNetworkCheckFindsExternalReferences() throws Exception {
        Path html = dir.resolve("control.html");
        Files.writeString(html, "<!DOCTYPE html><html><head><link rel=\"stylesheet\" href=\"https://cdn.invalid/x.css\">"
                + "</head><body><img src=\"http://img.invalid/x.png\"></body></html>");
        Rendered r = render(html, dir.resolve("control.png"));
        assertThat(r.pageRequests()).containsExactlyInAnyOrder("https://cdn.invalid/x.css", "http://img.invalid/x.png");
    }

    private Path outputDir() throws IOException {
        String keep = System.getProperty("memvirt.screenshots");
        if (keep == null) return dir;
        return Files.createDirectories(Path.of(keep));
    }

    record Rendered(Path png, List<String> pageRequests) {}

    private Rendered render(Path html, Path png) throws Exception {
        Path netlog = dir.resolve(png.getFileName() + ".netlog.json");
        Chromium.screenshot(dir, html, png, 1280, 900, "--log-net-log=" + netlog);
        return new Rendered(png, pageRequests(netlog));
    }

    /** URLs of the requests Chromium started on behalf of a file:// page (see the class comment). */
    static List<String> pageRequests(Path netlog) throws IOException {
        JsonNode root = Json.mapper().readTree(netlog.toFile());
        int startJob = root.path("constants").path("logEventTypes").path("URL_REQUEST_START_JOB").asInt(-1);
        assertThat(startJob).as("URL_REQUEST_START_JOB in the NetLog constants").isNotNegative();
        List<String> urls = new ArrayList<>();
        for (JsonNode e : root.path("events")) {
            if (e.path("type").asInt() != startJob) continue;
            JsonNode params = e.path("params");
            if (params.path("network_isolation_key").asText().startsWith("file://")) {
                urls.add(params.path("url").asText());
            }
        }
        return urls;
    }

    private static int distinctColours(BufferedImage img) {
        Set<Integer> colours = new HashSet<>();
        for (int y = 0; y < img.getHeight(); y += 2) {
            for (int x = 0; x < img.getWidth(); x += 2) colours.add(img.getRGB(x, y) & 0xFFFFFF);
        }
        return colours.size();
    }

    private static int pixels(BufferedImage img, String hex) {
        int rgb = Integer.parseInt(hex.substring(1), 16);
        int n = 0;
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) if ((img.getRGB(x, y) & 0xFFFFFF) == rgb) n++;
        }
        return n;
    }
}
