package org.memvirt.hostctl;

import java.time.Duration;

/**
 * How an engine runs ksmd for a run (linux Documentation/admin-guide/mm/ksm.rst): {@code run=1} with these knobs,
 * every changed value restored afterwards. Guest RAM is MADV_MERGEABLE per QEMU's {@code mem-merge} either way.
 *
 * @param pagesToScan pages_to_scan (the kernel's default is 100)
 * @param sleepMillisecs sleep_millisecs (default 20)
 * @param useZeroPages use_zero_pages; null leaves the host's value
 * @param settleScans full scans to wait for after the last guest write before merging counts as settled
 * @param settleBound the longest a settle wait may take
 */
public record KsmSettings(long pagesToScan, long sleepMillisecs, Boolean useZeroPages, int settleScans,
        Duration settleBound) {
    public KsmSettings {
        if (pagesToScan < 1 || sleepMillisecs < 0 || settleScans < 1) {
            throw HostctlException.input("bad KSM settings: pages_to_scan " + pagesToScan + ", sleep_millisecs " + sleepMillisecs
                    + ", settle scans " + settleScans);
        }
    }

    /**
     * Fast merging for experiments: 5,000 pages per 20 ms wake (host A: 16,384 identical pages merged in 1-2 s, docs/HOST-FACTS.md).
     * Three full scans: a page written after the scan in progress passed it gets its checksum on the next scan and
     * merges on the one after (mm/ksm.c cmp_and_merge_page: a page joins a tree only with an unchanged checksum).
     */
    public static KsmSettings fast() {
        return new KsmSettings(5000, 20, null, 3, Duration.ofSeconds(60));
    }

    /**
     * A scenario's {@code host.ksm} for a real host: its pages_to_scan, sleep_millisecs and use_zero_pages (on, or the
     * host's value), three settle scans as {@link #fast()} (see there), at most 60 s; null (leave the host's KSM alone)
     * when {@code run} is off.
     */
    public static KsmSettings ofScenario(boolean run, long pagesToScan, long sleepMillisecs, boolean useZeroPages) {
        if (!run) return null;
        return new KsmSettings(pagesToScan, sleepMillisecs, useZeroPages ? Boolean.TRUE : null, 3, Duration.ofSeconds(60));
    }
}
