package org.memvirt.sim;

import java.util.List;

import org.memvirt.config.RamRegion;

/**
 * The guest frame allocator of docs/guest-model.md: 4 KiB frames in increasing GPA order across the RAM regions,
 * starting above the runtime's first 2 MiB; frames given back (balloon) go on a LIFO free list used first. A 2 MiB
 * run is always fresh: the next 2 MiB-aligned run of 512 frames, the frames skipped before it going on the free list.
 */
final class FrameAllocator {
    static final long RUNTIME_BYTES = 2L << 20;           // docs/guest-model.md: the runtime owns the first 2 MiB

    private final long[][] regions;                        // {startGfn, endGfn}
    private int region;
    private long next;
    private long[] free = new long[64];
    private int freeCount;

    FrameAllocator(List<RamRegion> ram) {
        regions = new long[ram.size()][];
        for (int i = 0; i < ram.size(); i++) {
            RamRegion r = ram.get(i);
            regions[i] = new long[] {r.gpa() >>> Paging.PAGE_SHIFT, r.end() >>> Paging.PAGE_SHIFT};
        }
        next = Math.max(regions[0][0], RUNTIME_BYTES >>> Paging.PAGE_SHIFT);
    }

    /** The next free frame. */
    long allocate() {
        long gfn = tryAllocate();
        if (gfn < 0) throw new SimException("guest out of memory: no free guest frame");
        return gfn;
    }

    /** The next free frame, or -1 when the guest has none. */
    long tryAllocate() {
        if (freeCount > 0) return free[--freeCount];
        while (region < regions.length) {
            if (next < regions[region][1]) return next++;
            region++;
            if (region < regions.length) next = regions[region][0];
        }
        return -1;
    }

    /** Frames not handed out: the free list and the fresh frames left in every RAM region. */
    long freeFrames() {
        long n = freeCount;
        for (int r = region; r < regions.length; r++) n += regions[r][1] - (r == region ? next : regions[r][0]);
        return n;
    }

    /**
     * The first frame of a 2 MiB-aligned run of {@link Paging#LARGE_PAGES} fresh frames. The free list is not used
     * (its frames are scattered); fresh frames skipped to reach the alignment, or left at the end of a RAM region too
     * short for a run, go on the free list in descending order so 4 KiB allocations take them ascending.
     */
    long allocateLarge() {
        while (region < regions.length) {
            long end = regions[region][1];
            long start = (next + Paging.LARGE_PAGES - 1) & -Paging.LARGE_PAGES;
            if (start + Paging.LARGE_PAGES <= end) {
                for (long gfn = start - 1; gfn >= next; gfn--) release(gfn);
                next = start + Paging.LARGE_PAGES;
                return start;
            }
            for (long gfn = end - 1; gfn >= next; gfn--) release(gfn);
            region++;
            if (region < regions.length) next = regions[region][0];
        }
        throw new SimException("guest out of memory: no free 2 MiB run of guest frames");
    }

    /** Gives {@code gfn} back; it is handed out again before any fresh frame. */
    void release(long gfn) {
        if (freeCount == free.length) free = java.util.Arrays.copyOf(free, free.length * 2);
        free[freeCount++] = gfn;
    }

}
