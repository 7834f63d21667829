package org.memvirt.hostctl;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * ksmd running for one run: saves every /sys/kernel/mm/ksm value it changes, writes the run's settings, and restores
 * the saved values in {@link #close} and, should the JVM exit first, in a shutdown hook. Reads the global counters
 * as changes since the session started (other processes, QEMU among them, merge too). The sysfs directory is
 * {@link #DIR} unless a caller (a test, over a fixture directory) names another.
 *
 * <p>With a state directory ({@link #STATE_DIR} for the real sysfs) the saved values are also written to a file named
 * for the owning process ({@link OwnedName}{@code .ksm}) before any knob changes, and deleted once they are restored;
 * a kill -9 runs no hook, so the next session's start restores the values of a dead owner's file first and reports it
 * ({@link #leftoversRestored()}).
 */
public final class KsmSession extends HostChange {
    public static final Path DIR = Path.of("/sys/kernel/mm/ksm");
    /** The global counters of ksm.rst, in its order (a kernel may lack the newer ones). */
    public static final List<String> COUNTERS = List.of("pages_scanned", "pages_shared", "pages_sharing", "pages_unshared",
            "pages_volatile", "full_scans", "general_profit", "ksm_zero_pages", "stable_node_chains", "stable_node_dups");

    private static final long INITIAL_SCAN_BOUND_NANOS = 2_000_000_000L;

    /** Where sessions on the real sysfs keep the values they will restore, for the next run after a kill -9. */
    public static final Path STATE_DIR = Path.of("/var/lib/memvirt/ksm");
    static final String SUFFIX = ".ksm";

    private final Map<String, String> saved = new LinkedHashMap<>();   // in write order; restored in reverse
    private Path stateFile;                                            // null: no record kept
    private List<String> leftoversRestored = List.of();
    private final Map<String, Long> start = new LinkedHashMap<>();
    private final Path dir;
    private final KsmSettings settings;

    private KsmSession(Path dir, KsmSettings settings) {
        super("ksm-restore");
        this.dir = dir;
        this.settings = settings;
    }

    /** Why KSM cannot be driven here, or null when it can (the directory exists and this user may write it). */
    public static String unavailableReason() {
        return unavailableReason(DIR);
    }

    public static String unavailableReason(Path dir) {
        if (!Files.isDirectory(dir)) return dir + " does not exist (kernel built without CONFIG_KSM)";
        if (!Files.isWritable(dir.resolve("run"))) return dir + "/run is not writable (KSM needs root)";
        return null;
    }

    /**
     * Restores what a dead session left (its state file), saves, then writes pages_to_scan, sleep_millisecs,
     * use_zero_pages and finally run=1.
     */
    public static KsmSession start(KsmSettings settings) {
        return start(DIR, settings, STATE_DIR);
    }

    /** {@link #start(KsmSettings)} on the KSM sysfs directory {@code dir}, keeping no state file. */
    public static KsmSession start(Path dir, KsmSettings settings) {
        return start(dir, settings, null);
    }

    /** {@link #start(KsmSettings)} on {@code dir} with state files in {@code stateDir} (null: none). */
    public static KsmSession start(Path dir, KsmSettings settings, Path stateDir) {
        String why = unavailableReason(dir);
        if (why != null) throw HostctlException.host("cannot run KSM: " + why);
        List<String> restored = stateDir == null ? List.of() : restoreStale(dir, stateDir);
        KsmSession s = new KsmSession(dir, settings);
        s.leftoversRestored = restored;
        s.hook();
        try {
            if (stateDir != null) {
                for (String knob : List.of("run", "pages_to_scan", "sleep_millisecs", "use_zero_pages")) {
                    if (Files.exists(dir.resolve(knob))) s.saved.put(knob, readText(dir, knob));
                }
                s.stateFile = stateDir.resolve(OwnedName.next(org.memvirt.host.ProcessIdentity.self(
                        org.memvirt.host.HostRoot.REAL)) + SUFFIX);
                writeState(s.stateFile, s.saved);
            }
            s.set("pages_to_scan", Long.toString(settings.pagesToScan()));
            s.set("sleep_millisecs", Long.toString(settings.sleepMillisecs()));
            if (settings.useZeroPages() != null) s.set("use_zero_pages", settings.useZeroPages() ? "1" : "0");
            s.set("run", "1");
            // two full scans first (at most 2 s): pages of VMs unmapped since ksmd last ran still count until its scan
            // passes their process. Two, because a ksmd stopped mid-scan resumes at its cursor: the first full_scans
            // step may come before it has visited the start of the list again. With no MADV_MERGEABLE process
            // registered, full_scans does not move at all (mm/ksm.c scan_get_next_rmap_item returns at once), and
            // there is nothing stale to wait for.
            s.settle(2, INITIAL_SCAN_BOUND_NANOS);
            for (String c : COUNTERS) if (Files.exists(dir.resolve(c))) s.start.put(c, read(dir, c));
            return s;
        } catch (RuntimeException e) {
            s.close();                                            // restores what was written; the first error is thrown
            throw e;
        }
    }

    public KsmSettings settings() {
        return settings;
    }

    /** What {@link #start} restored that dead sessions had left, one line each. */
    public List<String> leftoversRestored() {
        return leftoversRestored;
    }

    /**
     * Restores what dead sessions on the real sysfs left ({@link #STATE_DIR}), for a run that starts no session of its
     * own; one line per file. Nothing where KSM cannot be driven here.
     */
    public static List<String> restoreLeftovers() {
        if (unavailableReason() != null || !Files.isDirectory(STATE_DIR)) return List.of();
        return restoreStale(DIR, STATE_DIR);
    }

    /**
     * Restores the knobs recorded in the state files of {@code stateDir} whose owner is gone (run first) and deletes
     * the files; one line per file.
     */
    static List<String> restoreStale(Path dir, Path stateDir) {
        List<String> done = new ArrayList<>();
        for (Path file : Leftovers.stale(org.memvirt.host.HostRoot.REAL, stateDir, SUFFIX, false)) {
            try {
                Map<String, String> values = new LinkedHashMap<>();
                for (String line : Files.readAllLines(file)) {
                    int eq = line.indexOf('=');
                    if (eq > 0) values.put(line.substring(0, eq), line.substring(eq + 1));
                }
                restore(dir, values);
                Files.delete(file);
                done.add("restored KSM's " + String.join(", ", values.keySet()) + " from " + file
                        + " of a memvirt run that no longer runs");
            } catch (IOException | RuntimeException e) {
                done.add("cannot restore KSM from " + file + ": " + e.getMessage());
            }
        }
        return done;
    }

    private static void writeState(Path file, Map<String, String> values) {
        StringBuilder sb = new StringBuilder();
        values.forEach((k, v) -> sb.append(k).append('=').append(v).append('\n'));
        try {
            Files.createDirectories(file.getParent());
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.writeString(tmp, sb);
            Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw HostctlException.host("cannot write " + file + ": " + e.getMessage());
        }
    }

    private void set(String knob, String value) {
        String old = readText(dir, knob);
        if (!saved.containsKey(knob)) saved.put(knob, old);
        write(dir, knob, value);
    }

    /**
     * The global counters' changes since the session started, named {@code ksm_global_<counter>} (the engines' counter
     * names) in ksm.rst's order: those this kernel has (ksm.rst's counters came in different releases; a 6.1 kernel
     * lacks pages_scanned and ksm_zero_pages).
     */
    public Map<String, Long> globalDeltas() {
        Map<String, Long> out = new LinkedHashMap<>();
        for (String c : start.keySet()) out.put("ksm_global_" + c, read(dir, c) - start.get(c));
        return out;
    }

    public long fullScans() {
        return read(dir, "full_scans");
    }

    /**
     * Waits until ksmd has finished {@code settings.settleScans()} more full scans (merging has settled for pages
     * written before the call), or until {@code maxNanos} or the settings' bound passes. Returns the nanoseconds waited.
     */
    public long settle(long maxNanos) {
        return settle(settings.settleScans(), maxNanos);
    }

    private long settle(int scans, long maxNanos) {
        long t0 = System.nanoTime();
        long bound = Math.min(maxNanos, settings.settleBound().toNanos());
        long target = fullScans() + scans;
        while (fullScans() < target && System.nanoTime() - t0 < bound) {
            try {
                Thread.sleep(Math.max(1, Math.min(settings.sleepMillisecs(), 20)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return System.nanoTime() - t0;
    }

    /** Restores every saved value, run first (so ksmd stops before its knobs change back), then drops the state file. */
    @Override
    void undo() {
        restore(dir, saved);
        if (stateFile != null) {
            try {
                Files.deleteIfExists(stateFile);
            } catch (IOException e) {
                // the next run finds it and writes the same values again
            }
        }
    }

    /** Writes {@code values} back, run first; a value that cannot be written does not stop the rest. */
    private static void restore(Path dir, Map<String, String> values) {
        List<String> knobs = new ArrayList<>(values.keySet());
        if (knobs.remove("run")) knobs.addFirst("run");
        for (String k : knobs) {
            try {
                write(dir, k, values.get(k));
            } catch (RuntimeException e) {
                // restore the rest anyway
            }
        }
    }

    public static long read(Path dir, String name) {
        String v = readText(dir, name);
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw HostctlException.host("bad value in " + dir.resolve(name) + ": '" + v + "'");
        }
    }

    public static String readText(Path dir, String name) {
        try {
            return Files.readString(dir.resolve(name)).trim();
        } catch (IOException e) {
            throw HostctlException.host("cannot read " + dir.resolve(name) + ": " + e.getMessage());
        }
    }

    private static void write(Path dir, String name, String value) {
        try {
            Files.writeString(dir.resolve(name), value);
        } catch (IOException e) {
            throw HostctlException.host("cannot write " + value + " to " + dir.resolve(name) + ": " + e.getMessage());
        }
    }
}
