package org.memvirt.hostctl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.memvirt.hostctl.RealHost.MIB;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.memvirt.host.HostRoot;
import org.memvirt.host.SwapArea;

/**
 * {@link HostLimits}, the session a scenario run uses, on this machine (root, memory cgroup, swap files): a host of
 * 64 MiB RAM + 32 MiB swap gets a swap file for what the host's swap areas lack, a memory hog started in it fills RAM
 * and swap and is killed by the kernel's OOM killer, reported once with the kernel's line; close leaves nothing. A
 * swap file needed where none can be made is refused before any group is made.
 */
class HostLimitsTest extends WithCgroupsAndSwapFiles {
    @AfterEach
    void nothingLeft() throws IOException {
        if (before != null) RealHost.assertNothingLeft(before, h, dir);
    }

    private Path groupDir(HostLimits host) {
        return h.ownDir().resolve(Path.of(host.groupPath()).getFileName());
    }

    @Test
    void theHogFillsRamAndSwapIsOomKilledInsideTheGroupAndReportedOnce() throws Exception {
        long shortfall = SwapFile.shortfall(32 * MIB, SwapArea.read(HostRoot.REAL));
        Path group;
        Optional<Path> file;
        try (HostLimits host = HostLimits.open(HostRoot.REAL, MemoryLimits.of(64 * MIB, 32 * MIB), dir)) {
            group = groupDir(host);
            file = host.swapFile().map(SwapFile::path);
            assertThat(host.notices()).isEmpty();
            assertThat(file.isPresent()).isEqualTo(shortfall > 0);
            if (shortfall > 0) {
                assertThat(file.get().getParent()).isEqualTo(dir);
                assertThat(Files.size(file.get())).isEqualTo(HostLimits.swapFileBytes(shortfall, Runtime.getRuntime().availableProcessors()));
                assertThat(host.swapFile().get().active()).isTrue();
            }
            List<String> java = RealHost.hog(512);
            Instant started = Instant.now();
            Process hog = host.start(new ProcessBuilder(java).redirectErrorStream(true));
            String out = new String(hog.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(hog.waitFor(120, TimeUnit.SECONDS)).isTrue();
            Instant seen = Instant.now();
            assertThat(hog.exitValue()).as("the hog's exit value; it printed: %s", out)
                    .isEqualTo(MemoryCgroup.KILLED_EXIT_VALUE);

            CgroupUsage u = host.usage();
            assertThat(u.oomKills()).isEqualTo(1);
            assertThat(u.peakBytes()).isEqualTo(64 * MIB);
            if (h.version() == CgroupVersion.V1) {
                // the group's RAM + swap limit is what the hog meets (the swap file has a margin of allocator
                // clusters, HostLimits.swapFileBytes), and a charge that does not fit whole is retried page by page
                // (mm/memcontrol.c try_charge_memcg), so the peak is the limit exactly
                long memswPeak = Long.parseLong(Files.readString(group.resolve("memory.memsw.max_usage_in_bytes")).trim());
                assertThat(memswPeak).isEqualTo(96 * MIB);
            }
            List<OomKill> kills = host.oomKills();
            assertThat(kills).hasSize(1);
            OomKill k = kills.getFirst();
            System.out.println("OOM kill in " + host.groupPath() + ": " + k);
            assertThat(k.pid()).isEqualTo(hog.pid());
            assertThat(k.command()).isEqualTo("java");
            assertThat(k.fromKernelLog()).isTrue();
            assertThat(k.reason()).startsWith("Memory cgroup out of memory: Killed process " + hog.pid() + " (java) ");
            double tolerance = MemoryCgroupTest.KernelClock.toleranceSeconds();
            long tol = Math.round(tolerance * 1e9);
            assertThat(k.at()).isBetween(started.minusNanos(tol), seen.plusNanos(tol));
            assertThat(host.oomKills()).containsExactly(k);                  // reported once
        }
        assertThat(group).doesNotExist();
        if (file.isPresent()) {
            assertThat(file.get()).doesNotExist();
            assertThat(SwapFile.active(HostRoot.REAL, file.get())).isFalse();
        }
    }

    @Test
    void aProcessStartedElsewhereIsAddedAndAKillThatIsNotTheOomKillersIsNoEvent() throws Exception {
        try (HostLimits host = HostLimits.open(HostRoot.REAL, MemoryLimits.of(64 * MIB, 0), dir)) {
            assertThat(host.swapFile()).isEmpty();
            Process sleeper = new ProcessBuilder("sleep", "600").start();
            host.add(sleeper);
            assertThat(host.processes()).containsExactly(sleeper.pid());
            sleeper.destroyForcibly().waitFor();
            assertThat(sleeper.exitValue()).isEqualTo(MemoryCgroup.KILLED_EXIT_VALUE);
            assertThat(host.oomKills()).isEmpty();
        }
    }

    @Test
    void aSwapFileNeededOnTmpfsIsRefusedBeforeAnyGroupIsMade() throws IOException {
        Path shm = RealHost.tmpfsOrSkip();
        long free = 0;
        for (SwapArea a : SwapArea.read(HostRoot.REAL)) free += a.sizeBytes() - a.usedBytes();
        long wanted = (free / MIB + 64) * MIB;                               // 64 MiB more than the host has free
        assertThatThrownBy(() -> HostLimits.open(HostRoot.REAL, MemoryLimits.of(64 * MIB, wanted), shm.resolve("x")))
                .isInstanceOf(HostctlException.class)
                .hasMessage("the host's swap areas have 64 MiB less free than the scenario's swap: " + shm.resolve("x")
                        + " is on tmpfs, whose files swapon refuses (choose a directory on a disk file system)");
        assertThat(RealHost.groupsOfThisJvm(h)).isEqualTo(before.ownGroups());
    }
}
