package org.memvirt.engine;

/**
 * The ksmd knobs of /sys/kernel/mm/ksm (linux Documentation/admin-guide/mm/ksm.rst; defaults from mm/ksm.c).
 * {@code merge_across_nodes} is accepted and ignored: the simulated host has one NUMA node.
 */
public record KsmConfig(boolean run, int pagesToScan, int sleepMillisecs, int maxPageSharing, boolean useZeroPages,
        boolean smartScan, boolean mergeAcrossNodes) {
    public static final int DEFAULT_PAGES_TO_SCAN = 100;    // linux mm/ksm.c ksm_thread_pages_to_scan
    public static final int DEFAULT_SLEEP_MILLISECS = 20;   // linux mm/ksm.c ksm_thread_sleep_millisecs
    public static final int DEFAULT_MAX_PAGE_SHARING = 256; // linux mm/ksm.c ksm_max_page_sharing

    public KsmConfig {
        if (pagesToScan < 0) throw new IllegalArgumentException("pages_to_scan must be >= 0");
        if (sleepMillisecs < 0) throw new IllegalArgumentException("sleep_millisecs must be >= 0");
        if (maxPageSharing < 2) throw new IllegalArgumentException("max_page_sharing must be >= 2");   // mm/ksm.c: EINVAL below 2
    }

    /** Linux's defaults, except {@code run}. */
    public static KsmConfig defaults(boolean run) {
        return new KsmConfig(run, DEFAULT_PAGES_TO_SCAN, DEFAULT_SLEEP_MILLISECS, DEFAULT_MAX_PAGE_SHARING, false,
                true, true);
    }

    public KsmConfig withRun(boolean r) {
        return new KsmConfig(r, pagesToScan, sleepMillisecs, maxPageSharing, useZeroPages, smartScan, mergeAcrossNodes);
    }

    public KsmConfig withScan(int pages, int sleepMs) {
        return new KsmConfig(run, pages, sleepMs, maxPageSharing, useZeroPages, smartScan, mergeAcrossNodes);
    }
}
