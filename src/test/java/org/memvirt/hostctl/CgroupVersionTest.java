package org.memvirt.hostctl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.memvirt.ExitCoded;
import org.memvirt.hostctl.CgroupVersion.Setting;

/** What each cgroup version writes for a scenario's host and how it reads a group's usage back, file by file. */
class CgroupVersionTest {
    private static final long MIB = 1 << 20;
    private static final String MEMSW_HINT = "swap accounting is off (the kernel needs swapaccount=1 on its command line)";
    private static final String SWAP_MAX_HINT = "this kernel does not account swap per group (CONFIG_SWAP, swapaccount)";

    @Test
    void v1LimitsRamThenRamPlusSwapThenSwappiness() {
        assertThat(CgroupVersion.V1.limitSettings(new MemoryLimits(2048 * MIB, 1024 * MIB, 60))).containsExactly(
                new Setting("memory.limit_in_bytes", "2147483648", ""),
                new Setting("memory.memsw.limit_in_bytes", "3221225472", MEMSW_HINT),
                new Setting("memory.swappiness", "60", ""));
        assertThat(CgroupVersion.V1.limitSettings(MemoryLimits.of(64 * MIB, 0))).containsExactly(
                new Setting("memory.limit_in_bytes", "67108864", ""),
                new Setting("memory.memsw.limit_in_bytes", "67108864", MEMSW_HINT));
    }

    @Test
    void v2LimitsRamAndSwapApartAndHasNoSwappiness() {
        assertThat(CgroupVersion.V2.limitSettings(MemoryLimits.of(2048 * MIB, 1024 * MIB))).containsExactly(
                new Setting("memory.max", "2147483648", ""), new Setting("memory.swap.max", "1073741824", SWAP_MAX_HINT));
        assertThatThrownBy(() -> CgroupVersion.V2.limitSettings(new MemoryLimits(64 * MIB, 0, 10)))
                .isInstanceOf(HostctlException.class)
                .hasMessage("cgroup v2 has no per-group swappiness (memory.swappiness is v1 only)");
    }

    @Test
    void limitsOutOfRangeAreRefusedAsInput() {
        assertThatThrownBy(() -> MemoryLimits.of(0, 0)).isInstanceOf(HostctlException.class)
                .hasMessage("a memory cgroup's RAM limit must be a positive multiple of 4 KiB, not 0")
                .extracting(e -> ((HostctlException) e).exitCode()).isEqualTo(ExitCoded.INPUT);
        assertThatThrownBy(() -> MemoryLimits.of(64 * MIB + 1, 0)).hasMessage(
                "a memory cgroup's RAM limit must be a positive multiple of 4 KiB, not 67108865");
        assertThatThrownBy(() -> MemoryLimits.of(64 * MIB, -4096)).hasMessage(
                "a memory cgroup's swap limit must be 0 or a multiple of 4 KiB, not -4096");
        assertThatThrownBy(() -> new MemoryLimits(64 * MIB, 0, 201)).hasMessage(
                "swappiness must be 0..200 (or -1 to leave it), not 201");
        assertThat(new MemoryLimits(64 * MIB, 0, 200).swappiness()).isEqualTo(200);
    }

    @Test
    void v1UsageSwapIsMemswMinusUsageAndOomKillsComeFromOomControl() {
        Map<String, String> files = new HashMap<>(Map.of("memory.usage_in_bytes", "67043328\n",
                "memory.memsw.usage_in_bytes", "100597760\n", "memory.max_usage_in_bytes", "67108864\n",
                "memory.failcnt", "1931\n", "memory.oom_control", "oom_kill_disable 0\nunder_oom 0\noom_kill 2\n"));
        assertThat(CgroupVersion.V1.usage(files::get)).isEqualTo(new CgroupUsage(67043328, 33554432, 67108864, 1931, 2));
        files.remove("memory.memsw.usage_in_bytes");                  // swap accounting off: no swap figure
        assertThat(CgroupVersion.V1.usage(files::get).swapBytes()).isZero();
    }

    @Test
    void v2UsageFromCurrentSwapCurrentPeakAndEvents() {
        Map<String, String> files = new HashMap<>(Map.of("memory.current", "67043328\n", "memory.swap.current",
                "33554432\n", "memory.peak", "67108864\n", "memory.events",
                "low 0\nhigh 0\nmax 1931\noom 3\noom_kill 2\noom_group_kill 0\n"));
        assertThat(CgroupVersion.V2.usage(files::get)).isEqualTo(new CgroupUsage(67043328, 33554432, 67108864, 1931, 2));
        files.remove("memory.peak");                                  // before Linux 5.19
        assertThat(CgroupVersion.V2.usage(files::get).peakBytes()).isEqualTo(-1);
    }

    @Test
    void aKernelBeforeTheOomKillCounterOrABadFileIsAOneLineError() {
        Map<String, String> old = Map.of("memory.usage_in_bytes", "0\n", "memory.max_usage_in_bytes", "0\n",
                "memory.failcnt", "0\n", "memory.oom_control", "oom_kill_disable 0\nunder_oom 0\n");
        assertThatThrownBy(() -> CgroupVersion.V1.usage(old::get)).isInstanceOf(HostctlException.class)
                .hasMessage("memory.oom_control has no oom_kill line (Linux 4.13 or later has one)");
        assertThatThrownBy(() -> CgroupVersion.keyValues("memory.stat", "cache 1\nrss\n"))
                .hasMessage("bad line in memory.stat: 'rss'");
        assertThat(CgroupVersion.keyValues("memory.stat", "cache 15163392\nrss 2248704\nswap 0\n"))
                .containsExactly(entry("cache", 15163392L), entry("rss", 2248704L), entry("swap", 0L));
        assertThat(List.of(CgroupVersion.V1.oomKillFile(), CgroupVersion.V2.oomKillFile()))
                .containsExactly("memory.oom_control", "memory.events");
    }
}
