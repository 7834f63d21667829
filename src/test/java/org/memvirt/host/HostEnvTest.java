package org.memvirt.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.memvirt.ExitCoded;

/** MEMVIRT_HOST_ROOT and MEMVIRT_KVM, as every command reads them (docs/host-check.md, "Other hosts"). */
class HostEnvTest {
    private static final String FIXTURES = "src/test/resources/host/";

    private static <T> T with(Map<String, String> vars, ScopedValue.CallableOp<T, RuntimeException> op) {
        return HostEnv.with(vars, op);
    }

    @Test
    void withoutVariablesTheRealHostAndDeviceAnswer() {
        assertThat(with(Map.of(), HostEnv::root)).isEqualTo(HostRoot.REAL);
        assertThat(with(Map.of(), () -> HostEnv.kvmProbe(HostRoot.REAL))).isInstanceOf(DevKvmProbe.class);
        assertThat(with(Map.of(), HostEnv::kvmEngineVeto)).isEmpty();
    }

    @Test
    void offMakesTheRealDeviceAbsentAndDeniedMakesItUnopenable() {
        KvmStatus off = with(Map.of(HostEnv.KVM, "off"), () -> HostCapabilities.read().kvm());
        assertThat(off.exists()).isFalse();
        assertThat(off.usable()).isFalse();
        KvmStatus denied = with(Map.of(HostEnv.KVM, "denied"), () -> HostCapabilities.read().kvm());
        assertThat(denied.exists()).isTrue();
        assertThat(denied.accessible()).isFalse();
        assertThat(denied.openError()).isEqualTo("EACCES (13): Permission denied");
        assertThat(with(Map.of(HostEnv.KVM, "off"), HostEnv::kvmEngineVeto))
                .contains("/dev/kvm does not exist (MEMVIRT_KVM=off)");
        assertThat(with(Map.of(HostEnv.KVM, "denied"), HostEnv::kvmEngineVeto))
                .contains("open /dev/kvm failed: EACCES (13): Permission denied (MEMVIRT_KVM=denied)");
    }

    @Test
    void aDescribedHostIsReadWithItsOwnDevKvmAndNeverRunsTheKvmEngine() {
        Map<String, String> pvm = Map.of(HostEnv.HOST_ROOT, FIXTURES + Fixtures.PVM);
        HostCapabilities host = with(pvm, HostCapabilities::read);
        assertThat(host).isEqualTo(Fixtures.host(Fixtures.PVM));
        assertThat(host.kvmUsable()).isTrue();
        assertThat(with(pvm, HostEnv::kvmEngineVeto)).contains("the kvm engine runs on this machine's /dev/kvm, not on "
                + "a described host (MEMVIRT_HOST_ROOT=src/test/resources/host/pvm)");
        assertThat(with(Map.of(HostEnv.HOST_ROOT, FIXTURES + Fixtures.NO_KVM), HostEnv::kvmEngineVeto))
                .contains("/dev/kvm does not exist (MEMVIRT_HOST_ROOT=src/test/resources/host/no-kvm)");
        assertThat(with(Map.of(HostEnv.HOST_ROOT, FIXTURES + Fixtures.KVM_DENIED), HostEnv::kvmEngineVeto))
                .contains("open /dev/kvm failed: EACCES (13): Permission denied "
                        + "(MEMVIRT_HOST_ROOT=src/test/resources/host/kvm-denied)");
    }

    @Test
    void theSwitchDoesNotApplyToADescribedHost() {
        Map<String, String> vars = Map.of(HostEnv.HOST_ROOT, FIXTURES + Fixtures.PVM, HostEnv.KVM, "off");
        assertThat(with(vars, () -> HostCapabilities.read().kvmUsable())).isTrue();
    }

    @Test
    void badValuesAreUsageErrors() {
        assertThatThrownBy(() -> with(Map.of(HostEnv.KVM, "on"), () -> HostEnv.kvmProbe(HostRoot.REAL)))
                .isInstanceOf(HostException.class)
                .hasMessage("MEMVIRT_KVM must be off or denied (or unset), not 'on'")
                .satisfies(e -> assertThat(((HostException) e).exitCode()).isEqualTo(ExitCoded.USAGE));
        assertThatThrownBy(() -> with(Map.of(HostEnv.KVM, "OFF", HostEnv.HOST_ROOT, FIXTURES + Fixtures.PVM),
                HostCapabilities::read)).hasMessage("MEMVIRT_KVM must be off or denied (or unset), not 'OFF'");
        assertThatThrownBy(() -> with(Map.of(HostEnv.HOST_ROOT, "no/such/dir"), HostEnv::root))
                .hasMessage("MEMVIRT_HOST_ROOT=no/such/dir: not a directory")
                .satisfies(e -> assertThat(((HostException) e).exitCode()).isEqualTo(ExitCoded.USAGE));
    }

    @Test
    void anEmptyVariableIsUnset() {
        assertThat(with(Map.of(HostEnv.HOST_ROOT, "", HostEnv.KVM, ""), HostEnv::root)).isEqualTo(HostRoot.REAL);
        assertThat(with(Map.of(HostEnv.KVM, ""), HostEnv::kvmSwitch)).isEmpty();
    }

    @Test
    void aDescriptionThatIsNotOneIsRefusedNamingTheFile() {
        Path pvm = Fixtures.root(Fixtures.PVM).resolve("/proc/cpuinfo");
        assertThatThrownBy(() -> new DescribedKvmProbe().probe(pvm)).isInstanceOf(HostException.class)
                .hasMessage(pvm + ": no api_version");
    }

    @Test
    void qemuOffHidesQemuADescribedHostRunsNoneAndAnyOtherValueIsAUsageError() {
        assertThat(with(Map.of(), HostEnv::qemuVeto)).isEmpty();
        assertThat(with(Map.of(HostEnv.QEMU, "off"), HostEnv::qemuVeto))
                .contains("qemu-system-x86_64 hidden (MEMVIRT_QEMU=off)");
        assertThat(with(Map.of(HostEnv.HOST_ROOT, FIXTURES + Fixtures.PVM), HostEnv::qemuVeto))
                .contains("a described host runs no QEMU (MEMVIRT_HOST_ROOT=src/test/resources/host/pvm)");
        assertThatThrownBy(() -> with(Map.of(HostEnv.QEMU, "on"), HostEnv::qemuVeto))
                .isInstanceOf(HostException.class).hasMessage("MEMVIRT_QEMU must be off (or unset), not 'on'")
                .satisfies(e -> assertThat(((HostException) e).exitCode()).isEqualTo(HostException.USAGE));
    }
}
