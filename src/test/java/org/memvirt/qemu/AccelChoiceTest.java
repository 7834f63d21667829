package org.memvirt.qemu;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.memvirt.host.KvmStatus;

/** KVM where the host package's probe says /dev/kvm is usable, else TCG, with the reason. */
class AccelChoiceTest {
    static KvmStatus status(boolean exists, String openError, boolean usable, List<String> missing) {
        return new KvmStatus("/dev/kvm", exists, openError == null && exists, openError, usable, usable ? 12 : null,
                null, null, null, null, null, missing, Map.of(), null);
    }

    @Test
    void kvmWhereUsable() {
        assertThat(AccelChoice.of(status(true, null, true, List.of())))
                .isEqualTo(new AccelChoice("kvm", "kvm: /dev/kvm usable"));
    }

    @Test
    void tcgOtherwiseWithWhy() {
        assertThat(AccelChoice.of(status(false, "ENOENT (2): No such file or directory", false, List.of())))
                .isEqualTo(new AccelChoice("tcg", "tcg: /dev/kvm does not exist"));
        assertThat(AccelChoice.of(status(true, "EACCES (13): Permission denied", false, List.of())))
                .isEqualTo(new AccelChoice("tcg", "tcg: /dev/kvm cannot be opened: EACCES (13): Permission denied"));
        assertThat(AccelChoice.of(status(true, null, false, List.of("KVM_CAP_USER_MEMORY"))).reason())
                .isEqualTo("tcg: /dev/kvm is not usable (API null, missing KVM_CAP_USER_MEMORY)");
    }

    @Test
    void theProjectsKvmSwitchMakesThisHostTcg() {
        for (String value : List.of("off", "denied")) {
            AccelChoice a = org.memvirt.host.HostEnv.with(Map.of("MEMVIRT_KVM", value), AccelChoice::forThisHost);
            assertThat(a.accel()).as("MEMVIRT_KVM=%s", value).isEqualTo("tcg");
            assertThat(a.reason()).as("MEMVIRT_KVM=%s", value).startsWith("tcg: ").endsWith("(MEMVIRT_KVM=" + value + ")");
        }
    }
}
