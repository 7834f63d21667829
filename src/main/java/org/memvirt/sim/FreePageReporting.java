package org.memvirt.sim;

import java.util.Arrays;

/**
 * A Linux guest's free page reporting (linux mm/page_reporting.c, with virtio-balloon's VIRTIO_BALLOON_F_REPORTING as
 * the device): free buddy blocks of order 9 and 10 (2 and 4 MiB) go to the host, which discards them (QEMU
 * virtio_balloon_handle_report: ram_block_discard_range, MADV_DONTNEED), so the VM's resident memory falls without a
 * balloon op. The guest's buddy allocator is modelled at 2 MiB granularity over the {@link FrameAllocator}: a 2 MiB
 * block with all 512 frames free is a free order-9 block, two such buddies in one zone an order-10 block.
 *
 * <p>What the kernel does and this follows: freeing memory that completes a block of order &ge; 9 requests a pass,
 * which runs {@value #DELAY_NANOS} ns later (PAGE_REPORTING_DELAY); a pass takes each zone (DMA, DMA32, Normal) whose
 * free memory is above its low watermark plus 32 order-9 blocks, and each order's free list from its head (most
 * recently freed first), skipping blocks already reported; it hands blocks to the device 32 at a time
 * (PAGE_REPORTING_CAPACITY) and stops a list after {@code ceil(nr_free / 512) + 1} reports, a sixteenth of the list
 * plus one; a list it had to leave requests the next pass 2 s later. A reported block stays free in the guest and
 * loses the mark when it is allocated or merged.
 */
final class FreePageReporting implements FrameAllocator.Watcher {
    static final long DELAY_NANOS = 2_000_000_000L;           // linux mm/page_reporting.c PAGE_REPORTING_DELAY (2 * HZ)
    static final int CAPACITY = 32;                           // linux include/linux/page_reporting.h PAGE_REPORTING_CAPACITY
    static final int BUDGET_DIVISOR = CAPACITY * 16;          // linux mm/page_reporting.c page_reporting_cycle: budget
    static final int BLOCK_SHIFT = 9;                         // page_reporting_order = pageblock_order = 9 on x86-64
    static final int BLOCK_PAGES = 1 << BLOCK_SHIFT;
    static final long DMA_END_GFN = (16L << 20) >>> 12;       // linux arch/x86/include/asm/dma.h MAX_DMA_PFN (16 MiB)
    static final long DMA32_END_GFN = (4L << 30) >>> 12;      // linux arch/x86/include/asm/dma.h MAX_DMA32_PFN (4 GiB)
    private static final int NOT_RAM = 1 << 20;               // used[] of a block that is not wholly RAM: never free
    private static final int BLOCK_BITS = 22;                 // block numbers below 2^22: guests up to 8 TiB

    /** Where reported blocks go: the host discards a guest frame. */
    interface Host {
        /** Discards the host page behind {@code gfn}; returns whether it was resident. */
        boolean discard(long gfn);
    }

    /**
     * The host's side of one reported frame (QEMU virtio_balloon_handle_report discards the range): a frame with a
     * host page (resident, shared or swapped) loses it; returns whether it counted in the VM's RSS.
     */
    static boolean discard(HostMemory host, int vm, RamMap ram, long gfn) {
        long page = ram.gfnToRamPage(gfn);
        HostMemory.PageState s = host.state(vm, page);
        if (s == HostMemory.PageState.UNTOUCHED || s == HostMemory.PageState.BALLOONED) return false;
        host.balloonRelease(vm, page);
        return s == HostMemory.PageState.RESIDENT || s == HostMemory.PageState.SHARED;
    }

    private enum State { IDLE, REQUESTED, ACTIVE }

    private final Host host;
    private final int[] used;               // per 2 MiB block (gfn >>> 9): frames handed out
    private final long[] stamp;             // when the block last became (part of) a free buddy: the free list order
    private final boolean[] reported;
    private final long[] lowWatermarkPages; // per zone
    private long tick;
    private long clock;                     // virtual time of the frees now happening
    private State state = State.IDLE;
    private long passAtNanos = -1;
    private long passes;
    private long reportedBlocks;
    private long discardedPages;

