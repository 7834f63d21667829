package org.memvirt.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.memvirt.report.Json;

class SweepCommandTest {
    private static final String STUDY = """
            scenario: sweep-small-host.yaml
            name: tiny
            seed: 5
            hosts: 2
            parameters:
              overcommit: [1.0, 2.0]
              ksm: [on, off]
            mix: {memory: 16M, working_set: {uniform: [0.5, 1.0]}, identical: 0.25, idle: 10s, accesses: 200}
            """;

    static Path study(Path dir, String text) throws Exception {
        Files.copy(Path.of("examples/sweep-small-host.yaml"), dir.resolve("sweep-small-host.yaml"));
        return Files.writeString(dir.resolve("study.yaml"), text);
    }

    @Test
    void jsonHasEveryPointWithItsIntervalsAndEveryHost(@TempDir Path dir) throws Exception {
        Path f = study(dir, STUDY);
        MainTest.CliRun r = MainTest.CliRun.of("sweep", f.toString(), "--json", "--threads", "2");
        assertThat(r.rc()).as(r.err()).isZero();
        JsonNode j = Json.mapper().readTree(r.out());
        assertThat(j.get("study").asText()).isEqualTo("tiny");
        assertThat(j.get("hosts_per_point").asInt()).isEqualTo(2);
        assertThat(j.get("points").size()).isEqualTo(4);
        assertThat(j.get("hosts").size()).isEqualTo(8);
        JsonNode p = j.get("points").get(2);
        assertThat(p.get("label").asText()).isEqualTo("overcommit 2, ksm on");
        assertThat(p.get("vms").asDouble()).isEqualTo(64);
        JsonNode swap = p.get("metrics").get("peak_swap");
        assertThat(swap.get("lo").asDouble()).isLessThanOrEqualTo(swap.get("mean").asDouble());
        assertThat(swap.get("hi").asDouble()).isGreaterThanOrEqualTo(swap.get("mean").asDouble());
        assertThat(j.get("run").get("runner").asText()).isEqualTo("2 local threads");
    }

    @Test
    void textAndHtmlReportWithCharts(@TempDir Path dir) throws Exception {
        Path f = study(dir, STUDY);
        Path html = dir.resolve("out.html");
        MainTest.CliRun r = MainTest.CliRun.of("sweep", f.toString(), "--report", html.toString(), "--hosts", "1");
        assertThat(r.rc()).as(r.err()).isZero();
        assertThat(r.out()).startsWith("sweep tiny: 4 points x 1 host = 4 hosts (seed 5), engine sim")
                .contains("point 4 of 4: overcommit 2, ksm off");
        String page = Files.readString(html);
        assertThat(page).contains("memvirt sweep tiny").contains("Trade-off").contains("<svg");
    }

    @Test
    void aBadStudyIsOneLineAndExit1(@TempDir Path dir) throws Exception {
        Path f = study(dir, "scenario: sweep-small-host.yaml\nmix: {memory: 16M, count: 1}\nmetrics: [peak_swap, speed]\n");
        MainTest.CliRun r = MainTest.CliRun.of("sweep", f.toString());
        assertThat(r.rc()).isEqualTo(1);
        assertThat(r.err()).startsWith("memvirt: " + f + ":3:22: metrics[1]: unknown metric 'speed'").endsWith("\n")
                .hasLineCount(1);
    }

    @Test
    void optionsOfTheOtherRunnerAreRefused(@TempDir Path dir) throws Exception {
        Path f = study(dir, STUDY);
        MainTest.CliRun r = MainTest.CliRun.of("sweep", f.toString(), "--hosts-per-task", "4");
        assertThat(r.rc()).isEqualTo(2);
        assertThat(r.err()).contains("--conf and --hosts-per-task go with --master");
        MainTest.CliRun t = MainTest.CliRun.of("sweep", f.toString(), "--threads", "0");
        assertThat(t.rc()).isEqualTo(2);
        assertThat(t.err()).contains("--threads must be from 1 to 4096, not 0");
    }
}
