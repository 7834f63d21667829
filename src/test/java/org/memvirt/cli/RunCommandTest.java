package org.memvirt.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.Test;
import org.memvirt.config.QemuArgs;
import org.memvirt.engine.EngineKind;
import org.memvirt.engine.Engines;
import org.memvirt.engine.RunSpec;
import org.memvirt.host.HostCapabilities;
import org.memvirt.kvm.KvmEngine;
import org.memvirt.report.Json;
import org.memvirt.workload.WorkloadParser;

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
        RunSpec spec = new RunSpec(QemuArgs.parse(List.of("-m", "64M")), WorkloadParser.parseShorthand("touch 1M"),
                HostCapabilities.read().mmuMode(), null, null, null, 1);
        Engines.Choice c = Engines.forRun(Engines.Request.parse("auto"), spec);
        KvmEngine.Usability kvm = KvmEngine.usable();
        assertThat(c.engine().kind()).isEqualTo(kvm.usable() ? EngineKind.KVM : EngineKind.SIM);
        assertThat(c.reason()).isEqualTo("--engine auto: " + kvm.reason() + (kvm.usable() ? "" : ", so the simulator"));
        assertThat(Engines.forRun(Engines.Request.parse("SIM"), spec).reason()).isEqualTo("--engine sim");
    }

    @Test
    void ksmAndResidentLimitNeedTheKvmEngine() {
        MainTest.CliRun r = MainTest.CliRun.of("run", "--engine", "sim", "--ksm", "--workload", "touch 1M");
        assertThat(r.rc()).isEqualTo(2);
        assertThat(r.err()).startsWith("memvirt: --ksm needs the kvm engine (--engine sim)");
        r = MainTest.CliRun.of("run", "--engine", "sim", "--resident-limit", "64M", "--workload", "touch 1M");
        assertThat(r.rc()).isEqualTo(2);
        assertThat(r.err()).startsWith("memvirt: --resident-limit needs the kvm engine (--engine sim)");
    }

    @Test
    void residentLimitMapsOntoTheKvmEnginesSwap() throws Exception {
        org.memvirt.Skip.unlessKvm();
        assertThat(MainTest.CliRun.of("run", "--engine", "kvm", "--resident-limit", "1M", "--workload", "touch 1M").err())
                .isEqualTo("memvirt: --resident-limit: must be a multiple of 4 KiB and at least 4 MiB, not 1M\n");
        MainTest.CliRun r = MainTest.CliRun.of("run", "-m", "64M", "--engine", "kvm", "--resident-limit", "8M",
                "--workload", "touch 16M; verify", "--json");
        assertThat(r.rc()).as(r.err()).isZero();
        JsonNode j = Json.mapper().readTree(r.out());
        assertThat(j.get("engine_reason").asText()).endsWith(", --resident-limit 8M");
        assertThat(j.at("/counters/resident_limit_pages").asLong()).isEqualTo(2048);
        assertThat(j.at("/counters/verify_mismatches").isNumber()).isTrue();
        assertThat(j.at("/counters/verify_mismatches").asLong()).isZero();
        assertThat(j.at("/memory/resident_bytes").asLong()).isLessThanOrEqualTo(8L << 20);
    }

    @Test
    void badEngineOrMmuIsOneLineAndExitTwo() {
        MainTest.CliRun r = MainTest.CliRun.of("run", "--engine", "xen", "--workload", "touch 1M");
        assertThat(r.rc()).isEqualTo(2);
        assertThat(r.err()).isEqualTo("memvirt: --engine must be sim, kvm, qemu or auto, not 'xen'\n");
        r = MainTest.CliRun.of("run", "--engine", "sim", "--mmu", "tdp", "--workload", "touch 1M");
        assertThat(r.rc()).isEqualTo(2);
        assertThat(r.err()).isEqualTo("memvirt: --mmu must be ept, npt or shadow, not 'tdp'\n");
    }

    @Test
    void aRangeBeyondTheGuestIsOneLineError() {
        MainTest.CliRun r = MainTest.CliRun.of("run", "-m", "64M", "--engine", "sim", "--mmu", "ept", "--workload", "touch 1G");
        assertThat(r.rc()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("memvirt: workload step 1 'touch 1G': reaches region offset 1G, beyond the guest's"
                + " 64M of RAM (the workload region is as large as RAM)\n");
    }

    @Test
    void aLackeyTraceReplaysThroughTheCli() throws Exception {
        MainTest.CliRun r = MainTest.CliRun.of("run", "-m", "64M", "--engine", "sim", "--mmu", "shadow", "--workload",
                "trace src/test/resources/workload/sample.lackey; verify", "--json");
        assertThat(r.rc()).as(r.err()).isZero();
        JsonNode j = Json.mapper().readTree(r.out());
        assertThat(j.at("/ops/0/deltas/accesses").asLong()).isEqualTo(6);       // 3 loads, 1 modify, 2 stores
        assertThat(j.at("/ops/1/deltas/verify_pages").asLong()).isEqualTo(2);   // the modified page and the stack page
        assertThat(j.at("/counters/verify_mismatches").isNumber()).isTrue();      // present, not a missing node read as 0
        assertThat(j.at("/counters/verify_mismatches").asLong()).isZero();
    }

    private static final String[] SMALL = {"run", "-m", "64M", "--engine", "sim", "--mmu", "shadow", "--workload",
        "touch 4M; touch 4M"};

    private static String[] small(String... more) {
        String[] args = java.util.Arrays.copyOf(SMALL, SMALL.length + more.length);
        System.arraycopy(more, 0, args, SMALL.length, more.length);
        return args;
    }

    @Test
    void compareJsonKeepsTheMainRunOnTopAndListsEveryRun() throws Exception {
        MainTest.CliRun alone = MainTest.CliRun.of(small("--json"));
        MainTest.CliRun r = MainTest.CliRun.of(small("--compare", "--mmu ept", "--compare=--vpid=off --seed '2'",
                "--json"));
        assertThat(r.rc()).as(r.err()).isZero();
        JsonNode j = Json.mapper().readTree(r.out());
        JsonNode main = Json.mapper().readTree(alone.out());
        JsonNode runs = j.get("runs");
        JsonNode top = ((com.fasterxml.jackson.databind.node.ObjectNode) j.deepCopy()).without("runs");
        assertThat(top).isEqualTo(main);
        assertThat(runs.size()).isEqualTo(3);
        assertThat(runs.get(0)).isEqualTo(main);
        assertThat(runs.get(1).get("mmu").asText()).isEqualTo("ept");
        assertThat(runs.get(1).get("engine_reason").asText()).isEqualTo("--engine sim");
        // 1,024 data pages touched once each: shadow takes them as #PF exits, EPT as EPT violations
        assertThat(runs.at("/0/counters/exit_exception").asLong()).isEqualTo(1037);
        assertThat(runs.at("/0/counters/ept_violations").asLong()).isZero();
        assertThat(runs.at("/1/counters/exit_exception").asLong()).isZero();
        assertThat(runs.at("/1/counters/ept_violations").asLong()).isEqualTo(1036);
        assertThat(runs.at("/2/mmu").asText()).isEqualTo("shadow");
        assertThat(runs.at("/2/vpid").asBoolean()).isFalse();
        for (JsonNode run : runs) {
            assertThat(run.at("/counters/dtlb_misses").asLong()).isEqualTo(2048);
            assertThat(run.at("/counters/accesses").asLong()).isEqualTo(2048);
        }
        assertThat(runs.at("/1/counters/stlb_hits").asLong()).isEqualTo(1024);
    }

    @Test
    void compareTextShowsCountersSideBySideUnderRunLabels() {
        MainTest.CliRun r = MainTest.CliRun.of(small("--compare", "--mmu ept", "--compare", "--vpid off"));
        assertThat(r.rc()).as(r.err()).isZero();
        String compare = r.out().substring(r.out().indexOf("compare:"));
        assertThat(compare.lines().toList()).contains(
                "  counter                sim/shadow/vpid-on      sim/ept/vpid-on  sim/shadow/vpid-off",
                "  exits                                1037                 1036                 1037",
                "  ept_violations                          0                 1036                    0",
                "  stlb_hits                             512                 1024                    1");
        assertThat(compare).containsPattern("\n  slowdown \\(model\\) +[0-9.]+x +[0-9.]+x +[0-9.]+x\n");
    }

    @Test
    void compareReportShowsEveryRunAndBothNewCharts(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        java.nio.file.Path html = dir.resolve("r.html");
        MainTest.CliRun r = MainTest.CliRun.of(small("--compare", "--mmu ept", "--report", html.toString(), "--json"));
        assertThat(r.rc()).as(r.err()).isZero();
        assertThat(java.nio.file.Files.readString(html)).contains(
                "<title>memvirt compare: sim shadow vpid vs sim ept vpid</title>", "<h2>Exits by reason</h2>",
                "<h2>TLB hit rates</h2>", "<title>sim ept vpid ept_violations: 1,036</title>",
                "<title>sim ept vpid STLB: 50%</title>", "<title>sim shadow vpid STLB: 25%</title>");
    }

    @Test
    void compareRefusesOptionsThatAreNotPerRun() {
        MainTest.CliRun r = MainTest.CliRun.of(small("--compare", "--mmu ept --ksm"));
        assertThat(r.rc()).isEqualTo(2);
        assertThat(r.err()).isEqualTo("memvirt: --compare: only --mmu, --vpid, --engine, --tlb, --seed and --guest may "
                + "differ, not '--ksm'\n");
        r = MainTest.CliRun.of(small("--compare", "-m 1G"));
        assertThat(r.err()).isEqualTo("memvirt: --compare: only --mmu, --vpid, --engine, --tlb, --seed and --guest may "
                + "differ, not '-m'\n");
        r = MainTest.CliRun.of(small("--compare", "--vpid on --mmu"));
        assertThat(r.err()).isEqualTo("memvirt: --compare: --mmu needs a value\n");
        r = MainTest.CliRun.of(small("--compare", "--seed x"));
        assertThat(r.err()).isEqualTo("memvirt: --compare: --seed must be a whole number, not 'x'\n");
        r = MainTest.CliRun.of(small("--compare", "--mmu tdp"));
        assertThat(r.rc()).isEqualTo(2);
        assertThat(r.err()).isEqualTo("memvirt: --mmu must be ept, npt or shadow, not 'tdp'\n");
    }

    @Test
    void compareValuesSplitLikeAShellAndOverrideOnlyWhatTheyName() {
        assertThat(ShellWords.split(" --tlb 'my tlb.yaml'  --seed=\"4\" a\\ b")).containsExactly("--tlb",
                "my tlb.yaml", "--seed=4", "a b");
        RunCommand.Variant main = RunCommand.Variant.of("sim", "shadow", "on", "zen5", 1, null);
        assertThat(main.with("--mmu ept --engine=kvm"))
                .isEqualTo(RunCommand.Variant.of("kvm", "ept", "on", "zen5", 1, null));
        assertThat(main.with("--tlb golden-cove --vpid off --seed 7"))
                .isEqualTo(RunCommand.Variant.of("sim", "shadow", "off", "golden-cove", 7, null));
        assertThat(main.with("--guest linux,thp=always"))
                .isEqualTo(RunCommand.Variant.of("sim", "shadow", "on", "zen5", 1, "linux,thp=always"));
    }
}
