package org.memvirt.hostctl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.memvirt.hostctl.RealHost.MIB;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.memvirt.host.HostRoot;

/**
 * {@link MemoryCgroup} on this machine's memory controller (root): a child of the test's own group with exactly the
 * limits asked for, processes started inside it from their first instruction, removed on close and on an exception
 * with whatever still runs in it, and a real OOM kill by the kernel reported with its time and the kernel's reason.
 * After each test no group of this JVM remains and the swap areas are as before.
 */
class MemoryCgroupTest {
    private MemoryHierarchy h;
    private RealHost.State before;

    @BeforeEach
    void needsCgroups() {
        h = RealHost.cgroupsOrSkip();
        before = RealHost.state(h);
    }

    @AfterEach
    void nothingLeft() throws IOException {
        if (before != null) RealHost.assertNothingLeft(before, h, null);
    }

    private static String read(Path file) throws IOException {
        return Files.readString(file).trim();
    }

    @Test
    void aChildOfItsOwnGroupWithExactlyTheLimitsAndTheOwnGroupUntouched() throws IOException {
        List<String> ownBefore = ownFiles();
        try (MemoryCgroup g = MemoryCgroup.create(h, new MemoryLimits(96 * MIB, 32 * MIB, 10))) {
            assertThat(g.dir().getParent()).isEqualTo(h.ownDir());
            assertThat(g.name()).matches("memvirt-" + ProcessHandle.current().pid() + "-[0-9]+-[0-9]+");
            assertThat(g.path()).isEqualTo(h.ownPath() + "/" + g.name());
            switch (h.version()) {
                case V1 -> {
                    assertThat(read(g.dir().resolve("memory.limit_in_bytes"))).isEqualTo("100663296");
                    assertThat(read(g.dir().resolve("memory.memsw.limit_in_bytes"))).isEqualTo("134217728");
                    assertThat(read(g.dir().resolve("memory.swappiness"))).isEqualTo("10");
                }
                case V2 -> {
                    assertThat(read(g.dir().resolve("memory.max"))).isEqualTo("100663296");
                    assertThat(read(g.dir().resolve("memory.swap.max"))).isEqualTo("33554432");
                }
            }
            assertThat(g.processes()).isEmpty();
            assertThat(g.usage()).isEqualTo(new CgroupUsage(0, 0, 0, 0, 0));
            assertThat(ownFiles()).isEqualTo(ownBefore);
        }
        assertThat(ownFiles()).isEqualTo(ownBefore);
    }

    /** The own group's limits, which memvirt never writes. */
    private List<String> ownFiles() throws IOException {
        List<String> names = h.version() == CgroupVersion.V1
                ? List.of("memory.limit_in_bytes", "memory.memsw.limit_in_bytes", "memory.swappiness")
                : List.of("memory.max", "memory.swap.max", "cgroup.subtree_control");
        return names.stream().map(n -> {
            try {
                return n + "=" + read(h.ownDir().resolve(n));
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        }).toList();
    }

    @Test
    void aCommandRunsInsideTheGroupFromItsFirstInstruction() throws Exception {
        try (MemoryCgroup g = MemoryCgroup.create(h, MemoryLimits.of(64 * MIB, 0))) {
            Process p = new ProcessBuilder(g.command(List.of("cat", "/proc/self/cgroup"))).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor()).as(out).isZero();
            String want = h.version() == CgroupVersion.V1 ? ":memory:" + g.path() : "0::" + g.path();
            assertThat(out.lines().filter(l -> l.endsWith(want))).as(out).hasSize(1);
            assertThat(g.usage().oomKills()).isZero();
        }
    }

