package org.memvirt.hostctl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.memvirt.host.HostRoot;

/**
 * {@link MemoryHierarchy} over fixture /proc/self/cgroup and mountinfo files (cgroups(7), proc(5)): this host's v1
 * layout, a systemd v2 delegation, a container's bind mount, and the hosts memvirt must refuse.
 */
class MemoryHierarchyTest {
    /** /proc/self/cgroup of this kind of host: v1 controllers, the memory group made by the machine's own tooling. */
    static final String V1_CGROUP = "9:name=systemd:/\n8:pids:/\n7:blkio:/\n6:freezer:/\n5:devices:/\n"
            + "4:memory:/process_api/17158ebefdb6\n3:cpuset:/\n2:cpuacct:/\n1:cpu:/\n0::/\n";
    static final String V1_MOUNTS = """
            30 22 0:27 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
            31 30 0:28 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
            34 30 0:31 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
            39 30 0:36 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd
            40 30 0:37 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
            """;
    static final String V2_CGROUP = "0::/user.slice/user-1000.slice/user@1000.service/app.slice/run-memvirt.scope\n";
    static final String V2_MOUNTS = "28 22 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 "
            + "cgroup2 rw,nsdelegate,memory_recursiveprot\n";

    @TempDir
    Path dir;

    private HostRoot host(String cgroup, String mountinfo) throws IOException {
        Path proc = Files.createDirectories(dir.resolve("proc/self"));
        Files.writeString(proc.resolve("cgroup"), cgroup);
        Files.writeString(proc.resolve("mountinfo"), mountinfo);
        return new HostRoot(dir);
    }

    private Path group(String path, String... files) throws IOException {
        Path d = Files.createDirectories(dir.resolve(path.substring(1)));
        for (int i = 0; i < files.length; i += 2) Files.writeString(d.resolve(files[i]), files[i + 1]);
        return d;
    }

    @Test
    void v1TheMemoryControllersMountAndTheGroupThisProcessIsIn() throws IOException {
        HostRoot root = host(V1_CGROUP, V1_MOUNTS);
        Path own = group("/sys/fs/cgroup/memory/process_api/17158ebefdb6");
        MemoryHierarchy h = MemoryHierarchy.find(root);
        assertThat(h).isEqualTo(new MemoryHierarchy(root, CgroupVersion.V1, "/process_api/17158ebefdb6", own));
        assertThat(h.childPath("memvirt-1-2-3")).isEqualTo("/process_api/17158ebefdb6/memvirt-1-2-3");
        assertThat(MemoryHierarchy.unavailableReason(root)).isNull();
    }

    @Test
    void v2ASystemdDelegationWhoseSubtreeControlEnablesMemory() throws IOException {
        HostRoot root = host(V2_CGROUP, V2_MOUNTS);
        group("/sys/fs/cgroup", "cgroup.controllers", "cpuset cpu io memory hugetlb pids rdma misc\n");
        Path own = group("/sys/fs/cgroup/user.slice/user-1000.slice/user@1000.service/app.slice/run-memvirt.scope",
                "cgroup.subtree_control", "memory pids\n");
        assertThat(MemoryHierarchy.find(root)).isEqualTo(new MemoryHierarchy(root, CgroupVersion.V2,
                "/user.slice/user-1000.slice/user@1000.service/app.slice/run-memvirt.scope", own));
    }

    @Test
    void v2WithoutMemoryInTheOwnGroupsSubtreeControlIsRefusedNotChanged() throws IOException {
        HostRoot root = host(V2_CGROUP, V2_MOUNTS);
        group("/sys/fs/cgroup", "cgroup.controllers", "cpu io memory pids\n");
        Path own = group("/sys/fs/cgroup/user.slice/user-1000.slice/user@1000.service/app.slice/run-memvirt.scope",
                "cgroup.subtree_control", "pids\n");
        assertThat(MemoryHierarchy.unavailableReason(root)).isEqualTo("cgroup v2: " + own + "/cgroup.subtree_control does "
                + "not enable memory (memvirt changes no group it did not create; run it in a group delegated to it)");
        assertThat(Files.readString(own.resolve("cgroup.subtree_control"))).isEqualTo("pids\n");
    }

    @Test
    void v2WithoutTheMemoryControllerAtAll() throws IOException {
        HostRoot root = host(V2_CGROUP, V2_MOUNTS);
        group("/sys/fs/cgroup", "cgroup.controllers", "cpu io pids\n");
        assertThat(MemoryHierarchy.unavailableReason(root)).isEqualTo("cgroup v2 at /sys/fs/cgroup has no memory controller");
    }

    @Test
    void aContainersBindMountShowsTheHierarchyFromItsOwnGroupOn() throws IOException {
        HostRoot root = host("4:memory:/docker/0a1b2c\n", "610 600 0:31 /docker/0a1b2c /sys/fs/cgroup/memory "
                + "ro,nosuid,nodev,noexec,relatime master:15 - cgroup cgroup rw,memory\n");
        Path own = group("/sys/fs/cgroup/memory");
        assertThat(MemoryHierarchy.find(root)).isEqualTo(new MemoryHierarchy(root, CgroupVersion.V1, "/docker/0a1b2c", own));
        assertThat(MemoryHierarchy.find(root).childPath("memvirt-1-2-3")).isEqualTo("/docker/0a1b2c/memvirt-1-2-3");
    }

    @Test
    void aGroupOutsideTheMountIsRefused() throws IOException {
        HostRoot root = host("4:memory:/other\n", "610 600 0:31 /docker/0a1b2c /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n");
        assertThat(MemoryHierarchy.unavailableReason(root))
                .isEqualTo("memvirt's memory cgroup /other is outside the mount at /sys/fs/cgroup/memory");
    }

    @Test
    void aMountPointWithASpaceIsUnescaped() throws IOException {
        HostRoot root = host("4:memory:/g\n", "34 30 0:31 / /cg\\040roups/memory rw - cgroup cgroup rw,memory\n");
        Path own = group("/cg roups/memory/g");
        assertThat(MemoryHierarchy.find(root).ownDir()).isEqualTo(own);
    }

    @Test
    void noMemoryControllerMountedOrAnOwnGroupThatIsGone() throws IOException {
        HostRoot root = host("1:cpu:/\n0::/\n", "31 30 0:28 / /sys/fs/cgroup/cpu rw - cgroup cgroup rw,cpu\n");
        assertThatThrownBy(() -> MemoryHierarchy.find(root)).isInstanceOf(HostctlException.class).hasMessage(
                "no memory cgroup controller is mounted for this process (/proc/self/cgroup, /proc/self/mountinfo)");
        HostRoot gone = host(V1_CGROUP, V1_MOUNTS);
        assertThat(MemoryHierarchy.unavailableReason(gone)).isEqualTo("memvirt's memory cgroup "
                + dir.resolve("sys/fs/cgroup/memory/process_api/17158ebefdb6") + " does not exist");
    }
}
