package org.memvirt.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The FFM probe against this host's real /dev/kvm; host A's facts (docs/HOST-FACTS.md) are asserted only on a kvm_pvm host. */
@Tag("kvm")
class DevKvmProbeTest {
    private static final Path DEV_KVM = Path.of("/dev/kvm");

    private static void assumeKvm() {
        assumeTrue(Files.exists(DEV_KVM), "no /dev/kvm on this host");
        assumeTrue(Files.isReadable(DEV_KVM) && Files.isWritable(DEV_KVM), "/dev/kvm is not accessible to this user");
    }

    @Test
    void realDevKvmIsUsableWithApi12() {
        assumeKvm();
        HostCapabilities host = HostCapabilities.read();
        assertThat(host.kvm().apiVersion()).isEqualTo(12);
        assertThat(host.kvm().missingCaps()).isEmpty();
        assertThat(host.kvm().createVmErrno()).isNull();
        assertThat(host.kvmUsable()).isTrue();
        assertThat(HostCheck.passed(HostCheck.checks(host))).isTrue();
    }

    /** docs/HOST-FACTS.md, "Host A": the KVM API and capabilities of a kvm_pvm host. */
    @Test
    void realPvmHostMatchesHostMd() {
        assumeKvm();
        assumeTrue(Files.exists(Path.of("/sys/module/kvm_pvm")), "kvm_pvm is not loaded: not a host A machine (docs/HOST-FACTS.md)");
        HostCapabilities host = HostCapabilities.read();
        KvmStatus k = host.kvm();
        assertThat(k.vcpuMmapSize()).isEqualTo(12288);
        assertThat(k.nrVcpus()).isEqualTo(2);
        assertThat(k.maxVcpus()).isEqualTo(1024);
        assertThat(k.nrMemslots()).isEqualTo(32764);
        assertThat(k.caps()).containsEntry("KVM_CAP_X86_SMM", 0).containsEntry("KVM_CAP_MULTI_ADDRESS_SPACE", 0)
                .containsEntry("KVM_CAP_IRQ_ROUTING", 4096).containsEntry("KVM_CAP_MAX_VCPU_ID", 4096);
        assertThat(host.virtualization()).isEqualTo(new Virtualization(null, true, "kvm_pvm"));
        assertThat(host.mmuMode()).isEqualTo(MmuMode.SHADOW);
        assertThat(host.mmu().ept()).isFalse();
        assertThat(host.mmu().vpid()).isFalse();
        assertThat(host.maxVcpus()).isEqualTo(1024);
        assertThat(host.cpu().cpus()).isEqualTo(2);
    }

    @Test
    void probingLeaksNoFileDescriptors() throws IOException {
        assumeKvm();
        DevKvmProbe probe = new DevKvmProbe();
        probe.probe(DEV_KVM);                                        // links the handles first
        long before = openFds();
        for (int i = 0; i < 20; i++) {
            assertThat(probe.probe(DEV_KVM)).isInstanceOf(KvmProbe.Result.Opened.class);
        }
        assertThat(openFds()).isEqualTo(before);
    }

    @Test
    void missingNodeIsAbsent(@TempDir Path dir) {
        assertThat(new DevKvmProbe().probe(dir.resolve("kvm"))).isEqualTo(new KvmProbe.Result.Absent());
    }

    @Test
    void aFileThatIsNotKvmIsNotUsable(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("kvm"), "");
        KvmStatus k = KvmStatus.of(new DevKvmProbe().probe(file));
        assertThat(k.accessible()).isTrue();
        assertThat(k.apiVersion()).isEqualTo(-1);                      // ioctl on a regular file: ENOTTY
        assertThat(k.usable()).isFalse();
    }

    private static long openFds() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }
}
