package org.memvirt.hostctl;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.memvirt.host.ProcessIdentity;

/**
 * A memory cgroup memvirt creates for one run, as a child of its own group, named {@link OwnedName}: its limits, the
 * processes memvirt starts in it ({@link #command}), its usage and OOM kills. {@link #close} (and, should the JVM exit
 * first, a shutdown hook) kills what still runs in it and removes it; a group whose owner was killed before it could
 * is removed by the next run ({@link Leftovers}).
 */
public final class MemoryCgroup extends HostChange {
    /** Java's exit value for a child that died of SIGKILL (java.lang.ProcessImpl: 0x80 + WTERMSIG; signal(7): 9). */
    public static final int KILLED_EXIT_VALUE = 0x80 + 9;
    static final Duration EMPTY_WAIT = Duration.ofSeconds(10);
    /**
     * The start of every command run in the group: the shell writes its own PID into cgroup.procs and only then
     * becomes the program ({@code exec} keeps the PID), so nothing of the program ever runs or allocates outside.
     */
    private static final String JOIN_THEN_EXEC = "echo $$ > \"$0\" && exec \"$@\"";

    private final MemoryHierarchy hierarchy;
    private final OwnedName name;
    private final Path dir;
    private final MemoryLimits limits;
    private final double createdUptime;
    private final List<String> leftoversRemoved;
    private long oomKillsReported;

    private MemoryCgroup(MemoryHierarchy hierarchy, OwnedName name, MemoryLimits limits, double createdUptime,
            List<String> leftoversRemoved) {
        super("memvirt-cgroup-remove");
        this.hierarchy = hierarchy;
        this.name = name;
        this.dir = hierarchy.ownDir().resolve(name.toString());
        this.limits = limits;
        this.createdUptime = createdUptime;
        this.leftoversRemoved = List.copyOf(leftoversRemoved);
    }

    /**
     * Creates a group with {@code limits} under memvirt's own group in {@code hierarchy}, after removing the groups
     * there that dead memvirt runs left ({@link Leftovers#removeStaleGroups}). On any failure nothing is left: the
     * half-made group is removed before the error is thrown.
     */
    public static MemoryCgroup create(MemoryHierarchy hierarchy, MemoryLimits limits) {
        List<CgroupVersion.Setting> settings = hierarchy.version().limitSettings(limits);   // refusals before mkdir
        List<String> removed = Leftovers.removeStaleGroups(hierarchy);
        OwnedName name = OwnedName.next(ProcessIdentity.self(hierarchy.root()));
        MemoryCgroup g = new MemoryCgroup(hierarchy, name, limits, KernelLog.uptime(hierarchy.root()), removed);
        try {
            Files.createDirectory(g.dir);
        } catch (IOException e) {
            throw HostctlException.host("cannot create memory cgroup " + g.dir + ": " + KernelFiles.reason(e));
        }
        g.hook();
        try {
            for (CgroupVersion.Setting s : settings) {
                Path file = g.dir.resolve(s.file());
                if (!Files.exists(file)) throw HostctlException.host(file + " does not exist: " + s.missingHint());
                KernelFiles.write(file, s.value());
            }
            return g;
        } catch (RuntimeException e) {
            g.abandon();
            throw e;
        }
    }

    /** The group's name, {@code memvirt-PID-START-N}. */
    public String name() {
        return name.toString();
    }

    /** The group's path in the hierarchy, as /proc/PID/cgroup of a process in it shows it. */
    public String path() {
        return hierarchy.childPath(name.toString());
    }

    /** The group's directory. */
    public Path dir() {
        return dir;
    }

    public MemoryLimits limits() {
        return limits;
    }

    /** What {@link #create} removed first, one line each (for the run's notices); empty when nothing was stale. */
    public List<String> leftoversRemoved() {
        return leftoversRemoved;
    }

    /**
     * {@code argv} run inside this group from its first instruction: {@code /bin/sh -c 'echo $$ > cgroup.procs && exec
     * "$@"'} before it. Compose it after a wrapper that must run first (such as setpriv), never before one.
     */
    public List<String> command(List<String> argv) {
        if (argv.isEmpty()) throw new IllegalArgumentException("no command to run in " + dir);
        List<String> out = new ArrayList<>(List.of("/bin/sh", "-c", JOIN_THEN_EXEC, dir.resolve("cgroup.procs").toString()));
        out.addAll(argv);
        return out;
    }

