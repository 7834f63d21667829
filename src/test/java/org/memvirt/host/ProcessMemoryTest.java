package org.memvirt.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;

import org.junit.jupiter.api.Test;

/** The /proc/PID readers against the pvm fixture's process 4242: a JVM whose 1 GiB guest RAM starts at 0x7f3a00000000. */
class ProcessMemoryTest {
    private static final long KIB = 1024;
    private static final ProcessMemory JVM = ProcessMemory.of(Fixtures.root(Fixtures.PVM), "4242");

    @Test
    void guestRamMappingByItsStart() {
        ProcessMemory.Mapping ram = JVM.mapping(0x7f3a_0000_0000L);
        assertThat(ram.start()).isEqualTo(0x7f3a_0000_0000L);
        assertThat(ram.end()).isEqualTo(0x7f3a_4000_0000L);
        assertThat(ram.rss()).isEqualTo(263172 * KIB);
        assertThat(ram.pss()).isEqualTo(200000 * KIB);
        assertThat(ram.anonHugePages()).isEqualTo(4096 * KIB);
        assertThat(ram.swap()).isEqualTo(2048 * KIB);
        assertThat(ram.ksm()).isEqualTo(65536 * KIB);
        assertThat(ram.hugetlb()).isZero();
        assertThat(ram.resident()).isEqualTo(263172 * KIB);
        assertThat(ram.fieldsKib()).hasSize(23).containsEntry("THPeligible", 1L).doesNotContainKey("VmFlags");
    }

    @Test
    void hugetlbPagesAreResidentThoughNotInRss() {
        ProcessMemory.Mapping huge = JVM.mapping(0x7f3a_4000_0000L);
        assertThat(huge.rss()).isZero();
        assertThat(huge.hugetlb()).isEqualTo(2048 * KIB);
        assertThat(huge.resident()).isEqualTo(2048 * KIB);
    }

    @Test
    void theLastMappingEndsTheFile() {
        assertThat(JVM.mapping(0x7ffc_1e5d_0000L).rss()).isEqualTo(24 * KIB);
    }

    @Test
    void anAddressInsideAMappingIsNotItsStart() {
        assertThatThrownBy(() -> JVM.mapping(0x7f3a_0000_1000L)).isInstanceOf(HostException.class)
                .hasMessageStartingWith("no mapping starts at 0x7f3a00001000 in ").hasMessageEndingWith("4242/smaps");
    }

    @Test
    void statusInBytes() {
        ProcessMemory.Status s = JVM.status();
        assertThat(s.vmRss()).isEqualTo(398712 * KIB);
        assertThat(s.rssAnon()).isEqualTo(371204 * KIB);
        assertThat(s.vmSwap()).isEqualTo(2048 * KIB);
        assertThat(s.bytes("HugetlbPages")).isEqualTo(2048 * KIB);
        assertThat(s.fieldsKib()).doesNotContainKeys("Name", "State");
    }

    @Test
    void ksmStatKeepsTheNumbers() {
        assertThat(JVM.ksmStat().fields()).isEqualTo(Map.of("ksm_rmap_items", 70000L, "ksm_zero_pages", 12L,
                "ksm_merging_pages", 65536L, "ksm_process_profit", 263955456L));
    }

    @Test
    void aKernelWithoutKsmStatGivesNoFields() {
        assertThat(ProcessMemory.of(Fixtures.root(Fixtures.PVM), "1").ksmStat().fields()).isEmpty();
    }

    @Test
    void aMissingProcessIsAOneLineError() {
        assertThatThrownBy(() -> ProcessMemory.of(Fixtures.root(Fixtures.PVM), "1").status())
                .isInstanceOf(HostException.class).hasMessageEndingWith("1/status: no such file");
        assertThatThrownBy(() -> ProcessMemory.of(Fixtures.root(Fixtures.PVM), "1").mapping(0))
                .isInstanceOf(HostException.class).hasMessageEndingWith("1/smaps: no such file");
    }

    @Test
    void onlyANumberOrSelfIsAProcess() {
        assertThatThrownBy(() -> ProcessMemory.of(Fixtures.root(Fixtures.PVM), "../etc"))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("not a process id: '../etc'");
        assertThat(ProcessMemory.isHeader("7f3a00000000-7f3a40000000 rw-p 00000000 00:00 0 ")).isTrue();
        assertThat(ProcessMemory.isHeader("Shared_Hugetlb:        0 kB")).isFalse();
        assertThat(ProcessMemory.isHeader("VmFlags: rd wr mr mw me ac sd")).isFalse();
    }

    /** The real /proc/self: this JVM's status has a VmRSS (Linux only). */
    @Test
    void selfReadsThisProcess() {
        org.junit.jupiter.api.Assumptions.assumeTrue(java.nio.file.Files.isReadable(java.nio.file.Path.of("/proc/self/status")),
                "no /proc/self/status on this OS");
        assertThat(ProcessMemory.self().status().vmRss()).isPositive();
    }
}
