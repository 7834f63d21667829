package org.memvirt.hostctl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.memvirt.host.HostRoot;
import org.memvirt.host.SwapArea;

/**
 * {@link SwapFile}'s checks before anything is made: sizes, priorities, disk space, a normal user, and how much swap is
 * missing. No root needed.
 */
class SwapFileRulesTest {
    private static final long MIB = 1 << 20;

    @TempDir
    Path fixture;

    @Test
    void sizesAndPrioritiesOutsideWhatMkswapAndSwaponTake() {
        assertThat(SwapFile.refusal(40 * 1024, -1)).isNull();
        assertThat(SwapFile.refusal(36 * 1024, -1)).isEqualTo(
                "a swap file must be a multiple of 4 KiB and at least 40 KiB (mkswap's minimum), not 36864 bytes");
        assertThat(SwapFile.refusal(64 * MIB + 512, 5)).isEqualTo(
                "a swap file must be a multiple of 4 KiB and at least 40 KiB (mkswap's minimum), not 67109376 bytes");
        assertThat(SwapFile.refusal(64 * MIB, 32767)).isNull();
        assertThat(SwapFile.refusal(64 * MIB, 32768)).isEqualTo("swap priority must be 0..32767 (or -1), not 32768");
        assertThat(SwapFile.refusal(64 * MIB, -2)).isEqualTo("swap priority must be 0..32767 (or -1), not -2");
    }

    @Test
    void theFileMustLeaveOneGibFree() {
        Path dir = Path.of("/var/lib/memvirt/swap");
        assertThat(SwapFile.diskRefusal(dir, 256 * MIB, 1280 * MIB)).isNull();
        assertThat(SwapFile.diskRefusal(dir, 256 * MIB, 1280 * MIB - 1)).isEqualTo("not enough disk space in "
                + "/var/lib/memvirt/swap for a 256 MiB swap file: 1279 MiB free, and memvirt leaves 1024 MiB");
    }

    @Test
    void theShortfallIsWhatTheHostsSwapAreasDoNotHaveFree() {
        assertThat(SwapFile.shortfall(1024 * MIB, List.of())).isEqualTo(1024 * MIB);
        List<SwapArea> areas = List.of(new SwapArea("/dev/vda2", "partition", 512 * MIB, 128 * MIB, -2),
                new SwapArea("/swapfile", "file", 256 * MIB, 0, -3));
        assertThat(SwapFile.shortfall(1024 * MIB, areas)).isEqualTo(384 * MIB);
        assertThat(SwapFile.shortfall(640 * MIB, areas)).isZero();
    }

    @Test
    void aNormalUserOrRootWithoutCapSysAdminIsRefusedBeforeAnythingIsMade() throws IOException {
        Path self = Files.createDirectories(fixture.resolve("proc/self"));
        Files.writeString(self.resolve("stat"), "4242 (java) S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 555 0 0\n");
        Files.writeString(self.resolve("status"), "Uid:\t1000\t1000\t1000\t1000\nCapEff:\t0000000000000000\n");
        Path target = fixture.resolve("swap");
        assertThatThrownBy(() -> SwapFile.create(new HostRoot(fixture), target, 32 * MIB, -1))
                .isInstanceOf(HostctlException.class).hasMessage("a swap file needs root; memvirt runs as uid 1000");
        assertThat(target).doesNotExist();
        // root in a container with Docker's default capabilities: no CAP_SYS_ADMIN, so no swapon
        Files.writeString(self.resolve("status"), "Uid:\t0\t0\t0\t0\nCapEff:\t00000000a80425fb\n");
        assertThatThrownBy(() -> SwapFile.create(new HostRoot(fixture), target, 32 * MIB, -1))
                .hasMessage("swapon(2) needs CAP_SYS_ADMIN, which this process lacks (a container that drops it?)");
        assertThat(target).doesNotExist();
    }

    @Test
    void aSwapFileForAShortfallHasWholePagesPlusTheHeaderPageAndAtLeastMkswapsMinimum() {
        // the header page, then (cpus + 1) clusters of 256 slots: 3 MiB on 2 CPUs
        assertThat(HostLimits.swapFileBytes(32 * MIB, 2)).isEqualTo(32 * MIB + 4096 + 3 * MIB);
        assertThat(HostLimits.swapFileBytes(32 * MIB + 1, 2)).isEqualTo(32 * MIB + 2 * 4096 + 3 * MIB);
        assertThat(HostLimits.swapFileBytes(1, 1)).isEqualTo(2 * 4096 + 2 * MIB);
        assertThat(HostLimits.swapFileBytes(1, -1)).isEqualTo(40 * 1024);   // mkswap's minimum, ten pages
        assertThat(HostLimits.swapFileBytes(10 * 4096, -1)).isEqualTo(11 * 4096);
    }
}
