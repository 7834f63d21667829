package org.memvirt.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.Test;
import org.memvirt.host.FixtureKvmProbe;
import org.memvirt.host.Fixtures;
import org.memvirt.report.Json;

import picocli.CommandLine;

class HostCheckCommandTest {

    /** The output and exit status of host-check over a fixture tree. */
    record Run(int rc, String out) {
        static Run of(String fixture, String... args) {
            CommandLine cl = new CommandLine(new HostCheckCommand(Fixtures.root(fixture), new FixtureKvmProbe()));
            cl.setCaseInsensitiveEnumValuesAllowed(true);                 // as Main.commandLine() does
            StringWriter out = new StringWriter();
            cl.setOut(new PrintWriter(out, true));
            return new Run(cl.execute(args), out.toString());
        }

        JsonNode json() {
            try {
                return Json.mapper().readTree(out);
            } catch (Exception e) {
                throw new AssertionError("not JSON: " + out, e);
            }
        }
    }

    @Test
    void pvmHostTextReport() {
        Run r = Run.of(Fixtures.PVM);
        assertThat(r.rc()).isZero();
        assertThat(r.out()).isEqualTo("""
                  memvirt: Checking for hardware virtualization                                 : WARN (No vmx/svm CPU flags; kvm_pvm is loaded: software virtualization, shadow paging, no EPT/VPID)
                  memvirt: Checking if device /dev/kvm exists                                   : PASS
                  memvirt: Checking if device /dev/kvm is accessible                            : PASS
                  memvirt: Checking for KVM API version 12                                      : PASS
                  memvirt: Checking for the KVM capabilities QEMU requires                      : PASS
                  memvirt: Checking if KVM can create a VM                                      : PASS
                  memvirt: Checking for two-dimensional paging (EPT/NPT)                        : WARN (kvm_pvm: software virtualization, shadow paging, no EPT/VPID; guests get shadow paging)
                  memvirt: Checking for switching the MMU mode by hand                          : NOTE (kvm_pvm offers shadow paging only; 'modprobe kvm_intel ept=0 vpid=0' and 'ept=1 vpid=1' need kvm_intel and VT-x, which this host does not have)
                  memvirt: Checking for KSM (kernel samepage merging)                           : NOTE (KSM is off (run=0): MADV_MERGEABLE guest RAM is not merged until 'echo 1 > /sys/kernel/mm/ksm/run'; host-check changes nothing)
                  memvirt: Checking for transparent huge pages                                  : PASS
                  memvirt: Checking for swap                                                    : NOTE (No swap configured: guest RAM cannot be overcommitted beyond host RAM by swapping)

                CPU:            AuthenticAMD, AMD EPYC, 2 CPUs, running under a hypervisor; virtualization flags: hypervisor vmmcall
                Virtualization: no vmx/svm flags; kvm_pvm loaded (software virtualization, shadow paging, no EPT/VPID)
                KVM:            usable: API 12, 2 vCPUs recommended, 1024 max, 32764 memslots, vCPU mmap 12288 bytes
                MMU mode:       shadow (kvm_pvm); ept=N vpid=N ept_ad=N unrestricted_guest=N npt=N tdp_mmu=N
                kvm_pvm:        force=N hb_mask=8388607 no_x2apic=N pvf_deny=0 pvm_debug=0 pvm_emul_batch=1024 pvm_native=Y pvm_wrap_single=N refault_assert=N stats=N verbose=N
                KSM:            run=0 pages_to_scan=100 sleep_millisecs=20 max_page_sharing=256 merge_across_nodes=1 use_zero_pages=0 pages_shared=0 pages_sharing=0 full_scans=0
                THP:            enabled=madvise defrag=madvise
                Huge pages:     0 x 2048 kB, 0 free, 0 reserved, 0 surplus; pools: 0 x 2048 kB (0 free), 0 x 1048576 kB (0 free)
                Swap:           none configured

                               total        used        free      shared  buff/cache   available
                Mem:           24105         352       23731           8         261       23752
                Swap:              0           0           0
                """);
    }

    @Test
    void checkLinesUseLibvirtLayoutWithTheMemvirtPrefix() {
        for (String line : Run.of(Fixtures.INTEL_EPT).out().lines().takeWhile(l -> !l.isEmpty()).toList()) {
            assertThat(line).startsWith("  memvirt: Checking ");
            assertThat(line.indexOf(" : ")).isEqualTo(9 + 2 + 9 + 60 - 1);   // "%9s: Checking %-60s: "
        }
    }

