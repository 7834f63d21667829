package org.memvirt.hostctl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.memvirt.hostctl.RealHost.MIB;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.memvirt.host.HostRoot;
import org.memvirt.host.SwapArea;

/**
 * {@link SwapFile} on this machine (root): a small swap file switched on with its priority and mode 0600, off and
 * deleted on close and on an exception; a swapon the kernel refuses (tmpfs) is one line and leaves no file, and create
 * refuses such a file system before it makes anything. After each test memvirt's swap areas are as before and the directory is empty.
 */
class SwapFileTest {
    private Path dir;
    private RealHost.State before;

    @BeforeEach
    void needsSwapFiles() throws IOException {
        dir = RealHost.swapDirOrSkip();
        before = RealHost.state(null);
    }

    @AfterEach
    void nothingLeft() throws IOException {
        if (before != null) RealHost.assertNothingLeft(before, null, dir);
    }

    private static SwapArea area(Path file) {
        return SwapArea.read(HostRoot.REAL).stream().filter(a -> a.filename().equals(file.toString())).findFirst()
                .orElseThrow(() -> new AssertionError(file + " is not in /proc/swaps"));
    }

    @Test
    void aSwapFileIsOnWithItsPriorityWhileOpenAndGoneAfter() throws IOException {
        Path file;
        try (SwapFile f = SwapFile.create(HostRoot.REAL, dir, 32 * MIB, 7)) {
            file = f.path();
            assertThat(file.getParent()).isEqualTo(dir);
            assertThat(file.getFileName().toString()).matches("memvirt-" + ProcessHandle.current().pid() + "-[0-9]+-[0-9]+\\.swap");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
            assertThat(Files.size(file)).isEqualTo(32 * MIB);
            SwapArea a = area(file);
            // the first page holds mkswap's header (linux include/linux/swap.h union swap_header): one page less
            assertThat(a).isEqualTo(new SwapArea(file.toString(), "file", 32 * MIB - 4096, a.usedBytes(), 7));
            assertThat(f.active()).isTrue();
        }
        assertThat(SwapFile.active(HostRoot.REAL, file)).isFalse();
        assertThat(file).doesNotExist();
    }

    @Test
    void anExceptionInsideTheRunStillSwapsOffAndDeletes() {
        Path[] file = new Path[1];
        assertThatThrownBy(() -> {
            try (SwapFile f = SwapFile.create(HostRoot.REAL, dir, 16 * MIB, -1)) {
                file[0] = f.path();
                throw new IllegalStateException("the run failed");
            }
        }).hasMessage("the run failed");
        assertThat(SwapFile.active(HostRoot.REAL, file[0])).isFalse();
        assertThat(file[0]).doesNotExist();
    }

    /** A new directory on /dev/shm; skips where that is not a tmpfs. */
    private static Path tmpfsDir() throws IOException {
        return Files.createTempDirectory(RealHost.tmpfsOrSkip(), "memvirt-hostctl-test-");
    }

    @Test
    void theKernelRefusesASwapFileOnTmpfsAndTheFailedCreateLeavesNoFile() throws IOException {
        Path tmpfs = tmpfsDir();
        try {
            assertThatThrownBy(() -> SwapFile.create(HostRoot.REAL, tmpfs, 1 * MIB, -1, false))
                    .isInstanceOf(HostctlException.class)
                    .hasMessageMatching("swapon refused " + tmpfs + "/memvirt-[0-9]+-[0-9]+-[0-9]+\\.swap: swapon: .*: "
                            + "swapon failed: Invalid argument");
            assertThat(RealHost.list(tmpfs)).isEmpty();
        } finally {
            Files.deleteIfExists(tmpfs);
        }
    }

    @Test
    void soCreateRefusesTmpfsBeforeMakingAnything() throws IOException {
        Path tmpfs = tmpfsDir();
        Path notYet = tmpfs.resolve("swap");
        try {
            assertThatThrownBy(() -> SwapFile.create(HostRoot.REAL, notYet, 1024 * MIB, -1))
                    .isInstanceOf(HostctlException.class).hasMessage(notYet + " is on tmpfs, whose files swapon refuses "
                            + "(choose a directory on a disk file system)");
            assertThat(notYet).doesNotExist();
        } finally {
            Files.deleteIfExists(tmpfs);
        }
    }
}
