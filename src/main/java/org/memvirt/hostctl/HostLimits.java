package org.memvirt.hostctl;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.memvirt.host.HostRoot;
import org.memvirt.host.SwapArea;

/**
 * A scenario's host made real for one run: its RAM and swap as the limits of a memory cgroup memvirt creates (a child of
 * the group memvirt runs in), a swap file where the host has less free swap than the scenario asks for, and the
 * kernel's OOM killer inside that group reported as events. One session per run:
 *
 * <pre>{@code
 * try (HostLimits host = HostLimits.open(HostRoot.REAL, MemoryLimits.of(ram, swap), SwapFile.DEFAULT_DIR)) {
 *     host.notices().forEach(System.err::println);       // what dead runs had left, removed first
 *     Process vm = host.start(new ProcessBuilder(qemuArgv)); // inside the group from its first instruction
 *     ...
 *     CgroupUsage u = host.usage();                       // resident, swapped, peak, limit hits, OOM kills now
 *     for (OomKill k : host.oomKills()) ...                // processes started here that the kernel's OOM killer
 *                                                          // killed: pid, comm, time, the kernel's line
 * }                                                        // kills what still runs in the group, removes it, swaps
 *                                                          // the file off and deletes it
 * }</pre>
 *
 * <p>Everything that can be refused is refused before anything is made (no memory controller to use, v2 without memory
 * delegated, a swap file needed but not root, the swap directory on tmpfs or overlay, too little disk), with a
 * one-line HostctlException. What is made is undone by {@link #close}, or by a shutdown hook (in the same order) should
 * the JVM exit first (the end of main, an exception, Ctrl-C, SIGTERM); after a kill -9 the next {@code open} removes the groups and swap
 * files whose owner is gone ({@link Leftovers}) and reports them in {@link #notices}. Nothing memvirt did not create is
 * written: not memvirt's own group, not another swap area, not another run's group.
 *
 * <p>Thread-safe: the runner's threads (one per VM) may call {@link #start}, {@link #usage} and {@link #oomKills}
 * concurrently.
 */
public final class HostLimits implements AutoCloseable {
    private final MemoryCgroup group;
    private final SwapFile swapFile;                                  // null: the host's own swap sufficed
    private final List<String> notices;
    private final List<Process> unchecked = new ArrayList<>();       // started here, exit not looked at yet
    private final List<OomKill> kills = new ArrayList<>();
    private final Thread hook = new Thread(this::closeQuietly, "memvirt-host-limits-restore");

    private HostLimits(MemoryCgroup group, SwapFile swapFile, List<String> notices) {
        this.group = group;
        this.swapFile = swapFile;
        this.notices = List.copyOf(notices);
    }

    /** One shutdown hook that restores in {@link #close}'s order, in place of the group's and the swap file's own. */
    private HostLimits hook() {
        Runtime.getRuntime().addShutdownHook(hook);
        group.handOver();
        if (swapFile != null) swapFile.handOver();
        return this;
    }

    /**
     * Opens a session on {@code root}: a memory cgroup with {@code limits} and, where the host's swap areas have less
     * free than {@code limits.swapBytes()}, a swap file of the shortfall in {@code swapDir} (root only; null: never make
     * one, and refuse a scenario that would need it). Stale groups and swap files of dead memvirt runs are removed
     * first.
     */
    public static HostLimits open(HostRoot root, MemoryLimits limits, Path swapDir) {
        MemoryHierarchy hierarchy = MemoryHierarchy.find(root);
        hierarchy.version().limitSettings(limits);                    // a v2 swappiness is refused before anything
        List<String> notices = new ArrayList<>();
        if (swapDir != null && SwapFile.unavailableReason(root) == null) {
            // before the free swap is counted: a dead run's swap file still on is not swap this run may count on
            notices.addAll(Leftovers.removeStaleSwapFiles(root, swapDir));
        }
        long shortfall = SwapFile.shortfall(limits.swapBytes(), SwapArea.read(root));
        if (shortfall > 0) {
            if (swapDir == null) {
                throw HostctlException.host(shortfallMessage(shortfall) + " and no swap file may be made");
            }
            String why = SwapFile.unavailableReason(root);
            if (why != null) throw HostctlException.host(shortfallMessage(shortfall) + ": " + why);
            String fs = SwapFile.fileSystemType(swapDir);
            if (SwapFile.REFUSING_FILE_SYSTEMS.contains(fs)) {
                throw HostctlException.host(shortfallMessage(shortfall) + ": " + SwapFile.fileSystemRefusal(swapDir, fs));
            }
        }
        SwapFile swap = shortfall == 0 ? null : SwapFile.create(root, swapDir,
                swapFileBytes(shortfall, Runtime.getRuntime().availableProcessors()), -1);
        MemoryCgroup group = null;
        try {
            group = MemoryCgroup.create(hierarchy, limits);
            notices.addAll(group.leftoversRemoved());
            return new HostLimits(group, swap, notices).hook();
        } catch (RuntimeException e) {
            if (group != null) group.abandon();
            if (swap != null) swap.abandon();
            throw e;
        }
    }

