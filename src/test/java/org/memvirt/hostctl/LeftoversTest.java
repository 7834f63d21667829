package org.memvirt.hostctl;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.memvirt.host.HostRoot;

/**
 * {@link Leftovers} over a fixture tree (no root): only entries named by {@link OwnedName} whose owner (PID and start
 * tick) no longer runs are removed; a live owner's, a reused PID's twin that still runs, other names, symbolic links and
 * entries of the wrong kind stay.
 */
class LeftoversTest {
    /** A stat line whose field 22 (starttime) is 555 (proc(5)). */
    private static final String STAT_4242 = "4242 (java) S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 555 0 0\n";

    @TempDir
    Path fixture;

    private HostRoot root;
    private Path own;

    @BeforeEach
    void aHostWhereProcess4242StartedAtTick555Runs() throws IOException {
        Path proc = Files.createDirectories(fixture.resolve("proc/4242"));
        Files.writeString(proc.resolve("stat"), STAT_4242);
        root = new HostRoot(fixture);
        own = Files.createDirectories(fixture.resolve("sys/fs/cgroup/memory/process_api/own"));
    }

    private Path dir(Path parent, String name) throws IOException {
        return Files.createDirectory(parent.resolve(name));
    }

    private Path file(Path parent, String name) throws IOException {
        return Files.writeString(parent.resolve(name), "x");
    }

    @Test
    void theGroupsOfDeadOwnersAreRemovedAndNothingElse() throws IOException {
        Path live = dir(own, "memvirt-4242-555-1");
        Path reused = dir(own, "memvirt-4242-554-2");                   // PID 4242 now runs another process
        Path dead = dir(own, "memvirt-9-1-1");
        Path other = dir(own, "qemu-guest");
        Path aFile = file(own, "memvirt-8-1-1");                        // not a group
        Path link = Files.createSymbolicLink(own.resolve("memvirt-7-1-1"), other);
        MemoryHierarchy h = new MemoryHierarchy(root, CgroupVersion.V1, "/process_api/own", own);

        assertThat(Leftovers.stale(root, own, "", true)).containsExactly(reused, dead);
        assertThat(Leftovers.removeStaleGroups(h)).containsExactly(
                "removed memory cgroup " + reused + " of a memvirt run that no longer runs",
                "removed memory cgroup " + dead + " of a memvirt run that no longer runs");
        assertThat(RealHost.list(own)).containsExactly(live, link, aFile, other);
        assertThat(Leftovers.removeStaleGroups(h)).isEmpty();
    }

    @Test
    void theSwapFilesOfDeadOwnersAreDeletedAndNothingElse() throws IOException {
        Path swap = Files.createDirectories(fixture.resolve("var/lib/memvirt/swap"));
        Path live = file(swap, "memvirt-4242-555-1.swap");
        Path dead = file(swap, "memvirt-9-1-1.swap");
        Path noSuffix = file(swap, "memvirt-9-1-2");
        Path aDir = dir(swap, "memvirt-9-1-3.swap");                    // not a file
        Path other = file(swap, "swapfile");

        assertThat(Leftovers.removeStaleSwapFiles(root, swap)).containsExactly(
                "deleted swap file " + dead + " of a memvirt run that no longer runs");
        assertThat(RealHost.list(swap)).containsExactly(live, noSuffix, aDir, other);
        assertThat(Leftovers.removeStaleSwapFiles(root, fixture.resolve("no/such/dir"))).isEmpty();
    }
}
