package org.memvirt.qemu;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.memvirt.config.QemuArgs;
import org.memvirt.engine.EngineException;
import org.memvirt.engine.GuestProfile;
import org.memvirt.engine.RunSpec;
import org.memvirt.host.MmuMode;
import org.memvirt.workload.WorkloadParser;

/** The qemu engine runs its Linux image as it is: a guest profile it cannot honour is refused before QEMU starts. */
class QemuEngineCheckTest {

    @ParameterizedTest
    @ValueSource(strings = {"micro", "linux,thp=always", "linux,free-page-reporting=on"})
    void aGuestProfileOtherThanPlainLinuxIsRefused(String guest) {
        GuestProfile profile = GuestProfile.parse(guest, "--guest");
        RunSpec spec = new RunSpec(QemuArgs.parse(List.of("-m", "1G")), WorkloadParser.parseShorthand("touch 4K"),
                MmuMode.SHADOW, null, null, Duration.ofMinutes(1), 1, false, 0, null, profile);
        assertThatThrownBy(() -> new QemuEngine().check(spec, "")).isInstanceOf(EngineException.class)
                .hasMessage("--guest " + profile + ": the qemu engine runs memvirt's Linux image as it is (its THP "
                        + "policy never; free page reporting is --balloon free-page-reporting=on); --guest linux or none");
    }
}