    /** Swap slots a cluster of the kernel's swap allocator holds (linux mm/swapfile.c SWAPFILE_CLUSTER). */
    static final long SWAP_CLUSTER_PAGES = 256;

    /**
     * The size of a swap file that adds {@code shortfall} bytes of swap on a host of {@code cpus} CPUs: rounded up to
     * whole pages, plus the page mkswap's header takes (linux include/linux/swap.h union swap_header), plus one
     * allocator cluster per CPU and one more, at least mkswap's minimum. The margin is there because the kernel hands
     * out swap slots cluster by cluster, each CPU from a cluster of its own (mm/swapfile.c, the per-CPU cluster), so
     * an area filled to its last clusters can refuse a page while some of its slots are free (a run of a 32 MiB file
     * on 2 CPUs stopped 12 pages short); the scenario's swap is enforced by the group's RAM + swap limit, which must
     * be what the workload meets, not the file's end.
     */
    static long swapFileBytes(long shortfall, int cpus) {
        long pages = (shortfall + SwapFile.PAGE - 1) / SwapFile.PAGE;
        return Math.max(SwapFile.MIN_BYTES, (pages + 1 + (cpus + 1) * SWAP_CLUSTER_PAGES) * SwapFile.PAGE);
    }

    private static String shortfallMessage(long shortfall) {
        return "the host's swap areas have " + (shortfall >> 20) + " MiB less free than the scenario's swap";
    }

    /** Starts {@code pb}'s command inside the group from its first instruction; its exit is checked for an OOM kill. */
    public Process start(ProcessBuilder pb) throws IOException {
        List<String> argv = pb.command();
        pb.command(group.command(argv));
        try {
            Process p = pb.start();
            synchronized (this) {
                unchecked.add(p);
            }
            return p;
        } finally {
            pb.command(argv);
        }
    }

    /**
     * {@code argv} run inside the group from its first instruction (for a launcher that starts processes itself);
     * pass the process it starts to {@link #watch}.
     */
    public List<String> command(List<String> argv) {
        return group.command(argv);
    }

    /** Checks {@code p}, started with {@link #command}, for an OOM kill when it ends. */
    public synchronized void watch(Process p) {
        unchecked.add(p);
    }

    /**
     * Moves {@code p}, a process memvirt started some other way, into the group; its exit is checked for an OOM kill.
     * Memory it charged before the move stays outside ({@link MemoryCgroup#add}).
     */
    public synchronized void add(Process p) {
        group.add(p.pid());
        unchecked.add(p);
    }

    /** Memory and swap charged to the group now, its peak, limit hits and OOM kills (the kernel's counters). */
    public CgroupUsage usage() {
        return group.usage();
    }

    /** The group's memory.stat, in the kernel's order. */
    public Map<String, Long> stat() {
        return group.stat();
    }

    /** The PIDs in the group now. */
    public List<Long> processes() {
        return group.processes();
    }

    /**
     * The processes started here ({@link #start}, {@link #add}) that the kernel's OOM killer killed so far, in the order
     * memvirt saw them end: each with its time and the kernel's line where the kernel log is readable.
     */
    public synchronized List<OomKill> oomKills() {
        for (Iterator<Process> it = unchecked.iterator(); it.hasNext(); ) {
            Process p = it.next();
            if (p.isAlive()) continue;
            it.remove();
            group.oomKillOf(p.pid(), p.exitValue()).ifPresent(kills::add);
        }
        return List.copyOf(kills);
    }

    public MemoryLimits limits() {
        return group.limits();
    }

    /** The group's path in the hierarchy, as /proc/PID/cgroup of a process in it shows it. */
    public String groupPath() {
        return group.path();
    }

    /** The group itself (package-private: for the tests). */
    MemoryCgroup group() {
        return group;
    }

    /** The swap file made for this run, if the host's own swap did not suffice. */
    public Optional<SwapFile> swapFile() {
        return Optional.ofNullable(swapFile);
    }

    /** What {@link #open} removed that dead memvirt runs had left, one line each. */
    public List<String> notices() {
        return notices;
    }

    /**
     * Records the OOM kills of processes that already ended, then kills what still runs in the group and removes it,
     * then swaps the file off and deletes it (the group's pages in swap are gone by then, so swapoff reads nothing back
     * for them). The first failure is thrown, a second added to it as suppressed.
     */
    @Override
    public void close() {
        RuntimeException failed = null;
        try {
            oomKills();
        } catch (RuntimeException e) {
            failed = e;
        }
        try {
            group.close();
        } catch (RuntimeException e) {
            failed = first(failed, e);
        }
        if (swapFile != null) {
            try {
                swapFile.close();
            } catch (RuntimeException e) {
                failed = first(failed, e);
            }
        }
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // the JVM is shutting down: this is the hook, or the hook runs close, whose parts undo once
        }
        if (failed != null) throw failed;
    }

    private void closeQuietly() {
        try {
            close();
        } catch (RuntimeException e) {
            // the JVM is exiting: the next run removes what is left (Leftovers)
        }
    }

    private static RuntimeException first(RuntimeException first, RuntimeException next) {
        if (first == null) return next;
        first.addSuppressed(next);
        return first;
    }
}
