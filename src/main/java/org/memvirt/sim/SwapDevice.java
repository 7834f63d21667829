package org.memvirt.sim;

import org.memvirt.engine.SwapKind;

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

    /** A page read back from swap (pswpin); its slot is freed separately, once no mapping needs it. */
    void readIn() {
        pswpin++;
    }

    /** Swap slots released (read back by their last user, discarded, or their owner exited). */
    void free(long pages) {
        usedPages -= pages;
    }

    /** Host frames the device itself holds: zram's compressed pages live in RAM. */
    long framesUsed() {
        int ratio = kind.compressionRatio;
        return ratio == 0 ? 0 : (usedPages + ratio - 1) / ratio;
    }
}
