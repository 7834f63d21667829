package org.memvirt.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.memvirt.config.QemuArgs;

/** {@code --guest} / a scenario's {@code guest:}, and the struct page cost every engine takes from one place. */
class GuestProfileTest {
    @Test
    void linuxDefaultsToThpNeverNoReportingAndKvmsPaceAndPrintsAsItParses() {
        assertThat(GuestProfile.parse("linux", "--guest")).isEqualTo(GuestProfile.LINUX);
        assertThat(GuestProfile.LINUX).hasToString("linux,thp=never,free-page-reporting=off,balloon-pace=kvm");
        GuestProfile p = GuestProfile.parse("Linux,thp=always,free-page-reporting=on,balloon-pace=tcg", "--guest");
        assertThat(p).isEqualTo(new GuestProfile(GuestProfile.Kind.LINUX, GuestProfile.Thp.ALWAYS, true, 29_344));
        assertThat(GuestProfile.parse(p.toString(), "--guest")).isEqualTo(p);
        assertThat(GuestProfile.parse("linux,balloon-pace=1000", "x").balloonPagesPerSecond()).isEqualTo(1000);
        assertThat(GuestProfile.parse("micro", "--guest")).isSameAs(GuestProfile.MICRO);
    }

    @Test
    void badProfilesAreRefusedInOneLineNamingTheOption() {
        assertThatThrownBy(() -> GuestProfile.parse("windows", "--guest"))
                .hasMessage("--guest must be micro or linux (with options), not 'windows'");
        assertThatThrownBy(() -> GuestProfile.parse("micro,thp=always", "vms[0].guest"))
                .hasMessage("vms[0].guest: thp is a Linux guest's setting; the micro-guest has none");
        assertThatThrownBy(() -> GuestProfile.parse("linux,thp=sometimes", "--guest"))
                .hasMessage("--guest: thp must be never, madvise or always, not 'sometimes'");
        assertThatThrownBy(() -> GuestProfile.parse("linux,thp", "--guest")).hasMessage("--guest: 'thp' is not NAME=VALUE");
        assertThatThrownBy(() -> GuestProfile.parse("linux,thp=never,thp=always", "--guest"))
                .hasMessage("--guest: thp given twice");
        assertThatThrownBy(() -> GuestProfile.parse("linux,balloon-pace=0", "--guest"))
                .hasMessage("--guest: balloon-pace must be kvm, tcg or pages per second, not '0'");
        assertThatThrownBy(() -> GuestProfile.parse("linux,ksm=on", "--guest"))
                .hasMessage("--guest: unknown option 'ksm' (thp, free-page-reporting, balloon-pace)")
                .satisfies(e -> assertThat(((EngineException) e).exitCode()).isEqualTo(2));
    }

    @Test
    void structPagesAre64BytesPer4KibOfEveryPresent128MibSection() {
        // pc, -m 4G: 0-3 GiB and 4-5 GiB, whole sections: 1.5625 % of RAM
        assertThat(ResidentSplit.structPageBytes(QemuArgs.parse(List.of("-m", "4G")).layout())).isEqualTo(64L << 20);
        assertThat(ResidentSplit.structPageBytes(QemuArgs.parse(List.of("-m", "64G")).layout())).isEqualTo(1L << 30);
        // 100 MiB is part of one section, whose memmap is mapped whole: 32,768 struct pages
        assertThat(ResidentSplit.structPageBytes(QemuArgs.parse(List.of("-m", "100M")).layout())).isEqualTo(2L << 20);
        assertThat(new ResidentSplit(1, 2, 3, -1).totalBytes()).isEqualTo(5);
    }
}
