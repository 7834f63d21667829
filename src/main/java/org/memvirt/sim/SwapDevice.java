package org.memvirt.sim;

/**
 * The host swap device: a capacity in 4 KiB slots, the slots in use, and the modelled cost of page-out and
 * page-in from its {@link SwapKind}. Counts pswpin/pswpout as /proc/vmstat does.
 */
final class SwapDevice {
    final long capacityPages;
    final SwapKind kind;
    long usedPages;
    long peakUsedPages;
    long pswpin;
    long pswpout;

    SwapDevice(long capacityPages, SwapKind kind) {
        this.capacityPages = capacityPages;
        this.kind = kind;
    }

    boolean full() {
        return usedPages >= capacityPages;
    }

    void pageOut() {
        usedPages++;
        pswpout++;
        if (usedPages > peakUsedPages) peakUsedPages = usedPages;
    }

    void pageIn() {
        usedPages--;
        pswpin++;
    }

    /** A swap slot released without a read (the page was discarded or its owner exited). */
    void free(long pages) {
        usedPages -= pages;
    }

    /** Host frames the device itself holds: zram's compressed pages live in RAM. */
    long framesUsed() {
        int ratio = kind.compressionRatio;
        return ratio == 0 ? 0 : (usedPages + ratio - 1) / ratio;
    }
}
