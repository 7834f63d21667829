package org.memvirt.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.Test;
import org.memvirt.kvm.KvmEngine;
import org.memvirt.report.Json;

class RunCommandTest {
    private static final long GIB = 1L << 30;

    @Test
    void touchingOneGibOfAFourGibGuestShowsOneGibResidentInJson() throws Exception {
        MainTest.CliRun r = MainTest.CliRun.of("run", "-m", "4G", "--engine", "sim", "--mmu", "ept", "--workload",
                "touch 1G", "--json");
        assertThat(r.rc()).as(r.err()).isZero();
        JsonNode j = Json.mapper().readTree(r.out());
        assertThat(j.get("engine").asText()).isEqualTo("sim");
        assertThat(j.get("engine_reason").asText()).isEqualTo("--engine sim");
        assertThat(j.get("mmu").asText()).isEqualTo("ept");
        assertThat(j.get("vpid").asBoolean()).isTrue();
        assertThat(j.at("/memory/configured_bytes").asLong()).isEqualTo(4 * GIB);
        // 1 GiB of data, the 514 guest page-table pages mapping it and the runtime's 2 boot pages
        assertThat(j.at("/memory/resident_bytes").asLong()).isEqualTo(GIB + 516 * 4096L);
        // each new table is read first (the host's zero page, read-only), then written: the write's copy zaps that
        // mapping, so its violation is stale once and taken again (3 violations, 2 fixed)
        assertThat(j.at("/counters/pf_fixed").asLong()).isEqualTo(262_144 + 2 * 514);
        assertThat(j.at("/counters/ept_violations").asLong()).isEqualTo(262_144 + 3 * 514);
        assertThat(j.at("/ops/0/op").asText()).isEqualTo("touch 1G");
        assertThat(j.at("/ops/0/deltas/accesses").asLong()).isEqualTo(262_144);
        assertThat(j.at("/ops/0/nanos").asLong()).isPositive();
        assertThat(j.at("/vcpus/0/exits").asLong()).isEqualTo(262_144 + 3 * 514);
        assertThat(j.at("/cost/slowdown").asDouble()).isGreaterThan(1.0);
    }

    @Test
    void humanOutputShowsMachineCountersMemoryAndCost() {
        MainTest.CliRun r = MainTest.CliRun.of("run", "-m", "256M", "-smp", "2", "--engine", "sim", "--mmu", "shadow",
                "--vpid", "off", "--workload", "touch 64M; switch 10");
        assertThat(r.rc()).as(r.err()).isZero();
        assertThat(r.out()).contains("engine:    sim (--engine sim)", "mmu:       shadow, VPID off", "2 vCPUs",
                "resident", "configured", "free -m", "cost estimate", "mmu_cache_miss");
    }

    @Test
    void autoTakesKvmWhereUsableAndSaysWhy() {
        RunCommand.Choice c = RunCommand.chooseEngine("auto");
        KvmEngine.Usability kvm = KvmEngine.usable();
        assertThat(c.engine().name()).isEqualTo(kvm.usable() ? "kvm" : "sim");
        assertThat(c.reason()).isEqualTo("--engine auto: " + kvm.reason() + (kvm.usable() ? "" : ", so the simulator"));
        assertThat(RunCommand.chooseEngine("SIM").reason()).isEqualTo("--engine sim");
    }

    @Test
    void badEngineOrMmuIsOneLineAndExitTwo() {
        MainTest.CliRun r = MainTest.CliRun.of("run", "--engine", "qemu", "--workload", "touch 1M");
        assertThat(r.rc()).isEqualTo(2);
        assertThat(r.err()).isEqualTo("memvirt: --engine must be sim, kvm or auto, not 'qemu'\n");
        r = MainTest.CliRun.of("run", "--engine", "sim", "--mmu", "tdp", "--workload", "touch 1M");
        assertThat(r.rc()).isEqualTo(2);
        assertThat(r.err()).isEqualTo("memvirt: --mmu must be ept, npt or shadow, not 'tdp'\n");
    }

    @Test
    void aRangeBeyondTheGuestIsOneLineError() {
        MainTest.CliRun r = MainTest.CliRun.of("run", "-m", "64M", "--engine", "sim", "--mmu", "ept", "--workload", "touch 1G");
        assertThat(r.rc()).isEqualTo(1);
        assertThat(r.err().lines().count()).isEqualTo(1);
        assertThat(r.err()).startsWith("memvirt: range [0, 1073741824) is outside the workload region");
    }

    @Test
    void aLackeyTraceReplaysThroughTheCli() throws Exception {
        MainTest.CliRun r = MainTest.CliRun.of("run", "-m", "64M", "--engine", "sim", "--mmu", "shadow", "--workload",
                "trace src/test/resources/workload/sample.lackey; verify", "--json");
        assertThat(r.rc()).as(r.err()).isZero();
        JsonNode j = Json.mapper().readTree(r.out());
        assertThat(j.at("/ops/0/deltas/accesses").asLong()).isEqualTo(6);       // 3 loads, 1 modify, 2 stores
        assertThat(j.at("/ops/1/deltas/verify_pages").asLong()).isEqualTo(2);   // the modified page and the stack page
        assertThat(j.at("/counters/verify_errors").asLong()).isZero();
    }
}
