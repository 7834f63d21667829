package org.memvirt.qemu;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** QEMU's stderr (lines as qemu-system-x86_64 7.2.22 prints them) and exit status as one line. */
class QemuDiagnosisTest {

    @Test
    void qemusOwnErrorLineWithoutItsPrefix() {
        assertThat(QemuDiagnosis.of(1, "qemu-system-x86_64: -foo: invalid option\n"))
                .isEqualTo("QEMU exited with status 1: -foo: invalid option");
        assertThat(QemuDiagnosis.of(1, "qemu-system-x86_64: -device nope: 'nope' is not a valid device model name\n"))
                .isEqualTo("QEMU exited with status 1: -device nope: 'nope' is not a valid device model name (unknown -device)");
    }

    @Test
    void warningsAreSkippedAndKnownErrorsExplained() {
        String stderr = "qemu-system-x86_64: warning: host doesn't support requested feature: CPUID.01H:ECX.pni [bit 0]\n"
                + "qemu-system-x86_64: cannot set up guest memory 'pc.ram': Cannot allocate memory\n";
        assertThat(QemuDiagnosis.of(1, stderr)).isEqualTo("QEMU exited with status 1: cannot set up guest memory "
                + "'pc.ram': Cannot allocate memory (the host would not give QEMU the guest's RAM)");
        assertThat(QemuDiagnosis.of(1, "Could not access KVM kernel module: No such file or directory\n"
                + "qemu-system-x86_64: -accel kvm: failed to initialize kvm: No such file or directory\n"))
                .isEqualTo("QEMU exited with status 1: Could not access KVM kernel module: No such file or directory "
                        + "(KVM is not usable on this host)");
    }

    @Test
    void signalsByName() {
        assertThat(QemuDiagnosis.of(137, "")).isEqualTo("QEMU was killed by SIGKILL (signal 9)");
        assertThat(QemuDiagnosis.of(143, "qemu-system-x86_64: terminating on signal 15 from pid 7 (java)\n"))
                .isEqualTo("QEMU was killed by SIGTERM (signal 15): terminating on signal 15 from pid 7 (java)");
        assertThat(QemuDiagnosis.of(0, "")).isEqualTo("QEMU exited with status 0");
        assertThat(QemuDiagnosis.of(128 + 10, "")).isEqualTo("QEMU was killed by signal 10");
    }
}
