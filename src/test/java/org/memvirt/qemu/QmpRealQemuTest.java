package org.memvirt.qemu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.memvirt.config.QemuArgs;

/**
 * The QMP client and its typed commands against the real qemu-system-x86_64 (no guest: vCPUs stopped with -S, so the
 * balloon has no driver to answer and guest statistics are not reported). Every value QEMU returns is checked.
 */
@Tag("qemu")
class QmpRealQemuTest {
    static final Duration TIMEOUT = Duration.ofSeconds(10);
    static final long MIB = 1L << 20;

    static QemuProcess start(String... words) {
        RealQemu.assumeInstalled();
        return QemuProcess.start(QemuLaunch.of(QemuArgs.parse(List.of(words))));
    }

    @Test
    void aPcWithABalloonAnswersEveryTypedCommand() {
        try (QemuProcess qemu = start("-nodefaults", "-S", "-m", "256M", "-device", "virtio-balloon-pci,id=balloon0")) {
            QmpCommands qmp = qemu.qmp();
            QmpGreeting hello = qmp.client().greeting();
            assertThat(hello.version()).startsWith("7.2.").isEqualTo(RealQemu.assumeInstalled().version());
            assertThat(hello.capabilities()).containsExactly("oob");
            assertThat(qmp.status()).isEqualTo(new VmStatus("prelaunch", false));
            assertThat(qmp.memorySizeSummary()).isEqualTo(new MemorySizeSummary(256 * MIB, 0));
            assertThat(qmp.balloonActualBytes()).isEqualTo(256 * MIB);
            qmp.balloon(128 * MIB);                                     // accepted; no guest driver moves it
            assertThat(qmp.balloonActualBytes()).isEqualTo(256 * MIB);
            assertThatThrownBy(() -> qmp.balloon(0))                   // softmmu/balloon.c qmp_balloon: target must be > 0
                    .hasMessage("QMP balloon: Parameter 'target' expects a size (GenericError)");
            qmp.setGuestStatsInterval("balloon0", 2);
            assertThat(qmp.qomGet(QmpCommands.PERIPHERAL + "balloon0", "guest-stats-polling-interval").asInt()).isEqualTo(2);
            BalloonStats stats = qmp.guestStats("balloon0");
            assertThat(stats).isEqualTo(new BalloonStats(0, java.util.Map.of()));   // every stat 2^64-1: unreported
            assertThat(stats.reported()).isFalse();
            List<StatsResult> kvm = qmp.queryStats("vm");
            if (qemu.accel().accel().equals(AccelChoice.TCG)) {
                assertThat(kvm).isEmpty();                              // only -accel kvm registers a provider
            } else {
                assertThat(kvm).extracting(StatsResult::provider).containsExactly("kvm");
            }
            qmp.cont();
            assertThat(qmp.status()).isEqualTo(new VmStatus("running", true));
            qmp.quit();
            assertThat(qmp.client().awaitEvent("SHUTDOWN", TIMEOUT).data().toString())
                    .isEqualTo("{\"guest\":false,\"reason\":\"host-qmp-quit\"}");
        }
    }

    @Test
    void qemusErrorsAreOneLineWithTheirClass() {
        try (QemuProcess qemu = start("-M", "microvm", "-nodefaults", "-S", "-m", "64M")) {
            QmpCommands qmp = qemu.qmp();
            assertThatThrownBy(qmp::balloonActualBytes).isInstanceOf(QemuException.class)
                    .hasMessage("QMP query-balloon: No balloon device has been activated (DeviceNotActive)");
            assertThatThrownBy(() -> qmp.guestStats("balloon0"))
                    .hasMessage("QMP qom-get: Device '/machine/peripheral/balloon0' not found (DeviceNotFound)");
            assertThatThrownBy(() -> qmp.balloon(32 * MIB))
                    .hasMessage("QMP balloon: No balloon device has been activated (DeviceNotActive)");
            assertThatThrownBy(() -> qmp.client().execute("no-such-command", null, TIMEOUT))
                    .hasMessage("QMP no-such-command: The command no-such-command has not been found (CommandNotFound)");
            assertThat(qmp.status().status()).isEqualTo("prelaunch");  // the connection survives QEMU's errors
        }
    }
}
