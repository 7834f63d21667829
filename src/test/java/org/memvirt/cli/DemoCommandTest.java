package org.memvirt.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

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
        // QEMU hidden: where /dev/kvm is not usable step 3 runs on the sim, whose figures are exact; the choice of the
        // qemu engine is EnginesTest's, and a real guest's lazy allocation QemuEngineRunTest's (8 guest boots at most)
        java.util.Map<String, String> env = new java.util.HashMap<>(java.util.Map.of("MEMVIRT_QEMU", "off"));
        for (String kept : new String[] {"MEMVIRT_KVM", "MEMVIRT_HOST_ROOT"}) {   // .ci/run's KVM-hidden rerun
            if (System.getenv(kept) != null) env.put(kept, System.getenv(kept));
        }
        MainTest.CliRun r = MainTest.CliRun.with(env, "demo", "--json", "--report", html.toString());
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
        assertThat(page).contains("<h2>4. Shadow paging vs EPT").contains("<h3>4.6 Per op: sim engine · shadow paging · VPID on")
                .contains("<h3>6.1 Host memory over virtual time").contains("OOM kill").contains("<svg");
        assertThat(headings(page, "h2")).containsExactly("1. This host", "2. A 4 GiB guest",
                "3. Lazy allocation: touch 1G on the " + j.at("/lazy/engine").asText() + " engine",
                "4. Shadow paging vs EPT (sim engine): " + DemoCommand.MMU_WORKLOAD,
                "5. Swap plan: 64 x 1 GiB on 32 GiB, 4 GiB reserve", "6. Overcommit scenario: demo-overcommit");
        assertThat(headings(page, "h3")).allMatch(h -> h.matches("[46]\\.[0-9]+ .*"));
        assertThat(page).doesNotContain("section 4").contains("e820 map");
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

    /** The text of every {@code <tag>} heading of {@code page}, in order. */
    private static List<String> headings(String page, String tag) {
        List<String> out = new ArrayList<>();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("<" + tag + ">([^<]*)</" + tag + ">").matcher(page);
        while (m.find()) out.add(m.group(1).replace("&amp;", "&"));
        return out;
    }
}
