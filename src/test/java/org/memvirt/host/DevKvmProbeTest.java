package org.memvirt.host;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.stream.Stream;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.memvirt.Skip;

/**
 * The FFM probe against this host's real /dev/kvm (MEMVIRT_KVM does not apply: the device itself is under test).
 * Expectations hold for any host of the kind, never one machine's figures (those are in the fixtures).
 */
@Tag("kvm")
class DevKvmProbeTest {
    private static final Path DEV_KVM = Path.of("/dev/kvm");

    private static void assumeKvm() {
        Skip.unless(Files.exists(DEV_KVM), "no /dev/kvm on this host");
        String why = openFailure();
        Skip.unless(why == null, () -> "/dev/kvm exists but does not open O_RDWR here: " + why);
    }

    /**
     * Why this process cannot open /dev/kvm for reading and writing, asked through Java's own open (not the probe
     * under test), or null when it can. Mode bits are not enough: root passes them, yet a node without a driver or
     * a device cgroup still refuses the open.
     */
    private static String openFailure() {
        try (FileChannel ignored = FileChannel.open(DEV_KVM, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            return null;
        } catch (IOException e) {
            return e.toString();
        }
    }

    /** The host whose /dev/kvm exists but cannot be opened (a user outside group kvm, a node without a driver). */
    @Test
    void aDeviceThatExistsButDoesNotOpenIsReportedSo() {
        Skip.unless(Files.exists(DEV_KVM) && openFailure() != null, "/dev/kvm is absent or opens here");
        KvmProbe.Result r = new DevKvmProbe().probe(DEV_KVM);
        assertThat(r).isInstanceOf(KvmProbe.Result.OpenFailed.class);
        KvmStatus k = KvmStatus.of(r);
        assertThat(k.exists()).isTrue();
        assertThat(k.accessible()).isFalse();
        assertThat(k.usable()).isFalse();
    }

    private static HostCapabilities realHost() {
        return HostCapabilities.read(HostRoot.REAL, new DevKvmProbe());
    }

    @Test
    void realDevKvmIsUsableWithApi12() {
        assumeKvm();
        HostCapabilities host = realHost();
        assertThat(host.kvm().apiVersion()).isEqualTo(12);
        assertThat(host.kvm().missingCaps()).isEmpty();
        assertThat(host.kvm().createVmErrno()).isNull();
        assertThat(host.kvmUsable()).isTrue();
        assertThat(HostCheck.passed(HostCheck.checks(host))).isTrue();
    }

    /**
     * On a kvm_pvm host: what follows from the module (shadow paging only, no EPT or VPID), and KVM's limits related
     * as linux include/uapi/linux/kvm.h defines them; the figures of one such machine are the {@code pvm} fixture's.
     */
    @Test
    void realPvmHostGivesShadowPagingAndConsistentLimits() throws IOException {
        assumeKvm();
        Skip.unless(Files.exists(Path.of("/sys/module/kvm_pvm")), "kvm_pvm is not loaded here");
        HostCapabilities host = realHost();
        KvmStatus k = host.kvm();
        assertThat(host.virtualization().pvm()).isTrue();
        assertThat(host.virtualization().kvmModule()).isEqualTo("kvm_pvm");
        assertThat(host.mmuMode()).isEqualTo(MmuMode.SHADOW);
        assertThat(host.mmu().ept()).isFalse();
        assertThat(host.mmu().vpid()).isFalse();
        assertThat(k.nrVcpus()).isPositive();
        assertThat(k.maxVcpus()).isGreaterThanOrEqualTo(k.nrVcpus());
        assertThat(host.maxVcpus()).isEqualTo(k.maxVcpus());
        assertThat(k.vcpuMmapSize()).isPositive();
        assertThat(k.vcpuMmapSize() % 4096).isZero();                      // whole pages: mmap'd per vCPU
        assertThat(k.nrMemslots()).isPositive();
        assertThat(host.cpu().cpus()).isEqualTo(onlineCpus());
    }

    /** The CPUs in /sys/devices/system/cpu/online ("0-1,4"), a source independent of /proc/cpuinfo. */
    private static int onlineCpus() throws IOException {
        int n = 0;
        for (String range : Files.readString(Path.of("/sys/devices/system/cpu/online")).trim().split(",")) {
            String[] ab = range.split("-");
            n += ab.length == 1 ? 1 : Integer.parseInt(ab[1]) - Integer.parseInt(ab[0]) + 1;
        }
        return n;
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