    @Test
    void jsonHasEveryRequiredFieldForEachFixture() {
        record Want(String fixture, boolean usable, Integer api, String hardware, boolean pvm, String mode,
                    boolean ept, boolean vpid, int rc) {}
        List<Want> wants = List.of(
                new Want(Fixtures.INTEL_EPT, true, 12, "vmx", false, "ept", true, true, 0),
                new Want(Fixtures.INTEL_EPT_OFF, true, 12, "vmx", false, "shadow", false, false, 0),
                new Want(Fixtures.AMD_NPT, true, 12, "svm", false, "npt", false, false, 0),
                new Want(Fixtures.PVM, true, 12, null, true, "shadow", false, false, 0),
                new Want(Fixtures.NO_KVM, false, null, null, false, "shadow", false, false, 3),
                new Want(Fixtures.KVM_DENIED, false, null, "vmx", false, "ept", true, true, 3));
        List<String> seen = new ArrayList<>();
        for (Want w : wants) {
            Run r = Run.of(w.fixture(), "--json");
            JsonNode j = r.json();
            assertThat(r.rc()).as(w.fixture()).isEqualTo(w.rc());
            assertThat(j.at("/kvm/usable").asBoolean()).as(w.fixture()).isEqualTo(w.usable());
            assertThat(j.at("/kvm/api_version").isNull() ? null : j.at("/kvm/api_version").asInt())
                    .as(w.fixture()).isEqualTo(w.api());
            assertThat(j.at("/virtualization/hardware").isNull() ? null : j.at("/virtualization/hardware").asText())
                    .as(w.fixture()).isEqualTo(w.hardware());
            assertThat(j.at("/virtualization/pvm").asBoolean()).as(w.fixture()).isEqualTo(w.pvm());
            assertThat(j.at("/mmu/mode").asText()).as(w.fixture()).isEqualTo(w.mode());
            assertThat(j.at("/mmu/ept").asBoolean()).as(w.fixture()).isEqualTo(w.ept());
            assertThat(j.at("/mmu/vpid").asBoolean()).as(w.fixture()).isEqualTo(w.vpid());
            assertThat(j.at("/ksm/run").asInt()).as(w.fixture()).isEqualTo(w.fixture().equals(Fixtures.AMD_NPT) ? 1 : 0);
            assertThat(j.at("/swap_total_bytes").isIntegralNumber()).as(w.fixture()).isTrue();
            assertThat(j.at("/checks/0/name").asText()).isEqualTo("for hardware virtualization");
            assertThat(j.at("/checks/0").has("result")).isTrue();
            assertThat(j.at("/checks/0").has("hint")).isTrue();
            seen.add(w.fixture());
        }
        assertThat(seen).hasSize(6);
    }

    @Test
    void jsonSwapAndMemoryAreBytes() {
        JsonNode j = Run.of(Fixtures.AMD_NPT, "--json").json();
        assertThat(j.at("/swap_total_bytes").asLong()).isEqualTo(4194300L * 1024);
        assertThat(j.at("/memory/total").asLong()).isEqualTo(131907584L * 1024);
        assertThat(j.at("/memory/swap_used").asLong()).isEqualTo(1048576L * 1024);
        assertThat(j.at("/kvm/max_vcpus").asInt()).isEqualTo(1024);
    }

    @Test
    void unitSelectsTheFreeColumnsUnit() {
        assertThat(Run.of(Fixtures.PVM, "--unit", "gibi").out()).endsWith("""
                               total        used        free      shared  buff/cache   available
                Mem:              23           0          23           0           0          23
                Swap:              0           0           0
                """);
    }

    @Test
    void noKvmFailsWithExitThree() {
        Run r = Run.of(Fixtures.NO_KVM);
        assertThat(r.rc()).isEqualTo(3);
        assertThat(r.out()).contains("  memvirt: Checking for hardware virtualization                                 : "
                + "FAIL (Host not compatible with KVM; HW virtualization CPU features not found. Only emulated CPUs "
                + "are available; performance will be significantly limited)\n");
        assertThat(r.out()).contains("KVM:            not usable: no /dev/kvm\n");
    }

    @Test
    void realHostJsonIsConsistentWithItsExitStatus() {
        MainTest.CliRun r = MainTest.CliRun.of("host-check", "--json");
        JsonNode j;
        try {
            j = Json.mapper().readTree(r.out());
        } catch (Exception e) {
            throw new AssertionError(r.err(), e);
        }
        assertThat(j.at("/mmu/mode").asText()).isIn("ept", "npt", "shadow");
        assertThat(j.at("/kvm/usable").isBoolean()).isTrue();
        boolean failed = false;
        for (JsonNode c : j.at("/checks")) {
            failed |= c.get("result").asText().equals("FAIL");
        }
        assertThat(r.rc()).isEqualTo(failed ? 3 : 0);
        if (j.at("/kvm/usable").asBoolean()) {
            assertThat(j.at("/kvm/api_version").asInt()).isEqualTo(12);
        }
    }
}
