package org.memvirt.sim;

import org.memvirt.config.MemoryLayout;

/**
 * Converts between guest frame numbers and page indices in the RAM block, across QEMU's below-4G / above-4G split
 * (qemu hw/i386/pc.c pc_memory_init: ram-below-4g at 0, ram-above-4g at above_4g_start).
 */
public final class RamMap {
    private final long lowPages;
    private final long highStartGfn;
    private final long ramPages;

    public RamMap(MemoryLayout layout) {
        this.lowPages = layout.belowFourG() >>> Paging.PAGE_SHIFT;
        this.highStartGfn = layout.aboveFourGStart() >>> Paging.PAGE_SHIFT;
        this.ramPages = layout.ramSize() >>> Paging.PAGE_SHIFT;
    }

    public long ramPages() {
        return ramPages;
    }

    /** The RAM-block page index of guest frame {@code gfn}, or -1 if the gfn is not RAM. */
    public long gfnToRamPage(long gfn) {
        if (gfn < lowPages) return gfn;
        long high = gfn - highStartGfn;
        return high >= 0 && high < ramPages - lowPages ? lowPages + high : -1;
    }

    /** The guest frame of RAM-block page {@code ramPage}. */
    public long ramPageToGfn(long ramPage) {
        return ramPage < lowPages ? ramPage : highStartGfn + (ramPage - lowPages);
    }
}