    /**
     * @param frames the guest's allocator before it has handed out any frame, watched from now on
     * @param host where reported frames go
     */
    FreePageReporting(FrameAllocator frames, Host host) {
        this.host = host;
        long[][] regions = frames.regions();
        long endGfn = regions[regions.length - 1][1];
        if (endGfn > 1L << (BLOCK_BITS + BLOCK_SHIFT)) throw new SimException("free page reporting models guests up to 8 TiB");
        int blocks = (int) ((endGfn + BLOCK_PAGES - 1) >>> BLOCK_SHIFT);
        used = new int[blocks];
        stamp = new long[blocks];
        reported = new boolean[blocks];
        Arrays.fill(used, NOT_RAM);
        for (long[] r : regions) {
            for (long b = (r[0] + BLOCK_PAGES - 1) >>> BLOCK_SHIFT; (b + 1) << BLOCK_SHIFT <= r[1]; b++) used[(int) b] = 0;
        }
        used[0] = NOT_RAM;                                    // the first 2 MiB: BIOS data and the runtime
        for (int b = 0; b < blocks; b++) stamp[b] = b;       // memblock_free_all frees in pfn order, each to the head
        tick = blocks;
        lowWatermarkPages = lowWatermarks(regions);
        frames.watch(this);
    }

    /**
     * The zones' low watermarks (linux mm/page_alloc.c): min_free_kbytes = sqrt(16 * lowmem kB), within [128 kB,
     * 256 MiB] (init_per_zone_wmark_min), shared by the zones by size; low = min + max(min / 4, 0.1 % of the zone)
     * (__setup_per_zone_wmarks, watermark_scale_factor 10).
     */
    private static long[] lowWatermarks(long[][] regions) {
        long[] zonePages = new long[3];
        for (long[] r : regions) {
            for (int z = 0; z < 3; z++) zonePages[z] += Math.max(0, Math.min(r[1], zoneEnd(z)) - Math.max(r[0], zoneStart(z)));
        }
        long total = zonePages[0] + zonePages[1] + zonePages[2];
        long minFreeKb = Math.clamp((long) Math.sqrt(total * 4.0 * 16), 128, 262_144);
        long[] low = new long[3];
        for (int z = 0; z < 3; z++) {
            long min = total == 0 ? 0 : minFreeKb / 4 * zonePages[z] / total;
            low[z] = min + Math.max(min / 4, zonePages[z] * 10 / 10_000);
        }
        return low;
    }

    private static long zoneStart(int zone) {
        return zone == 0 ? 0 : zone == 1 ? DMA_END_GFN : DMA32_END_GFN;
    }

    private static long zoneEnd(int zone) {
        return zone == 0 ? DMA_END_GFN : zone == 1 ? DMA32_END_GFN : Long.MAX_VALUE;
    }

    /** Starts reporting at virtual time {@code nowNanos}: the driver's registration requests the initial flush. */
    void start(long nowNanos) {
        clock = nowNanos;
        request();
    }

    @Override
    public void allocated(long gfn) {
        int b = (int) (gfn >>> BLOCK_SHIFT);
        if (used[b]++ != 0) return;
        reported[b] = false;                                  // taken off the free list (del_page_from_free_list)
        int buddy = b ^ 1;
        if (buddy < used.length && used[buddy] == 0) {       // an order-10 block split: its other half is unreported
            reported[buddy] = false;
            stamp[buddy] = ++tick;
        }
    }

    @Override
    public void released(long gfn) {
        int b = (int) (gfn >>> BLOCK_SHIFT);
        if (--used[b] != 0) return;
        reported[b] = false;                                  // a new order-9 block, or merged with its buddy
        stamp[b] = ++tick;
        int buddy = b ^ 1;
        if (buddy < used.length && used[buddy] == 0 && zone(b) == zone(buddy)) {
            reported[buddy] = false;
            stamp[buddy] = tick;
        }
        request();                                            // page_reporting_notify_free: order >= page_reporting_order
    }

    /** __page_reporting_request: a request while idle schedules a pass PAGE_REPORTING_DELAY later. */
    private void request() {
        if (state == State.REQUESTED) return;
        State was = state;
        state = State.REQUESTED;
        if (was == State.IDLE) passAtNanos = clock + DELAY_NANOS;
    }

    /**
     * Runs every pass due at or before {@code nowNanos}; frees that happen after this call are taken to happen at
     * {@code nowNanos}.
     *
     * @return the host pages discarded (those that were resident)
     */
    long advanceTo(long nowNanos) {
        long discarded = 0;
        while (passAtNanos >= 0 && passAtNanos <= nowNanos) {
            long at = passAtNanos;
            passAtNanos = -1;
            clock = at;
            discarded += pass(at);
        }
        clock = nowNanos;
        return discarded;
    }

    /** Virtual time of the next pass, or -1 when reporting is idle. */
    long nextPassNanos() {
        return passAtNanos;
    }

