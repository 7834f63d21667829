package org.memvirt.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.memvirt.kvm.KvmEngine;

class DemoCommandTest {
    static final long GIB = 1L << 30;

    @Test
    void demoRunsEveryStepWithTheSeedsNumbersAndWritesOneReport(@TempDir Path dir) throws Exception {
        Path html = dir.resolve("demo.html");
        MainTest.CliRun r = MainTest.CliRun.of("demo", "--json", "--report", html.toString());
        assertThat(r.rc()).as(r.err()).isZero();
        JsonNode j = new ObjectMapper().readTree(r.out());

        assertThat(j.at("/guest/layout/below_4g").asLong()).isEqualTo(3 * GIB);          // -m 4G on pc
        assertThat(j.at("/guest/layout/above_4g").asLong()).isEqualTo(GIB);

        KvmEngine.Usability kvm = KvmEngine.usable();
        assertThat(j.at("/lazy/engine").asText()).isEqualTo(kvm.usable() ? "kvm" : "sim");
        assertThat(j.at("/lazy/configured_bytes").asLong()).isEqualTo(4 * GIB);
        assertThat(j.at("/lazy/resident_bytes").asLong()).isBetween(GIB, GIB + GIB / 10);  // touch 1G

        JsonNode shadow = j.at("/mmu/modes/0"), ept = j.at("/mmu/modes/1");
        assertThat(shadow.get("mmu").asText()).isEqualTo("shadow");
        assertThat(ept.get("mmu").asText()).isEqualTo("ept");
        assertThat(shadow.at("/counters/pf_guest").asLong()).isEqualTo(16_384);          // every demand fault exits
        assertThat(ept.at("/counters/pf_guest").asLong()).isZero();
        assertThat(shadow.at("/counters/exit_cr_access").asLong()).isEqualTo(2_000);     // switch 2000
        assertThat(ept.at("/counters/exit_cr_access").asLong()).isZero();
        assertThat(shadow.at("/counters/invlpg").asLong()).isEqualTo(4_096);             // unmap 16M
        assertThat(ept.at("/counters/invlpg").asLong()).isZero();
        assertThat(shadow.at("/counters/tdp_pages").asLong()).isZero();
        assertThat(ept.at("/counters/shadow_pages").asLong()).isZero();
        assertThat(ept.at("/counters/walk_refs").asLong()).isGreaterThan(shadow.at("/counters/walk_refs").asLong());

        assertThat(j.at("/plan/swap_for_guests_bytes").asLong()).isEqualTo(36 * GIB);
        assertThat(j.at("/plan/total_swap_bytes").asLong()).isEqualTo(40 * GIB);

        assertThat(j.at("/scenario/oom_kills").asInt()).isEqualTo(3);
        assertThat(j.at("/scenario/peak_swap_used_bytes").asLong()).isEqualTo(GIB);
        assertThat(j.at("/scenario/ksm_pages_shared").asLong()).isEqualTo(20_000);      // content=same:20000

        assertThat(j.at("/report").asText()).isEqualTo(html.toAbsolutePath().toString());
        String page = Files.readString(html);
        assertThat(page).contains("4. Shadow paging vs EPT").contains("Per op: sim shadow vpid")
                .contains("Host memory over virtual time").contains("OOM kill").contains("<svg");
    }

    @Test
    void anUnwritableReportIsRefusedBeforeAnyStepRuns() {
        MainTest.CliRun r = MainTest.CliRun.of("demo", "--report", "/nonexistent-dir/demo.html");
        assertThat(r.rc()).isEqualTo(1);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).isEqualTo("memvirt: cannot write --report /nonexistent-dir/demo.html: directory /nonexistent-dir"
                + " does not exist\n");
    }

    @Test
    void theExampleFileIsTheScenarioTheDemoRuns() throws Exception {
        String file = Files.readString(Path.of("examples/demo-overcommit.yaml"));
        assertThat(file.replaceAll("(?m)^#.*\n", "")).isEqualTo(DemoCommand.SCENARIO_YAML);
    }
}
