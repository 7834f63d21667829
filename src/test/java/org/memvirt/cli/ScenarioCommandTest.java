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
        assertThat(r.err()).isEqualTo("memvirt: " + f + ":2:27: vms[0].count: 0 is out of range [1, 4096]\n");
    }

    @Test
    void kvmEngineIsRefusedWhereKvmIsNotUsable(@TempDir Path dir) throws Exception {
        Path f = Files.writeString(dir.resolve("small.yaml"), SMALL);
        MainTest.CliRun r = MainTest.CliRun.with(java.util.Map.of("MEMVIRT_KVM", "off"), "scenario", f.toString(),
                "--engine", "kvm");
        assertThat(r.rc()).isEqualTo(3);
        assertThat(r.err()).isEqualTo("memvirt: --engine kvm: /dev/kvm does not exist (MEMVIRT_KVM=off)\n");
    }

    @Test
    void kvmEngineRefusesWhatOnlyTheSimModelsNamingTheField(@TempDir Path dir) throws Exception {
        org.memvirt.Skip.unlessKvm();
        Path f = Files.writeString(dir.resolve("small.yaml"), SMALL);
        MainTest.CliRun r = MainTest.CliRun.of("scenario", f.toString(), "--engine", "kvm");
        assertThat(r.rc()).isEqualTo(1);
        assertThat(r.err()).startsWith("memvirt: vms[b].start: staggered starts are sim-only");
    }

    @Test
    void autoFallsBackToTheSimSayingWhy(@TempDir Path dir) throws Exception {
        Path f = Files.writeString(dir.resolve("small.yaml"), SMALL);
        MainTest.CliRun r = MainTest.CliRun.with(java.util.Map.of("MEMVIRT_KVM", "off"), "scenario", f.toString(),
                "--json");
        JsonNode j = Json.mapper().readTree(r.out());
        assertThat(j.get("engine").asText()).isEqualTo("sim");
        assertThat(j.get("engine_reason").asText())
                .isEqualTo("--engine auto: /dev/kvm does not exist (MEMVIRT_KVM=off), so the simulator");
    }

    @Test
    void kvmJsonHasTheSimsFieldNames(@TempDir Path dir) throws Exception {
        org.memvirt.Skip.unlessKvm();
        Path f = Files.writeString(dir.resolve("one.yaml"), """
                host: {ram: 4G}
                vms: [{name: a, memory: 64M, resident_limit: 8M, workload: ["touch 16M", "verify"]}]
                """);
        JsonNode kvm = Json.mapper().readTree(MainTest.CliRun.of("scenario", f.toString(), "--json", "--engine", "kvm").out());
        Path g = Files.writeString(dir.resolve("two.yaml"), "host: {ram: 4G}\nvms: [{name: a, memory: 64M, workload: [\"touch 16M\"]}]\n");
        JsonNode sim = Json.mapper().readTree(MainTest.CliRun.of("scenario", g.toString(), "--json", "--engine", "sim").out());
        assertThat(kvm.get("engine").asText()).isEqualTo("kvm");
        assertThat(names(kvm)).isEqualTo(names(sim));
        assertThat(names(kvm.get("vms").get(0))).isEqualTo(names(sim.get("vms").get(0)));
        assertThat(names(kvm.get("host"))).isEqualTo(names(sim.get("host")));
        JsonNode vm = kvm.get("vms").get(0);
        assertThat(vm.get("killed").asBoolean()).isFalse();
        assertThat(vm.get("resident_bytes").asLong()).isLessThanOrEqualTo(8L << 20);     // the resident limit
        assertThat(vm.get("swapped_bytes").asLong()).isPositive();
        assertThat(vm.get("verify_mismatches").asLong()).isZero();
        assertThat(kvm.get("events").findValuesAsText("kind")).contains("start", "op_done", "finish", "verify");
        assertThat(kvm.get("timeline").size()).isEqualTo(4);                              // start, 2 ops, end
    }

    private static java.util.List<String> names(JsonNode n) {
        java.util.List<String> out = new java.util.ArrayList<>();
        n.fieldNames().forEachRemaining(out::add);
        return out;
    }
}
