package org.memvirt.sim;

/**
 * A snapshot of the read-only counters of /sys/kernel/mm/ksm, under their sysfs names (snake_case in JSON).
 * {@code general_profit = (pages_sharing + ksm_zero_pages) * 4096 - rmap_items * 64} (ksm.rst, 64-bit).
 */
public record KsmCounters(long pagesShared, long pagesSharing, long pagesUnshared, long pagesVolatile,
        long pagesScanned, long pagesSkipped, long fullScans, long stableNodeChains, long stableNodeDups,
        long ksmZeroPages, long generalProfit, long ksmRmapItems) {
    public static final int RMAP_ITEM_BYTES = 64;   // linux ksm.rst: sizeof(struct ksm_rmap_item) on 64-bit

    /** Pages saved: {@code pages_sharing + ksm_zero_pages} (ksm.rst). */
    public long pagesSaved() {
        return pagesSharing + ksmZeroPages;
    }
}