    @Test
    void closeKillsWhatStillRunsInTheGroupAndRemovesIt() throws Exception {
        Process sleeper;
        Path dir;
        try (MemoryCgroup g = MemoryCgroup.create(h, MemoryLimits.of(64 * MIB, 0))) {
            dir = g.dir();
            sleeper = new ProcessBuilder(g.command(List.of("sleep", "600"))).start();
            awaitMember(g, sleeper.pid());
        }
        assertThat(sleeper.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(sleeper.exitValue()).isEqualTo(MemoryCgroup.KILLED_EXIT_VALUE);
        assertThat(dir).doesNotExist();
    }

    @Test
    void aKillThatIsNotTheOomKillersIsNotReportedAsOne() throws Exception {
        try (MemoryCgroup g = MemoryCgroup.create(h, MemoryLimits.of(64 * MIB, 0))) {
            Process sleeper = new ProcessBuilder(g.command(List.of("sleep", "600"))).start();
            awaitMember(g, sleeper.pid());
            sleeper.destroyForcibly().waitFor();
            assertThat(sleeper.exitValue()).isEqualTo(MemoryCgroup.KILLED_EXIT_VALUE);
            assertThat(g.oomKillOf(sleeper.pid(), sleeper.exitValue())).isEmpty();
            assertThat(g.oomKillOf(sleeper.pid(), 0)).isEmpty();
        }
    }

    @Test
    void anExceptionInsideTheRunStillRemovesTheGroup() {
        Path[] dir = new Path[1];
        assertThatThrownBy(() -> {
            try (MemoryCgroup g = MemoryCgroup.create(h, MemoryLimits.of(64 * MIB, 0))) {
                dir[0] = g.dir();
                new ProcessBuilder(g.command(List.of("sleep", "600"))).start();
                throw new IllegalStateException("the run failed");
            }
        }).isInstanceOf(IllegalStateException.class).hasMessage("the run failed");
        assertThat(dir[0]).doesNotExist();
    }

    @Test
    void theKernelsOomKillerInsideTheGroupIsReportedWithTimeAndReason() throws Exception {
        double tolerance = KernelClock.toleranceSeconds();
        try (MemoryCgroup g = MemoryCgroup.create(h, MemoryLimits.of(64 * MIB, 0))) {
            List<String> java = RealHost.hog(512);
            Instant started = Instant.now();
            Process hog = new ProcessBuilder(g.command(java)).redirectErrorStream(true).start();
            String out = new String(hog.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int exit = hog.waitFor();
            Instant seen = Instant.now();
            assertThat(exit).as("the hog's exit value; it printed: %s", out).isEqualTo(MemoryCgroup.KILLED_EXIT_VALUE);
            CgroupUsage u = g.usage();
            assertThat(u.oomKills()).isEqualTo(1);
            assertThat(u.peakBytes()).isEqualTo(64 * MIB);                // charges stop at the limit

            OomKill kill = g.oomKillOf(hog.pid(), exit).orElseThrow();
            System.out.println("OOM kill in " + g.path() + ": " + kill + " (the hog ran " + started + " .. " + seen + ")");
            assertThat(kill.pid()).isEqualTo(hog.pid());
            assertThat(kill.command()).isEqualTo("java");
            assertThat(kill.fromKernelLog()).isTrue();                    // root reads the kernel log
            assertThat(kill.reason()).startsWith("Memory cgroup out of memory: Killed process " + hog.pid() + " (java) total-vm:");
            long tol = Math.round(tolerance * 1e9);
            assertThat(kill.at()).isBetween(started.minusNanos(tol), seen.plusNanos(tol));
            assertThat(g.oomKillOf(hog.pid(), exit)).isEmpty();           // one kill, reported once
        }
    }

    private static void awaitMember(MemoryCgroup g, long pid) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!g.processes().contains(pid) && System.nanoTime() < deadline) Thread.sleep(5);
        assertThat(g.processes()).contains(pid);
    }

    /** The kernel log's clock against /proc/uptime's on this machine, measured now. */
    static final class KernelClock {
        /**
         * How far a kernel log time converted to wall-clock time may be off: the measured distance between a marker
         * line's log time and the /proc/uptime read around its write to /dev/kmsg, plus half the time the write took,
         * plus /proc/uptime's resolution (10 ms, two decimals) on each of the two reads.
         */
        static double toleranceSeconds() throws IOException {
            String marker = "memvirt hostctl test: kernel log clock check " + System.nanoTime();
            double u0 = KernelLog.uptime(HostRoot.REAL);
            Files.writeString(Path.of("/dev/kmsg"), marker + "\n");
            double u1 = KernelLog.uptime(HostRoot.REAL);
            KernelLog.Line line = KernelLog.read().lines().stream().filter(l -> l.text().equals(marker)).findFirst()
                    .orElseThrow(() -> new AssertionError("the marker is not in the kernel log"));
            double offset = Math.abs(line.seconds() - (u0 + u1) / 2);
            double tolerance = offset + (u1 - u0) / 2 + 0.02;
            System.out.printf("kernel log clock vs /proc/uptime: %.6f s apart, tolerance %.3f s%n", offset, tolerance);
            return tolerance;
        }
    }
}
