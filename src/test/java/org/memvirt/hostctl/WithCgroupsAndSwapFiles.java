package org.memvirt.hostctl;

import java.io.IOException;
import java.nio.file.Path;

import org.junit.jupiter.api.BeforeEach;

/**
 * A test on this machine that needs both memory cgroups and swap files (root, a memory controller memvirt may create
 * groups under, swapon on a disk file system): skips with the reason where either is missing, and holds what the host
 * was before the test for the check after it.
 */
abstract class WithCgroupsAndSwapFiles {
    MemoryHierarchy h;
    Path dir;
    RealHost.State before;

    @BeforeEach
    final void needsCgroupsAndSwapFiles() throws IOException {
        h = RealHost.cgroupsOrSkip();
        dir = RealHost.swapDirOrSkip();
        before = RealHost.state(h);
    }
}