    /**
     * Moves {@code pid}, a process memvirt started, into the group (writes it to cgroup.procs). What it has charged
     * already stays with its old group: v1 moves charges only with memory.move_charge_at_immigrate, which memvirt does
     * not set (cgroup-v1/memory.rst §8), and v2 never moves them (cgroup-v2.rst "Memory Ownership"). Start a process
     * with {@link #command} to have all of its memory counted.
     */
    public void add(long pid) {
        KernelFiles.write(dir.resolve("cgroup.procs"), Long.toString(pid));
    }

    /** The PIDs in the group now (its cgroup.procs). */
    public List<Long> processes() {
        return processes(dir);
    }

    /** Memory and swap charged to the group now, its peak, limit hits and OOM kills. */
    public CgroupUsage usage() {
        return hierarchy.version().usage(file -> KernelFiles.readOrNull(dir.resolve(file)));
    }

    /** The group's memory.stat, in the kernel's order (v1 and v2 name their keys differently). */
    public Map<String, Long> stat() {
        String text = KernelFiles.readOrNull(dir.resolve("memory.stat"));
        if (text == null) throw HostctlException.host(dir + "/memory.stat does not exist");
        return CgroupVersion.keyValues("memory.stat", text);
    }

    /**
     * Whether the process {@code pid}, started in this group, that ended with {@code exitValue} (as
     * {@link Process#exitValue} gives it) was killed by the kernel's OOM killer: it died of SIGKILL and the group's
     * oom_kill counter has risen past the kills already reported. The kill's time and reason come from the kernel
     * log where it is readable (root), else from what memvirt saw.
     */
    public synchronized Optional<OomKill> oomKillOf(long pid, int exitValue) {
        if (exitValue != KILLED_EXIT_VALUE) return Optional.empty();
        Instant seen = Instant.now();
        long count = usage().oomKills();
        if (count <= oomKillsReported) return Optional.empty();
        oomKillsReported++;
        String why;
        try {
            Optional<KernelLog.Line> line = KernelLog.read().memcgOomKill(pid, createdUptime);
            if (line.isPresent()) {
                Instant at = KernelLog.wallClock(line.get().seconds(), KernelLog.uptime(hierarchy.root()), Instant.now());
                return Optional.of(new OomKill(pid, KernelLog.command(line.get().text()), at, line.get().text(), true));
            }
            why = "the kernel log has no line for it";
        } catch (HostctlException e) {
            why = "the kernel log is not readable: " + e.getMessage();
        }
        return Optional.of(new OomKill(pid, "?", seen, "killed by SIGKILL while the oom_kill count of " + dir.resolve(
                hierarchy.version().oomKillFile()) + " rose to " + count + " (" + why + ")", false));
    }

    /** Kills whatever still runs in the group (only memvirt starts processes there) and removes it. */
    @Override
    void undo() {
        emptyAndRemove(dir, EMPTY_WAIT);
    }

    /**
     * SIGKILLs every process in the group at {@code dir} until none is left, then removes it; the number of processes
     * killed. A HostctlException when it is not empty and removed within {@code wait}.
     */
    static int emptyAndRemove(Path dir, Duration wait) {
        long deadline = System.nanoTime() + wait.toNanos();
        Set<Long> killed = new LinkedHashSet<>();
        while (true) {
            if (!Files.isDirectory(dir)) return killed.size();
            List<Long> pids = processes(dir);
            if (pids.isEmpty()) {
                try {
                    Files.delete(dir);                                    // rmdir(2): cgroupfs removes the group
                    return killed.size();
                } catch (IOException e) {
                    if (System.nanoTime() > deadline) {
                        throw HostctlException.host("cannot remove memory cgroup " + dir + ": " + KernelFiles.reason(e));
                    }
                }
            } else if (System.nanoTime() > deadline) {
                throw HostctlException.host("cannot remove memory cgroup " + dir + ": processes " + pids + " still in it after "
                        + wait.toSeconds() + " s");
            }
            for (long pid : pids) ProcessHandle.of(pid).ifPresent(p -> {
                if (p.destroyForcibly()) killed.add(pid);
            });
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw HostctlException.host("interrupted while removing memory cgroup " + dir);
            }
        }
    }

    /** The PIDs in cgroup.procs of the group at {@code dir}; none when the group is gone. */
    static List<Long> processes(Path dir) {
        String text = KernelFiles.readOrNull(dir.resolve("cgroup.procs"));
        if (text == null) return List.of();
        List<Long> out = new ArrayList<>();
        for (String line : text.split("\n")) if (!line.isBlank()) out.add(Long.parseLong(line.trim()));
        return out;
    }
}
