package org.memvirt.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BootArgsTest {
    @TempDir
    Path dir;

    @Test
    void theStandardLineSetsConsolePanicAndThpNever() {
        assertThat(BootArgs.standard().commandLine()).isEqualTo("console=ttyS0 quiet panic=-1 no_timer_check memvirt.thp=never");
        assertThat(BootArgs.standard().withThp("always").commandLine()).isEqualTo("console=ttyS0 quiet panic=-1 no_timer_check memvirt.thp=always");
        assertThatThrownBy(() -> BootArgs.standard().withThp("sometimes"))
                .hasMessage("guest THP policy must be never, madvise or always, not 'sometimes'");
    }

    @Test
    void microvmUnderTcgGetsTheHostTscRateFromCpuinfo() throws Exception {
        Path cpuinfo = Files.writeString(dir.resolve("cpuinfo"), "processor\t: 0\nmodel name\t: AMD EPYC\ncpu MHz\t\t: 2096.019\n"
                + "flags\t\t: fpu tsc constant_tsc nonstop_tsc tsc_known_freq\n");
        BootArgs args = BootArgs.microvmUnderTcg(cpuinfo);
        assertThat(args.tscKhz()).isEqualTo(OptionalLong.of(2_096_019));
        assertThat(args.commandLine()).isEqualTo("console=ttyS0 quiet panic=-1 no_timer_check memvirt.thp=never tsc_early_khz=2096019 tsc=reliable");
        Path none = Files.writeString(dir.resolve("none"), "processor\t: 0\n");
        assertThatThrownBy(() -> BootArgs.microvmUnderTcg(none))
                .hasMessage(none + " has no 'cpu MHz' line; -M microvm under TCG needs the TSC rate (use -M pc)");
    }
}
