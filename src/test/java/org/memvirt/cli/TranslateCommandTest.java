package org.memvirt.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TranslateCommandTest {
    static final ObjectMapper JSON = new ObjectMapper();

    static JsonNode run(String... args) throws Exception {
        MainTest.CliRun r = MainTest.CliRun.of(args);
        assertThat(r.err()).isEmpty();
        assertThat(r.rc()).isZero();
        return JSON.readTree(r.out());
    }

    static int totalRefs(String... extra) throws Exception {
        String[] base = {"translate", "--gva", "0x7f0000401000", "--json"};
        String[] all = new String[base.length + extra.length];
        System.arraycopy(base, 0, all, 0, base.length);
        System.arraycopy(extra, 0, all, base.length, extra.length);
        return run(all).get("total_refs").asInt();
    }

    @Test
    void coldEptWalksCostTheTextbookCounts() throws Exception {
        assertThat(totalRefs("--mmu", "ept")).isEqualTo(24);
        assertThat(totalRefs("--mmu", "ept", "--guest-levels", "5", "--host-levels", "5")).isEqualTo(35);
        assertThat(totalRefs("--mmu", "ept", "--host-levels", "5")).isEqualTo(29);
        assertThat(totalRefs("--mmu", "ept", "--guest-page", "2M")).isEqualTo(19);
        assertThat(totalRefs("--mmu", "ept", "--host-page", "2M")).isEqualTo(19);
        assertThat(totalRefs("--mmu", "native")).isEqualTo(4);
        assertThat(totalRefs("--mmu", "shadow")).isEqualTo(4);
        assertThat(totalRefs("--mmu", "npt")).isEqualTo(24);
    }

    @Test
    void warmPageWalkCachesAndNestedTlbCut22Of24References() throws Exception {
        int cold = totalRefs("--mmu", "ept");
        int warm = totalRefs("--mmu", "ept", "--warm", "4");
        assertThat(cold - warm).isEqualTo(22);                 // 24 -> 2: guest PTE + EPT PTE of the data page
        assertThat(totalRefs("--mmu", "native", "--warm", "4")).isEqualTo(1);   // 4 -> 1 with the PDE cache
    }

    @Test
    void jsonHasRefsAddressesAndNullFault() throws Exception {
        JsonNode n = run("translate", "--gva", "0x7f0000401000", "--json");
        assertThat(n.get("refs")).hasSize(24);
        assertThat(n.get("refs").get(0).get("dim").asText()).isEqualTo("ept");
        assertThat(n.get("refs").get(4).get("dim").asText()).isEqualTo("guest");
        assertThat(n.get("refs").get(4).get("table").asText()).isEqualTo("PML4");
        assertThat(n.get("gpa").asText()).isEqualTo("0x40401000");
        assertThat(n.get("hpa").asText()).isEqualTo("0x10040401000");
        assertThat(n.get("fault").isNull()).isTrue();
    }

    @Test
    void faultsAreReportedWithKindAndCode(@TempDir Path dir) throws Exception {
        Path spec = dir.resolve("space.json");
        Files.writeString(spec, """
                {"mmu": "ept",
                 "guest": [{"gva": "0x400000", "gpa": "0x40000000", "page": "2M", "flags": "ro,user"}],
                 "host":  [{"gpa": "0x40000000", "hpa": "0x80000000", "page": "2M", "perms": "r,wb"}]}
                """);
        JsonNode n = run("translate", "--gva", "0x401000", "--spec", spec.toString(), "--access", "write,user", "--json");
        assertThat(n.get("fault").get("kind").asText()).isEqualTo("page_fault");
        assertThat(n.get("fault").get("error_code").asText()).isEqualTo("0x7");
        JsonNode read = run("translate", "--gva", "0x401000", "--spec", spec.toString(), "--json");
        assertThat(read.get("hpa").asText()).isEqualTo("0x80001000");
        assertThat(read.get("total_refs").asInt()).isEqualTo(3 * 5 + 3);   // 2M guest page, 2M host page
        JsonNode fetch = run("translate", "--gva", "0x401000", "--spec", spec.toString(), "--access", "fetch,user", "--json");
        assertThat(fetch.get("fault").get("kind").asText()).isEqualTo("ept_violation");
        assertThat(fetch.get("fault").get("error_code").asText()).isEqualTo("0x18c");   // FETCH|READABLE|GLA valid+translation
        assertThat(fetch.get("fault").get("fault_gpa").asText()).isEqualTo("0x40001000");
    }

    @Test
    void humanOutputIsATableThenTotals() {
        MainTest.CliRun r = MainTest.CliRun.of("translate", "--gva", "0x7f0000401000", "--mmu", "native");
        assertThat(r.rc()).isZero();
        assertThat(r.out()).contains("step  dim    level  table").contains("total_refs 4 ").contains("hpa 0x40401000");
    }

    @Test
    void badInputIsOneLine() {
        MainTest.CliRun r = MainTest.CliRun.of("translate", "--gva", "0x1000", "--mmu", "vmx");
        assertThat(r.rc()).isEqualTo(2);
        assertThat(r.err()).isEqualTo("memvirt: --mmu must be ept, npt, shadow or native, not 'vmx'\n");
        MainTest.CliRun p = MainTest.CliRun.of("translate", "--gva", "0x1000", "--guest-page", "3M");
        assertThat(p.rc()).isEqualTo(1);
        assertThat(p.err()).isEqualTo("memvirt: page size must be 4K, 2M or 1G, not '3M'\n");
    }
}
