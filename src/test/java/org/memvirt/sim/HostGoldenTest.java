package org.memvirt.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.memvirt.engine.HostResult;
import org.memvirt.engine.HostSpec;
import org.memvirt.engine.RunListener;
import org.memvirt.report.Json;
import org.memvirt.scenario.ScenarioLoader;

/**
 * The host model gives the same results, bit for bit, as the model these outputs were recorded from (commit 8116f3a,
 * before the host model was packed for host-scale scenarios): the whole JSON report of every example scenario, and
 * digests of the JSON reports of {@link RandomHosts#host random hosts} and of {@link RandomHosts#script host-model
 * scripts}. Only what measures this machine (wall and CPU seconds, model bytes per page) is left out.
 *
 * <p>To record again after an intended change of results: {@code -Dmemvirt.golden.record=true}, then review the diff.
 */
class HostGoldenTest {
    static final Path DIR = Path.of("src/test/resources/golden");
    static final boolean RECORD = Boolean.getBoolean("memvirt.golden.record");
    static final int HOSTS = 160;
    static final int SCRIPTS = 60;

    /**
     * Host-scale examples, too big for the suite (minutes of CPU, gigabytes of heap): they have no recorded report,
     * docs/PERFORMANCE.md gives the command that runs them.
     */
    static final java.util.Set<String> HOST_SCALE = java.util.Set.of("host-1t-256x4g.yaml");

    /** A sweep's study file (memvirt sweep), not a scenario: it names its base scenario at the top level. */
    private static boolean isStudy(Path file) {
        try {
            return Files.readAllLines(file).stream().anyMatch(l -> l.startsWith("scenario:"));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static Stream<String> examples() throws IOException {
        try (Stream<Path> files = Files.list(Path.of("examples"))) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".yaml") && !HOST_SCALE.contains(n)
                            && !isStudy(Path.of("examples", n)))
                    .sorted().toList().stream();
        }
    }

    /** The report as JSON, without what depends on the machine it ran on. */
    static String canonicalJson(HostResult r) {
        return Json.write(new HostResult(r.scenario(), r.engine(), r.engineReason(), r.virtualSeconds(), 0, 0, 0, r.host(),
                r.vms(), r.events(), r.timeline(), r.notes())) + "\n";
    }

    static HostResult run(HostSpec spec) {
        return new SimEngine().run(spec, RunListener.NONE);
    }

    @ParameterizedTest
    @MethodSource("examples")
    void everyExampleScenarioGivesTheRecordedReport(String example) throws IOException {
        String json = canonicalJson(run(ScenarioLoader.load(Path.of("examples", example))));
        Path golden = DIR.resolve("examples").resolve(example.replace(".yaml", ".json.gz"));
        if (RECORD) {
            Files.createDirectories(golden.getParent());
            try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(golden))) {
                out.write(json.getBytes(StandardCharsets.UTF_8));
            }
            return;
        }
        assertThat(json).isEqualTo(gunzip(golden));
    }

    @Test
    void randomHostsGiveTheRecordedReports() throws IOException {
        List<String> lines = new ArrayList<>();
        for (int seed = 0; seed < HOSTS; seed++) {
            HostResult r = run(RandomHosts.host(seed));
            HostResult.Summary s = r.summary();
            lines.add(seed + " " + sha256(canonicalJson(r)) + " killed=" + s.oomKills() + " swap_ins=" + s.swapIns()
                    + " sharing=" + s.ksmPagesSharing() + " t=" + r.virtualSeconds());
        }
        compare(DIR.resolve("random-hosts.txt"), lines);
    }

    @Test
    void randomHostModelScriptsGiveTheRecordedTraces() throws IOException {
        List<String> lines = new ArrayList<>();
        for (int seed = 0; seed < SCRIPTS; seed++) lines.add(seed + " " + sha256(RandomHosts.script(seed)));
        compare(DIR.resolve("host-model-scripts.txt"), lines);
    }

    private static void compare(Path golden, List<String> lines) throws IOException {
        if (RECORD) {
            Files.createDirectories(golden.getParent());
            Files.write(golden, lines);
            return;
        }
        assertThat(lines).containsExactlyElementsOf(Files.readAllLines(golden));
    }

    private static String gunzip(Path file) throws IOException {
        try (InputStream in = new GZIPInputStream(Files.newInputStream(file))) {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            in.transferTo(b);
            return b.toString(StandardCharsets.UTF_8);
        }
    }

    static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
