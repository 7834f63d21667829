package org.memvirt.hostctl;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.memvirt.host.HostRoot;
import org.memvirt.host.ProcessIdentity;

/**
 * A memvirt JVM ({@link HostLimitsChild}: a HostLimits session, its group with a process in it, its swap file) that ends
 * without closing them: returning from main and Ctrl-C run its shutdown hook, which restores everything; kill -9 runs
 * nothing, and the next run's {@link HostLimits#open} ({@link Leftovers}) removes exactly what it left, and nothing
 * else. Root only.
 */
class ExitPathsTest extends WithCgroupsAndSwapFiles {
    private static final Pattern READY = Pattern.compile("group=(\\S+) swap=(\\S+) sleeper=(\\d+)");
    private static final int SIGINT_EXIT = 128 + 2;                  // signal(7): SIGINT is 2

    /**
     * A child still running after a failed test is SIGKILLed and what it left removed, before the check that the host
     * is as it was; after a passing test there is nothing to remove.
     */
    @AfterEach
    void nothingLeft() throws IOException, InterruptedException {
        if (before == null) return;
        if (child != null && child.isAlive()) child.destroyForcibly().waitFor();
        List<String> removed = new ArrayList<>(Leftovers.removeStaleGroups(h));
        removed.addAll(Leftovers.removeStaleSwapFiles(HostRoot.REAL, dir));
        RealHost.assertNothingLeft(before, h, dir);
        assertThat(removed).as("what the test's child left").isEmpty();
    }

    /** What the child made, read from its line. */
    private record Made(Path group, Path swap, long sleeper) {}

    private static Made awaitReady(Process child) throws IOException {
        BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
        StringBuilder seen = new StringBuilder();
        for (String line; (line = out.readLine()) != null; ) {
            Matcher m = READY.matcher(line);
            if (m.matches()) return new Made(Path.of(m.group(1)), Path.of(m.group(2)), Long.parseLong(m.group(3)));
            seen.append(line).append('\n');
        }
        throw new AssertionError("the child ended before it was ready: " + seen);
    }

    private Process child;

    private Made startChild(String mode) throws IOException {
        Process child = RealHost.java(List.of("-Xmx64m", "-XX:+UseSerialGC"), HostLimitsChild.class,
                List.of(dir.toString(), mode));
        this.child = child;
        Made made = awaitReady(child);
        assertThat(made.group()).isDirectory();
        assertThat(made.group().getParent()).isEqualTo(h.ownDir());
        assertThat(MemoryCgroup.processes(made.group())).containsExactly(made.sleeper());
        assertThat(SwapFile.active(HostRoot.REAL, made.swap())).isTrue();
        return made;
    }

    private void assertRestored(Made made) throws InterruptedException {
        assertThat(made.group()).doesNotExist();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);   // killed; reaped by whoever inherited it
        while (ProcessHandle.of(made.sleeper()).isPresent() && System.nanoTime() < deadline) Thread.sleep(5);
        assertThat(ProcessHandle.of(made.sleeper())).isEmpty();
        assertThat(SwapFile.active(HostRoot.REAL, made.swap())).isFalse();
        assertThat(made.swap()).doesNotExist();
    }

    @Test
    void returningFromMainWithoutClosingRestoresEverythingThroughTheHooks() throws Exception {
        Made made = startChild("return");
        child.getOutputStream().write('\n');
        child.getOutputStream().flush();
        assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(child.exitValue()).isZero();
        assertRestored(made);
    }

    @Test
    void ctrlCRestoresEverythingThroughTheHooks() throws Exception {
        String noSigint = org.memvirt.ChildJvm.whyNoSigint();
        org.junit.jupiter.api.Assumptions.assumeTrue(noSigint.isEmpty(), noSigint);
        Made made = startChild("wait");
        Process kill = new ProcessBuilder("kill", "-INT", Long.toString(child.pid())).start();
        assertThat(kill.waitFor()).isZero();
        assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(child.exitValue()).isEqualTo(SIGINT_EXIT);
        assertRestored(made);
    }

    @Test
    void afterKillMinus9TheNextRunRemovesExactlyWhatTheKilledRunLeft() throws Exception {
        // what must survive the clean-up: a group and a swap-file name of a memvirt that still runs (this JVM), and
        // entries whose names memvirt does not give
        ProcessIdentity self = ProcessIdentity.self(HostRoot.REAL);
        Path liveName = dir.resolve(new OwnedName(self.pid(), self.startTicks(), 1_000_000) + SwapFile.SUFFIX);
        Files.createFile(liveName, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Path otherFile = Files.writeString(dir.resolve("notes.txt"), "not memvirt's\n");
        List<Path> ownChildrenBefore = RealHost.list(h.ownDir()).stream().filter(Files::isDirectory).toList();
        try (MemoryCgroup live = MemoryCgroup.create(h, MemoryLimits.of(64 * RealHost.MIB, 0))) {
            Made made = startChild("wait");
            child.destroyForcibly();
            assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(child.exitValue()).isEqualTo(MemoryCgroup.KILLED_EXIT_VALUE);
            // kill -9 ran no hook: all of it is still there
            assertThat(made.group()).isDirectory();
            assertThat(ProcessHandle.of(made.sleeper()).map(ProcessHandle::isAlive)).contains(true);
            assertThat(SwapFile.active(HostRoot.REAL, made.swap())).isTrue();

            // the next run: opening its session removes what the killed run left, and reports it
            try (HostLimits next = HostLimits.open(HostRoot.REAL, MemoryLimits.of(64 * RealHost.MIB, 0), dir)) {
                assertThat(next.notices()).containsExactly(
                        "swapped off and deleted swap file " + made.swap() + " of a memvirt run that no longer runs",
                        "removed memory cgroup " + made.group()
                                + " of a memvirt run that no longer runs (killed 1 process left in it)");
                assertRestored(made);
                assertThat(live.dir()).isDirectory();
                assertThat(RealHost.list(dir)).containsExactly(liveName, otherFile);
                Path nextDir = h.ownDir().resolve(Path.of(next.groupPath()).getFileName());
                List<Path> ownChildrenAfter = RealHost.list(h.ownDir()).stream().filter(Files::isDirectory).toList();
                assertThat(ownChildrenAfter).containsExactlyInAnyOrderElementsOf(
                        Stream.concat(ownChildrenBefore.stream(), Stream.of(live.dir(), nextDir)).toList());
            }
        } finally {
            Files.deleteIfExists(liveName);
            Files.deleteIfExists(otherFile);
        }
    }
}
