package org.memvirt.hostctl;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import org.memvirt.Skip;
import org.memvirt.host.HostRoot;
import org.memvirt.host.ProcessIdentity;
import org.memvirt.host.SwapArea;

/**
 * This machine, for the hostctl tests that change it for real: each skips with the reason where memvirt may not
 * create memory cgroups or swap files, and {@link #assertNothingLeft} checks after every test that no group, swap
 * file or swapon of this JVM remains.
 */
final class RealHost {
    static final long MIB = 1 << 20;

    /** memvirt's own memory cgroup hierarchy here; skips where there is none memvirt may create groups in. */
    static MemoryHierarchy cgroupsOrSkip() {
        ProcessIdentity self = ProcessIdentity.self(HostRoot.REAL);
        Skip.unless(self.root(), () -> "memory cgroups need root here; this test runs as uid " + self.effectiveUid());
        String why = MemoryHierarchy.unavailableReason(HostRoot.REAL);
        Skip.unless(why == null, () -> "memvirt cannot create memory cgroups here: " + why);
        return MemoryHierarchy.find(HostRoot.REAL);
    }

    /** A new directory for swap files under target/ (a disk file system); skips where swap files cannot be used. */
    static Path swapDirOrSkip() throws IOException {
        String why = SwapFile.unavailableReason(HostRoot.REAL);
        Skip.unless(why == null, () -> "memvirt cannot switch swap files on here: " + why);
        Path target = Files.createDirectories(Path.of("target").toAbsolutePath());
        String fs = SwapFile.fileSystemType(target);
        Skip.unless(!SwapFile.REFUSING_FILE_SYSTEMS.contains(fs), () -> SwapFile.fileSystemRefusal(target, fs));
        return Files.createTempDirectory(target, "hostctl-swap-");
    }

    /**
     * What a test must leave as it found: the swap areas memvirt names (without their use; other swap areas belong to
     * whoever else uses this machine, and may come and go while the test runs) and this JVM's groups.
     */
    record State(List<String> swaps, List<Path> ownGroups) {}

    static State state(MemoryHierarchy h) {
        List<String> swaps = new ArrayList<>();
        for (SwapArea a : SwapArea.read(HostRoot.REAL)) {
            if (OwnedName.parse(Path.of(a.filename()).getFileName().toString(), SwapFile.SUFFIX).isEmpty()) continue;
            swaps.add(a.filename() + " " + a.type() + " " + a.sizeBytes() + " prio " + a.priority());
        }
        return new State(swaps, groupsOfThisJvm(h));
    }

    /** The groups under memvirt's own group named for this JVM; none when {@code h} is null (a swap-only test). */
    static List<Path> groupsOfThisJvm(MemoryHierarchy h) {
        if (h == null) return List.of();
        long pid = ProcessHandle.current().pid();
        try (Stream<Path> s = Files.list(h.ownDir())) {
            return s.filter(p -> OwnedName.parse(p.getFileName().toString(), "").map(n -> n.ownerPid() == pid)
                    .orElse(false)).sorted().toList();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /**
     * Asserts the host is as {@code before}: the same swap areas, no new group of this JVM, {@code swapDir} (when
     * given) empty. Removes what it finds first, so one failed test does not leave the machine changed.
     */
    static void assertNothingLeft(State before, MemoryHierarchy h, Path swapDir) throws IOException {
        List<Path> groups = groupsOfThisJvm(h);
        List<Path> files = swapDir == null || !Files.isDirectory(swapDir) ? List.of() : list(swapDir);
        State after = state(h);
        for (Path g : groups) if (!before.ownGroups().contains(g)) MemoryCgroup.emptyAndRemove(g, MemoryCgroup.EMPTY_WAIT);
        for (Path f : files) SwapFile.swapOffAndDelete(HostRoot.REAL, f);
        assertThat(after).isEqualTo(before);
        assertThat(files).isEmpty();
        if (swapDir != null) Files.deleteIfExists(swapDir);
    }

    static List<Path> list(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        }
    }

    /** A java child with this test's class path: {@code jvmOptions}, then {@code main}, then its arguments. */
    static Process java(List<String> jvmOptions, Class<?> main, List<String> args) throws IOException {
        return org.memvirt.ChildJvm.start(jvmOptions, main, args);
    }

    /** The line of {@code out} that starts with {@code prefix}, if any. */
    static Optional<String> line(String out, String prefix) {
        return out.lines().filter(l -> l.startsWith(prefix)).findFirst();
    }

    /** A {@link MemoryHog} of {@code mib} MiB as a command (a JVM whose heap may grow to 1 GiB). */
    static List<String> hog(int mib) {
        return List.of(ProcessHandle.current().info().command().orElse("java"), "-Xms8m", "-Xmx1g", "-XX:+UseSerialGC",
                "-cp", System.getProperty("java.class.path"), MemoryHog.class.getName(), Integer.toString(mib));
    }

    /** /dev/shm, where it is a tmpfs (swapon refuses its files); skips where it is not. */
    static Path tmpfsOrSkip() {
        Path shm = Path.of("/dev/shm");
        Skip.unless(Files.isDirectory(shm) && SwapFile.fileSystemType(shm).equals("tmpfs"), "/dev/shm is not a tmpfs");
        return shm;
    }

    private RealHost() {}
}