    /** page_reporting_process: every zone, then idle unless something asked for more. */
    private long pass(long atNanos) {
        state = State.ACTIVE;
        passes++;
        long discarded = 0;
        for (int z = 0; z < 3; z++) discarded += processZone(z);
        if (state == State.REQUESTED) passAtNanos = atNanos + DELAY_NANOS;
        else state = State.IDLE;
        return discarded;
    }

    /** page_reporting_process_zone: orders 9 and 10 with one scatterlist; the leftover is reported at the end. */
    private long processZone(int z) {
        int first = (int) Math.min(used.length, (zoneStart(z) + BLOCK_PAGES - 1) >>> BLOCK_SHIFT);
        int end = (int) Math.min(used.length, (Math.min(zoneEnd(z), (long) used.length << BLOCK_SHIFT)) >>> BLOCK_SHIFT);
        if (first >= end) return 0;
        long free = 0;
        for (int b = first; b < end; b++) if (used[b] < BLOCK_PAGES) free += BLOCK_PAGES - used[b];
        if (free < lowWatermarkPages[z] + ((long) CAPACITY << BLOCK_SHIFT)) return 0;   // zone_watermark_ok fails
        int[] sg = new int[CAPACITY];
        int[] count = {0};
        long discarded = 0;
        for (int order = BLOCK_SHIFT; order <= BLOCK_SHIFT + 1; order++) {
            discarded += cycle(order, first, end, sg, count);
        }
        if (count[0] > 0) discarded += report(sg, count[0]);
        return discarded;
    }

    /** page_reporting_cycle for one order's free list of a zone; {@code count[0]} blocks wait in {@code sg}. */
    private long cycle(int order, int first, int end, int[] sg, int[] count) {
        long[] list = freeList(order, first, end);
        if (list.length == 0) return 0;
        long budget = (list.length + BUDGET_DIVISOR - 1) / BUDGET_DIVISOR;
        long discarded = 0;
        for (long entry : list) {
            int head = (int) entry;
            if (isReported(head, order)) continue;
            if (budget < 0) {
                state = State.REQUESTED;
                break;
            }
            if (count[0] == CAPACITY) {
                discarded += report(sg, CAPACITY);
                count[0] = 0;
                budget--;
                if (budget < 0) {
                    state = State.REQUESTED;
                    break;
                }
            }
            sg[count[0]++] = order == BLOCK_SHIFT ? head : -head - 1;   // order 10 as a negative head
        }
        return discarded;
    }

    /**
     * The zone's free blocks of {@code order} (an order-10 block by its even half), head first: the most recently
     * freed first, as __free_one_page adds to the head. Each entry is {@code stamp << 22 | block}.
     */
    private long[] freeList(int order, int first, int end) {
        long[] list = new long[end - first];
        int n = 0;
        for (int b = first; b < end; b++) {
            if (used[b] != 0) continue;
            int buddy = b ^ 1;
            boolean pair = buddy >= first && buddy < end && used[buddy] == 0;
            if (order == BLOCK_SHIFT && !pair || order == BLOCK_SHIFT + 1 && pair && (b & 1) == 0) {
                list[n++] = stamp[b] << BLOCK_BITS | b;
            }
        }
        Arrays.sort(list, 0, n);
        long[] headFirst = new long[n];
        for (int i = 0; i < n; i++) headFirst[i] = list[n - 1 - i] & ((1L << BLOCK_BITS) - 1);
        return headFirst;
    }

    private boolean isReported(int head, int order) {
        return order == BLOCK_SHIFT ? reported[head] : reported[head] && reported[head + 1];
    }

    /** The device takes {@code n} blocks: each page goes back to the host; the blocks are marked reported. */
    private long report(int[] sg, int n) {
        long discarded = 0;
        for (int i = 0; i < n; i++) {
            int head = sg[i] >= 0 ? sg[i] : -sg[i] - 1;
            int blocks = sg[i] >= 0 ? 1 : 2;
            for (int b = head; b < head + blocks; b++) {
                reported[b] = true;
                reportedBlocks++;
                for (long gfn = (long) b << BLOCK_SHIFT, e = gfn + BLOCK_PAGES; gfn < e; gfn++) {
                    if (host.discard(gfn)) discarded++;
                }
            }
        }
        discardedPages += discarded;
        return discarded;
    }

    private static int zone(int block) {
        long gfn = (long) block << BLOCK_SHIFT;
        return gfn < DMA_END_GFN ? 0 : gfn < DMA32_END_GFN ? 1 : 2;
    }

    long passes() {
        return passes;
    }

    long reportedBlocks() {
        return reportedBlocks;
    }

    long discardedPages() {
        return discardedPages;
    }
}
