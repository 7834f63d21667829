package org.memvirt.kvm;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Every exit the runtime never causes on purpose has a one-line diagnosis naming KVM's exit reason. */
class VcpuExitTest {
    @Test
    void diagnosesNameTheExitReason() {
        assertThat(VcpuExit.describe(new VcpuExit.Shutdown())).isEqualTo("triple fault (KVM_EXIT_SHUTDOWN)");
        assertThat(VcpuExit.describe(new VcpuExit.InternalError(1, 0)))
                .isEqualTo("emulation failure (KVM_EXIT_INTERNAL_ERROR, KVM_INTERNAL_ERROR_EMULATION)");
        assertThat(VcpuExit.describe(new VcpuExit.InternalError(7, 0)))
                .isEqualTo("internal error (KVM_EXIT_INTERNAL_ERROR, suberror 7)");
        assertThat(VcpuExit.describe(new VcpuExit.FailEntry(0x21)))
                .isEqualTo("VM entry failed (KVM_EXIT_FAIL_ENTRY, hardware reason 0x21)");
        assertThat(VcpuExit.describe(new VcpuExit.Mmio(0xFEE00000L))).isEqualTo("unexpected MMIO at 0xfee00000 (KVM_EXIT_MMIO)");
        assertThat(VcpuExit.describe(new VcpuExit.Hlt())).isEqualTo("guest halted (KVM_EXIT_HLT)");
        assertThat(VcpuExit.describe(new VcpuExit.Io(0x3F8, 0))).isEqualTo("unexpected port I/O to 0x3f8");
        assertThat(VcpuExit.describe(new VcpuExit.Other(42))).isEqualTo("unexpected exit reason 42");
    }

    @Test
    void failuresOfTheDeviceAndOfKvmsIoctlsSayWhatToCheck() {
        assertThat(Hints.forOpen("/dev/kvm", 2)).isEqualTo("no KVM on this host (is the kvm module loaded?)");
        assertThat(Hints.forOpen("/dev/kvm", 13)).isEqualTo("is this user allowed to open the KVM device (root or group kvm)?");
        assertThat(Hints.forOpen("/dev/kvm", 16)).isEmpty();
        assertThat(Hints.forOpen("guest.ram", 2)).isEmpty();
        assertThat(Hints.forIoctl("KVM_CREATE_VM")).isEqualTo("is another hypervisor holding VT-x/AMD-V, or is memory short?");
        assertThat(Hints.forIoctl("KVM_SET_USER_MEMORY_REGION")).isEqualTo("memslot overlap or misaligned guest RAM");
        assertThat(Hints.forIoctl("KVM_CREATE_VCPU")).isEqualTo("more vCPUs than KVM_CAP_MAX_VCPUS?");
        assertThat(Hints.forIoctl("KVM_RUN")).isEmpty();
        assertThat(org.memvirt.host.Errno.name(38)).isEqualTo("ENOSYS");
        assertThat(org.memvirt.host.Errno.name(95)).isEqualTo("EOPNOTSUPP");
        assertThat(org.memvirt.host.Errno.name(200)).isEqualTo("errno 200");
    }

    @Test
    void errnoNamesAreKernelNames() {
        assertThat(new KvmException("KVM_CREATE_VM", 12, "").getMessage()).isEqualTo("KVM_CREATE_VM failed: ENOMEM (12)");
        assertThat(new KvmException("open /dev/kvm", 13, "hint").getMessage())
                .isEqualTo("open /dev/kvm failed: EACCES (13); hint");
    }
}
