package org.memvirt.sim;

import java.util.List;

import org.memvirt.config.RamRegion;

/**
 * The guest frame allocator of docs/guest-model.md: 4 KiB frames in increasing GPA order across the RAM regions,
 * starting above the runtime's first 2 MiB; frames given back (balloon) go on a LIFO free list used first. A 2 MiB
 * run is always fresh: the next 2 MiB-aligned run of 512 frames, the frames skipped before it going on the free list.
 *
 * <p>A Linux guest's allocator hands fresh frames out top down instead: memblock allocates from the top of memory,
 * and the buddy allocator prefers the highest zone and takes the block at the head of a free list, where boot put the
 * highest addresses (mm/page_alloc.c: zonelist order Normal, DMA32, DMA; memblock_free_all frees in pfn order, each
 * block to the head).
 */
final class FrameAllocator {
    static final long RUNTIME_BYTES = 2L << 20;           // docs/guest-model.md: the runtime owns the first 2 MiB

    private final long[][] regions;                        // {startGfn, endGfn}; the first starts above the runtime
    private final boolean topDown;
    private int region;
    private long next;                                     // bottom up: the next fresh frame; top down: one above it
    private long[] free = new long[64];
    private int freeCount;
    private Watcher watcher;

    /** Told of every frame the guest takes from the allocator and gives back (a Linux guest's free page reporting). */
    interface Watcher {
        void allocated(long gfn);

        void released(long gfn);
    }

    FrameAllocator(List<RamRegion> ram) {
        this(ram, false);
    }

    /** @param topDown hand fresh frames out from the top of RAM down (a Linux guest) */
    FrameAllocator(List<RamRegion> ram, boolean topDown) {
        regions = new long[ram.size()][];
        for (int i = 0; i < ram.size(); i++) {
            RamRegion r = ram.get(i);
            regions[i] = new long[] {r.gpa() >>> Paging.PAGE_SHIFT, r.end() >>> Paging.PAGE_SHIFT};
        }
        regions[0][0] = Math.max(regions[0][0], RUNTIME_BYTES >>> Paging.PAGE_SHIFT);
        this.topDown = topDown;
        region = topDown ? regions.length - 1 : 0;
        next = topDown ? regions[region][1] : regions[0][0];
    }

    /** The next free frame. */
    long allocate() {
        long gfn = tryAllocate();
        if (gfn < 0) throw new SimException("guest out of memory: no free guest frame");
        return gfn;
    }

    /** From now on, tells {@code w} of every frame handed out or given back; before the first is handed out. */
    void watch(Watcher w) {
        if (freeCount != 0 || region != (topDown ? regions.length - 1 : 0)
                || next != (topDown ? regions[region][1] : regions[0][0])) {
            throw new IllegalStateException("a frame watcher must watch from the first frame on");
        }
        watcher = w;
    }

    /** The RAM regions as {@code {startGfn, endGfn}}, the first starting above the runtime's 2 MiB. */
    long[][] regions() {
        long[][] out = new long[regions.length][];
        for (int i = 0; i < regions.length; i++) out[i] = regions[i].clone();
        return out;
    }

    /** The next free frame, or -1 when the guest has none. */
    long tryAllocate() {
        long gfn = take();
        if (gfn >= 0 && watcher != null) watcher.allocated(gfn);
        return gfn;
    }

    private long take() {
        if (freeCount > 0) return free[--freeCount];
        if (topDown) {
            while (region >= 0) {
                if (next > regions[region][0]) return --next;
                if (--region >= 0) next = regions[region][1];
            }
            return -1;
        }
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
        if (topDown) {
            for (int r = 0; r <= region && r < regions.length; r++) n += (r == region ? next : regions[r][1]) - regions[r][0];
            return n;
        }
        for (int r = region; r < regions.length; r++) n += regions[r][1] - (r == region ? next : regions[r][0]);
        return n;
    }

    /**
     * The first frame of a 2 MiB-aligned run of {@link Paging#LARGE_PAGES} fresh frames. The free list is not used
     * (its frames are scattered); fresh frames skipped to reach the alignment, or left at the end of a RAM region too
     * short for a run, go on the free list so that 4 KiB allocations take them in the allocator's order.
     */
    long allocateLarge() {
        long start = tryAllocateLarge();
        if (start < 0) throw new SimException("guest out of memory: no free 2 MiB run of guest frames");
        return start;
    }

    /** {@link #allocateLarge}, or -1 when no 2 MiB run of fresh frames is left. */
    long tryAllocateLarge() {
        long start = topDown ? takeLargeTopDown() : takeLarge();
        if (start >= 0 && watcher != null) for (long gfn = start; gfn < start + Paging.LARGE_PAGES; gfn++) watcher.allocated(gfn);
        return start;
    }

    private long takeLarge() {
        while (region < regions.length) {
            long end = regions[region][1];
            long start = (next + Paging.LARGE_PAGES - 1) & -Paging.LARGE_PAGES;
            if (start + Paging.LARGE_PAGES <= end) {
                for (long gfn = start - 1; gfn >= next; gfn--) list(gfn);
                next = start + Paging.LARGE_PAGES;
                return start;
            }
            for (long gfn = end - 1; gfn >= next; gfn--) list(gfn);
            region++;
            if (region < regions.length) next = regions[region][0];
        }
        return -1;
    }

    private long takeLargeTopDown() {
        while (region >= 0) {
            long low = regions[region][0];
            long start = (next - Paging.LARGE_PAGES) & -Paging.LARGE_PAGES;
            if (start >= low && next >= Paging.LARGE_PAGES) {
                for (long gfn = start + Paging.LARGE_PAGES; gfn < next; gfn++) list(gfn);
                next = start;
                return start;
            }
            for (long gfn = low; gfn < next; gfn++) list(gfn);
            if (--region >= 0) next = regions[region][1];
        }
        return -1;
    }

    /** Gives {@code gfn} back; it is handed out again before any fresh frame. */
    void release(long gfn) {
        list(gfn);
        if (watcher != null) watcher.released(gfn);
    }

    /** Puts a free frame on the free list (a fresh frame skipped by {@link #allocateLarge}, or one given back). */
    private void list(long gfn) {
        if (freeCount == free.length) free = java.util.Arrays.copyOf(free, free.length * 2);
        free[freeCount++] = gfn;
    }
}
