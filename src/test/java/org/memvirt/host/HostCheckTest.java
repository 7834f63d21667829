package org.memvirt.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.memvirt.host.Check.Result.FAIL;
import static org.memvirt.host.Check.Result.NOTE;
import static org.memvirt.host.Check.Result.PASS;
import static org.memvirt.host.Check.Result.WARN;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class HostCheckTest {
    private static final Check EXISTS = new Check("if device /dev/kvm exists", PASS, null);
    private static final Check ACCESSIBLE = new Check("if device /dev/kvm is accessible", PASS, null);
    private static final Check API = new Check("for KVM API version 12", PASS, null);
    private static final Check CAPS = new Check("for the KVM capabilities QEMU requires", PASS, null);
    private static final Check CREATE_VM = new Check("if KVM can create a VM", PASS, null);
    private static final Check KSM_OFF = new Check("for KSM (kernel samepage merging)", NOTE,
            "KSM is off (run=0): MADV_MERGEABLE guest RAM is not merged until 'echo 1 > /sys/kernel/mm/ksm/run'; "
                    + "host-check changes nothing");
    private static final Check THP = new Check("for transparent huge pages", PASS, null);
    private static final Check NO_SWAP = new Check("for swap", NOTE,
            "No swap configured: guest RAM cannot be overcommitted beyond host RAM by swapping");

    private static List<Check> checks(String fixture) {
        return HostCheck.checks(Fixtures.host(fixture));
    }

    @Test
    void intelWithEptPassesAndNamesTheManualStepsOnlyAsAHint() {
        assertThat(checks(Fixtures.INTEL_EPT)).containsExactly(
                new Check("for hardware virtualization", PASS, null), EXISTS, ACCESSIBLE, API, CAPS, CREATE_VM,
                new Check("for two-dimensional paging (EPT/NPT)", PASS, null),
                new Check("for VPID", PASS, null),
                new Check("for EPT accessed and dirty bits", PASS, null),
                new Check("for unrestricted guest", PASS, null),
                new Check("for switching the MMU mode by hand", NOTE, "host-check changes nothing; shadow paging: "
                        + "rmmod kvm_intel; modprobe kvm_intel ept=0 vpid=0; back: rmmod kvm_intel; "
                        + "modprobe kvm_intel ept=1 vpid=1"),
                KSM_OFF, THP, new Check("for swap", PASS, null));
        assertThat(HostCheck.passed(checks(Fixtures.INTEL_EPT))).isTrue();
    }

    @Test
    void intelWithEptOffWarnsShadowPaging() {
        assertThat(checks(Fixtures.INTEL_EPT_OFF)).containsExactly(
                new Check("for hardware virtualization", PASS, null), EXISTS, ACCESSIBLE, API, CAPS, CREATE_VM,
                new Check("for two-dimensional paging (EPT/NPT)", WARN, "kvm_intel ept=N: guests get shadow paging; "
                        + "to enable by hand: rmmod kvm_intel; modprobe kvm_intel ept=1 vpid=1"),
                new Check("for VPID", WARN, "kvm_intel vpid=N: the TLB is flushed on every VM entry and exit"),
                new Check("for unrestricted guest", WARN,
                        "kvm_intel unrestricted_guest=N: real-mode guest code is emulated"),
                KSM_OFF, THP, NO_SWAP);
        assertThat(HostCheck.passed(checks(Fixtures.INTEL_EPT_OFF))).isTrue();
    }

    @Test
    void amdWithNptPasses() {
        assertThat(checks(Fixtures.AMD_NPT)).containsExactly(
                new Check("for hardware virtualization", PASS, null), EXISTS, ACCESSIBLE, API, CAPS, CREATE_VM,
                new Check("for two-dimensional paging (EPT/NPT)", PASS, null),
                new Check("for switching the MMU mode by hand", NOTE, "host-check changes nothing; shadow paging: "
                        + "rmmod kvm_amd; modprobe kvm_amd npt=0; back: rmmod kvm_amd; modprobe kvm_amd npt=1"),
                new Check("for KSM (kernel samepage merging)", PASS, null), THP, new Check("for swap", PASS, null));
    }

    /** Where libvirt FAILs and skips /dev/kvm (golden case #38 on this host), memvirt checks the device. */
    @Test
    void pvmWarnsButPassesBecauseDevKvmWorks() {
        List<Check> checks = checks(Fixtures.PVM);
        assertThat(checks).containsExactly(
                new Check("for hardware virtualization", WARN,
                        "No vmx/svm CPU flags; kvm_pvm is loaded: software virtualization, shadow paging, no EPT/VPID"),
                EXISTS, ACCESSIBLE, API, CAPS, CREATE_VM,
                new Check("for two-dimensional paging (EPT/NPT)", WARN,
                        "kvm_pvm: software virtualization, shadow paging, no EPT/VPID; guests get shadow paging"),
                new Check("for switching the MMU mode by hand", NOTE, "kvm_pvm offers shadow paging only; "
                        + "'modprobe kvm_intel ept=0 vpid=0' and 'ept=1 vpid=1' need kvm_intel and VT-x, which this "
                        + "host does not have"),
                KSM_OFF, THP, NO_SWAP);
        assertThat(HostCheck.passed(checks)).isTrue();
    }

    /** Golden case #38: no vmx/svm and no working KVM: libvirt's FAIL text; #40: /dev/kvm absent. */
    @Test
    void golden38And40_noKvmFailsWithLibvirtHints() {
        List<Check> checks = checks(Fixtures.NO_KVM);
        assertThat(checks).startsWith(
                new Check("for hardware virtualization", FAIL, "Host not compatible with KVM; HW virtualization CPU "
                        + "features not found. Only emulated CPUs are available; performance will be significantly "
                        + "limited"),
                new Check("if device /dev/kvm exists", FAIL, "Check that the 'kvm-intel' or 'kvm-amd' modules are "
                        + "loaded & the BIOS has enabled virtualization"),
                new Check("for two-dimensional paging (EPT/NPT)", WARN,
                        "No two-dimensional paging (no KVM vendor module and no vmx/svm flags)"));
        assertThat(checks).contains(new Check("for transparent huge pages", WARN,
                "THP is 'never': guest RAM is backed by 4 KiB pages only"));
        assertThat(HostCheck.passed(checks)).isFalse();
    }

    /** Golden case #40 with vmx present: the exists line FAILs with libvirt's hint. */
    @Test
    void golden40_vmxButNoDevKvm() {
        HostCapabilities h = HostCapabilities.read(Fixtures.root(Fixtures.INTEL_EPT),
                FixtureKvmProbe.answering(new KvmProbe.Result.Absent()));
        assertThat(HostCheck.checks(h)).startsWith(new Check("for hardware virtualization", PASS, null),
                new Check("if device /dev/kvm exists", FAIL, "Check that the 'kvm-intel' or 'kvm-amd' modules are "
                        + "loaded & the BIOS has enabled virtualization"),
                new Check("for two-dimensional paging (EPT/NPT)", PASS, null));
        assertThat(HostCheck.checks(h)).noneMatch(c -> c.name().startsWith("for switching"));
    }

    /** Golden case #39's run as uid 65534: "is accessible ... : FAIL (Check /dev/kvm is world writable ...)". */
    @Test
    void deniedDeviceFailsWithLibvirtHint() {
        List<Check> checks = checks(Fixtures.KVM_DENIED);
        assertThat(checks).startsWith(new Check("for hardware virtualization", PASS, null), EXISTS,
                new Check("if device /dev/kvm is accessible", FAIL,
                        "Check /dev/kvm is world writable or you are in a group that is allowed to access it"),
                new Check("for two-dimensional paging (EPT/NPT)", PASS, null));
        assertThat(HostCheck.passed(checks)).isFalse();
    }

    @Test
    void otherOpenErrorsNameTheErrno() {
        List<Check> checks = HostCheck.checks(HostCapabilities.read(Fixtures.root(Fixtures.PVM),
                FixtureKvmProbe.answering(new KvmProbe.Result.OpenFailed(Errno.ENODEV))));
        assertThat(checks.get(2)).isEqualTo(new Check("if device /dev/kvm is accessible", FAIL,
                "open(/dev/kvm, O_RDWR) failed: ENODEV (19): No such device"));
        assertThat(checks.get(0).result()).isEqualTo(WARN);            // kvm_pvm loaded, yet the device fails
    }

    /** Golden case #41: QEMU's texts for API versions 11 and 13. */
    @Test
    void golden41_apiVersionTooOldOrNotSupported() {
        assertThat(checkWithApi(11)).contains(new Check("for KVM API version 12", FAIL, "kvm version too old"));
        assertThat(checkWithApi(13)).contains(new Check("for KVM API version 12", FAIL, "kvm version not supported"));
        assertThat(HostCheck.passed(checkWithApi(13))).isFalse();
    }

    @Test
    void missingRequiredCapsUseQemuTexts() {
        Map<KvmCap, Integer> caps = HostCapabilitiesTest.allRequired(KvmCap.IRQ_ROUTING, 0);
        caps.put(KvmCap.MP_STATE, 0);
        List<Check> checks = HostCheck.checks(HostCapabilities.read(Fixtures.root(Fixtures.PVM),
                FixtureKvmProbe.answering(new KvmProbe.Result.Opened(12, 12288, caps, 0))));
        assertThat(checks).contains(new Check("for the KVM capabilities QEMU requires", FAIL,
                "kvm does not support KVM_CAP_MP_STATE; KVM_CAP_IRQ_ROUTING not supported by KVM"));
    }

    @Test
    void failedCreateVmUsesQemuText() {
        Map<KvmCap, Integer> caps = HostCapabilitiesTest.allRequired(KvmCap.MAX_VCPUS, 1024);
        List<Check> checks = HostCheck.checks(HostCapabilities.read(Fixtures.root(Fixtures.PVM),
                FixtureKvmProbe.answering(new KvmProbe.Result.Opened(12, 12288, caps, Errno.ENOMEM))));
        assertThat(checks).contains(new Check("if KVM can create a VM", FAIL,
                "ioctl(KVM_CREATE_VM) failed: 12 Cannot allocate memory"));
    }

    private static List<Check> checkWithApi(int version) {
        Map<KvmCap, Integer> caps = HostCapabilitiesTest.allRequired(KvmCap.MAX_VCPUS, 1024);
        return HostCheck.checks(HostCapabilities.read(Fixtures.root(Fixtures.PVM),
                FixtureKvmProbe.answering(new KvmProbe.Result.Opened(version, 12288, caps, 0))));
    }
}
