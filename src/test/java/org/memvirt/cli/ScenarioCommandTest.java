package org.memvirt.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.memvirt.report.Json;

class ScenarioCommandTest {
    private static final String SMALL = """
            duration: 5s
            host: {ram: 1G, reserve: 256M, swap: 256M}
            vms:
              - {name: a, memory: 512M, workload: ["touch 400M", "verify"]}
              - {name: b, memory: 512M, start: 1s, workload: ["touch 400M"]}
            """;

    @Test
    void jsonReportsVmsHostAndEvents(@TempDir Path dir) throws Exception {
        Path f = Files.writeString(dir.resolve("small.yaml"), SMALL);
        MainTest.CliRun r = MainTest.CliRun.of("scenario", f.toString(), "--json", "--engine", "sim");
        assertThat(r.rc()).isZero();
        JsonNode j = Json.mapper().readTree(r.out());
        assertThat(j.get("scenario").asText()).isEqualTo("small");
        assertThat(j.get("engine").asText()).isEqualTo("sim");
        assertThat(j.get("vms").size()).isEqualTo(2);
        assertThat(j.get("host").get("ram_bytes").asLong()).isEqualTo(1L << 30);
        assertThat(j.get("host").get("peak_swap_used_bytes").asLong()).isPositive();   // 804 MiB of guests on 768 MiB
        assertThat(j.get("events").size()).isPositive();
    }

    @Test
    void textAndHtmlReport(@TempDir Path dir) throws Exception {
        Path f = Files.writeString(dir.resolve("small.yaml"), SMALL);
        Path html = dir.resolve("out.html");
        MainTest.CliRun r = MainTest.CliRun.of("scenario", f.toString(), "--report", html.toString());
        assertThat(r.rc()).isZero();
        assertThat(r.out()).contains("host (free -m, at the end):").contains("               total        used        free");
        assertThat(Files.readString(html)).contains("<svg").contains("memvirt scenario small");
    }

    @Test
    void badFieldIsOneLineNamingTheField(@TempDir Path dir) throws Exception {
        Path f = Files.writeString(dir.resolve("bad.yaml"), "host: {ram: 1G}\nvms: [{memory: 1G, count: 0}]\n");
        MainTest.CliRun r = MainTest.CliRun.of("scenario", f.toString());
        assertThat(r.rc()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("memvirt: vms[0].count: 0 is out of range [1, 4096]\n");
    }

    @Test
    void kvmEngineIsRefusedWithAReason(@TempDir Path dir) throws Exception {
        Path f = Files.writeString(dir.resolve("small.yaml"), SMALL);
        MainTest.CliRun r = MainTest.CliRun.of("scenario", f.toString(), "--engine", "kvm");
        assertThat(r.rc()).isEqualTo(1);
        assertThat(r.err()).startsWith("memvirt: --engine kvm: multi-VM scenarios are not available");
    }
}
