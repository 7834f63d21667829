package org.memvirt.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** QEMU 7.2's option table as memvirt holds it (QemuCommandLineReplayTest checks it against the binary). */
class QemuOptionTest {

    @Test
    void tableHasQemu72sOptionsWithAndWithoutArgument() {
        assertThat(QemuOption.all()).hasSize(122);
        assertThat(QemuOption.all().stream().filter(QemuOption::takesArgument).count()).isEqualTo(91);
        assertThat(QemuOption.all().getFirst()).isEqualTo(new QemuOption("h", false, true));
        assertThat(QemuOption.all().getLast()).isEqualTo(new QemuOption("object", true, true));
    }

    @Test
    void fiveOptionsBelongToOtherTargets() {
        assertThat(QemuOption.all().stream().filter(o -> !o.x86()).map(QemuOption::name))
                .containsExactly("g", "prom-env", "semihosting", "semihosting-config", "old-param");
    }

    @Test
    void lookupTreatsDoubleDashAsSingle() {
        assertThat(QemuOption.lookup("-m")).isEqualTo(new QemuOption("m", true, true));
        assertThat(QemuOption.lookup("--m")).isEqualTo(new QemuOption("m", true, true));
        assertThat(QemuOption.lookup("-enable-kvm")).isEqualTo(new QemuOption("enable-kvm", false, true));
        assertThat(QemuOption.lookup("-daemonize")).isEqualTo(new QemuOption("daemonize", false, true));
        assertThat(QemuOption.lookup("-fw_cfg")).isEqualTo(new QemuOption("fw_cfg", true, true));
        assertThat(QemuOption.lookup("-memory")).isNull();
        assertThat(QemuOption.lookup("-")).isNull();
        assertThat(QemuOption.lookup("---m")).isNull();
    }
}
