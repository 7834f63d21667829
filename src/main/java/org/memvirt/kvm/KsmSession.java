package org.memvirt.kvm;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.memvirt.engine.Counters;

/**
 * ksmd running for one run: saves every /sys/kernel/mm/ksm value it changes, writes the run's settings, and restores
 * the saved values in {@link #close} and, should the JVM exit first, in a shutdown hook. Reads the global counters
 * as changes since the session started (other processes, QEMU among them, merge too).
 */
final class KsmSession implements AutoCloseable {
    static final Path DIR = Path.of("/sys/kernel/mm/ksm");
    /** The global counters of ksm.rst, in its order. */
    static final List<String> COUNTERS = List.of("pages_scanned", "pages_shared", "pages_sharing", "pages_unshared",
            "pages_volatile", "full_scans", "general_profit", "ksm_zero_pages", "stable_node_chains", "stable_node_dups");

    private static final long INITIAL_SCAN_BOUND_NANOS = 2_000_000_000L;

    private final Map<String, String> saved = new LinkedHashMap<>();   // in write order; restored in reverse
    private final Map<String, Long> start = new LinkedHashMap<>();
    private final KsmSettings settings;
    private final Thread hook = new Thread(this::restore, "ksm-restore");
    private boolean closed;

    private KsmSession(KsmSettings settings) {
        this.settings = settings;
    }

    /** Why KSM cannot be driven here, or null when it can (the directory exists and this user may write it). */
    static String unavailableReason() {
        if (!Files.isDirectory(DIR)) return DIR + " does not exist (kernel built without CONFIG_KSM)";
        if (!Files.isWritable(DIR.resolve("run"))) return DIR + "/run is not writable (KSM needs root)";
        return null;
    }

    /** Saves, then writes pages_to_scan, sleep_millisecs, use_zero_pages and finally run=1. */
    static KsmSession start(KsmSettings settings) {
        String why = unavailableReason();
        if (why != null) throw KvmException.host("cannot run KSM: " + why);
        KsmSession s = new KsmSession(settings);
        Runtime.getRuntime().addShutdownHook(s.hook);
        try {
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
            for (String c : COUNTERS) s.start.put(c, read(c));
            return s;
        } catch (RuntimeException e) {
            s.close();
            throw e;
        }
    }

    KsmSettings settings() {
        return settings;
    }

    private void set(String knob, String value) {
        String old = readText(knob);
        if (!saved.containsKey(knob)) saved.put(knob, old);
        write(knob, value);
    }

    /** The global counters' changes since the session started, named {@code ksm_global_<counter>}. */
    Counters globalDeltas() {
        Map<String, Long> out = new LinkedHashMap<>();
        for (String c : COUNTERS) out.put("ksm_global_" + c, read(c) - start.getOrDefault(c, 0L));
        return new Counters(out);
    }

    long fullScans() {
        return read("full_scans");
    }

    /**
     * Waits until ksmd has finished {@code settings.settleScans()} more full scans (merging has settled for pages
     * written before the call), or until {@code maxNanos} or the settings' bound passes. Returns the nanoseconds waited.
     */
    long settle(long maxNanos) {
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

    /** Restores every saved value, run first (so ksmd stops before its knobs change back). */
    private synchronized void restore() {
        if (closed) return;
        closed = true;
        List<String> knobs = new ArrayList<>(saved.keySet());
        if (knobs.remove("run")) knobs.addFirst("run");
        for (String k : knobs) {
            try {
                write(k, saved.get(k));
            } catch (RuntimeException e) {
                // restore the rest anyway
            }
        }
    }

    @Override
    public void close() {
        restore();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // the JVM is shutting down: the hook runs (or ran) restore, which is idempotent
        }
    }

    static long read(String name) {
        String v = readText(name);
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new KvmException("bad value in " + DIR.resolve(name) + ": '" + v + "'");
        }
    }

    static String readText(String name) {
        try {
            return Files.readString(DIR.resolve(name)).trim();
        } catch (IOException e) {
            throw new KvmException("cannot read " + DIR.resolve(name) + ": " + e.getMessage());
        }
    }

    private static void write(String name, String value) {
        try {
            Files.writeString(DIR.resolve(name), value);
        } catch (IOException e) {
            throw new KvmException("cannot write " + value + " to " + DIR.resolve(name) + ": " + e.getMessage());
        }
    }
}
