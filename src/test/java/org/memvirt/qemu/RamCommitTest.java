package org.memvirt.qemu;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.memvirt.host.HostRoot;

/** mm/util.c __vm_enough_memory's three modes over a fake /proc (kB values as /proc/meminfo prints them). */
class RamCommitTest {
    static final long GIB = 1L << 30;
    @TempDir Path root;

    HostRoot host(String overcommit, String meminfo) throws IOException {
        Files.createDirectories(root.resolve("proc/sys/vm"));
        Files.writeString(root.resolve("proc/sys/vm/overcommit_memory"), overcommit + "\n");
        Files.writeString(root.resolve("proc/sys/vm/admin_reserve_kbytes"), "8192\n");
        Files.writeString(root.resolve("proc/sys/vm/user_reserve_kbytes"), "131072\n");
        Files.writeString(root.resolve("proc/meminfo"), meminfo);
        return new HostRoot(root);
    }

    static final String MEMINFO_24G = "MemTotal:       24683652 kB\nMemFree:        24301560 kB\nSwapTotal:             0 kB\n"
            + "CommitLimit:    12341824 kB\nCommitted_AS:    1048576 kB\n";

    @Test
    void guessRefusesOneMappingLargerThanRamPlusSwap() throws IOException {
        HostRoot h = host("0", MEMINFO_24G);
        long ramPlusSwap = 24683652L * 1024;
        assertThat(RamCommit.check(h, ramPlusSwap, true, false))
                .isEqualTo(new RamCommit(true, "vm.overcommit_memory=0: 23.5 GiB of guest RAM <= RAM + swap 23.5 GiB"));
        assertThat(RamCommit.check(h, ramPlusSwap + 4096, true, false).fits()).isFalse();
        assertThat(RamCommit.check(h, 64 * GIB, true, false))
                .isEqualTo(new RamCommit(false, "vm.overcommit_memory=0: 64.0 GiB of guest RAM > RAM + swap 23.5 GiB"));
    }

    @Test
    void swapCountsUnderGuess() throws IOException {
        HostRoot h = host("0", MEMINFO_24G.replace("SwapTotal:             0 kB", "SwapTotal:      50331648 kB"));
        assertThat(RamCommit.check(h, 64 * GIB, false, false).fits()).isTrue();
    }

    @Test
    void alwaysAllowsEverything() throws IOException {
        assertThat(RamCommit.check(host("1", MEMINFO_24G), 1L << 50, true, false))
                .isEqualTo(new RamCommit(true, "vm.overcommit_memory=1: every mapping is allowed"));
    }

    @Test
    void neverCountsCommittedMemoryReservesAndTheTcgBuffer() throws IOException {
        HostRoot h = host("2", MEMINFO_24G);
        // allowed = CommitLimit 12341824 kB - admin 8192 kB (no CAP_SYS_ADMIN) - user 131072 kB = 12202560 kB
        long allowed = 12202560L * 1024, committed = 1048576L * 1024;
        long kvmFits = allowed - committed - 1;
        assertThat(RamCommit.check(h, kvmFits, false, false).fits()).isTrue();
        assertThat(RamCommit.check(h, kvmFits + 1, false, false).fits()).isFalse();
        assertThat(RamCommit.check(h, kvmFits, true, false).fits()).isFalse();                 // + 1 GiB TCG buffer
        assertThat(RamCommit.check(h, kvmFits + 8192L * 1024, false, true).fits()).isTrue();  // no admin reserve
        assertThat(RamCommit.check(h, 4 * GIB, false, false).reason())
                .isEqualTo("vm.overcommit_memory=2: committed 1.0 GiB + 4.0 GiB < allowed 11.6 GiB");
    }
}
