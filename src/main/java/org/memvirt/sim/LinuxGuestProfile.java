package org.memvirt.sim;

import org.memvirt.config.MemoryLayout;
import org.memvirt.config.RamRegion;
import org.memvirt.engine.GuestProfile;
import org.memvirt.engine.ResidentSplit;

/**
 * The sim's model of a Linux guest (docs/linux-guest.md): what memvirt's Linux guest image (Debian's 6.1 kernel,
 * busybox, the agent) holds of its RAM from boot, and how its memory management differs from the micro-guest's.
 * Each figure is a cited rule of the kernel or was measured with scripts/linux-guest-facts on the qemu engine's guest.
 *
 * <p>At boot the guest writes, and so makes resident: the struct page array ({@link ResidentSplit#structPageBytes}),
 * the early hash tables and the swiotlb bounce buffer (zeroed memblock allocations), the kernel image and the rest of
 * memblock's reservations, then what the kernel and the image's user space allocate until the agent is ready (slab,
 * per-CPU areas, the initramfs in tmpfs as page cache). The first three are not in the guest's MemTotal; the last is
 * its used memory at idle.
 */
final class LinuxGuestProfile {
    static final long KIB = 1024;
    static final long PAGE = 4096;
    static final int DENTRY_HASH_SCALE = 13;         // linux fs/dcache.c dcache_init_early: one bucket per 8 KiB
    static final int INODE_HASH_SCALE = 14;          // linux fs/inode.c inode_init_early: one bucket per 16 KiB
    static final long HASH_BUCKET_BYTES = 8;         // struct hlist_bl_head, struct hlist_head: one pointer
    static final long SWIOTLB_BYTES = 64L << 20;     // linux include/linux/swiotlb.h IO_TLB_DEFAULT_SIZE
    static final long SWIOTLB_SLOTS_BYTES = 768 * KIB; // 32,768 slots of 2 KiB (IO_TLB_SHIFT 11) x 24 B struct io_tlb_slot
    static final long MAX_DMA32_GPA = 4L << 30;      // linux arch/x86/include/asm/dma.h MAX_DMA32_PFN
    /** MEASURED: the rest of memblock's reservations (kernel image 45,981 kB, init included; low memory, direct-map
     * page tables, per-CPU first chunk, ACPI): -m less MemTotal less the rules above, -m 512M to 64G (docs/linux-guest.md). */
    static final long OTHER_RESERVED_BYTES = 46_912 * KIB;
    /** MEASURED: and 4 kB more per GiB (per-section metadata: mm/sparse.c usemaps). */
    static final long OTHER_RESERVED_BYTES_PER_GIB = 4 * KIB;
    /**
     * MEASURED: what the guest makes resident after memblock (slab, per-CPU areas, the agent, the page cache; guest-RAM
     * Rss at idle less memblock's reservations) at -m {@code [0]} GiB (fractions in MiB): linear in between, flat
     * below the first, the last slope beyond the last. Under host THP ({@code madvise}: QEMU's MADV_HUGEPAGE on
     * guest RAM), so each 2 MiB block the kernel touched counts whole.
     */
    static final long[][] IDLE_USED_KIB = {
        {512L << 20, 44_480}, {1L << 30, 43_712}, {2L << 30, 44_224}, {3L << 30, 49_340}, {4L << 30, 58_804},
        {8L << 30, 62_896}, {16L << 30, 69_036}, {64L << 30, 81_092}};

    private final GuestProfile profile;
    private final long ramBytes;
    private final long structPageBytes;
    private final long reservedBytes;
    private final long idleUsedBytes;

    LinuxGuestProfile(GuestProfile profile, MemoryLayout layout) {
        this.profile = profile;
        this.ramBytes = layout.ramSize();
        this.structPageBytes = ResidentSplit.structPageBytes(layout);
        this.reservedBytes = structPageBytes + hashTableBytes(ramBytes, structPageBytes) + swiotlbBytes(layout)
                + OTHER_RESERVED_BYTES + OTHER_RESERVED_BYTES_PER_GIB * (ramBytes >> 30);
        this.idleUsedBytes = idleUsedBytes(ramBytes);
        if (reservedBytes + idleUsedBytes >= ramBytes) {
            throw new SimException("a Linux guest of " + (ramBytes >> 20) + " MiB cannot boot: its kernel alone holds "
                    + ((reservedBytes + idleUsedBytes) >> 20) + " MiB (docs/linux-guest.md)");
        }
    }

    /**
     * The dentry and inode hash tables, allocated zeroed from memblock (HASH_EARLY | HASH_ZERO) on one node: linux
     * mm/page_alloc.c alloc_large_system_hash: nr_kernel_pages (present pages less the memmap, free_area_init_core)
     * rounded up to 1 MiB, one bucket per 2^scale bytes, rounded up to a power of two.
     */
    static long hashTableBytes(long ramBytes, long structPageBytes) {
        long kernelPages = (ramBytes - structPageBytes) / PAGE;
        kernelPages = (kernelPages + 255) & ~255L;                      // round_up(numentries, SZ_1M / PAGE_SIZE)
        return (roundUpPowerOfTwo(kernelPages >> (DENTRY_HASH_SCALE - 12))
                + roundUpPowerOfTwo(kernelPages >> (INODE_HASH_SCALE - 12))) * HASH_BUCKET_BYTES;
    }

    /** The bounce buffer x86 sets up when RAM reaches above 4 GiB (linux arch/x86/kernel/pci-dma.c pci_swiotlb_detect:
     * max_possible_pfn > MAX_DMA32_PFN), zeroed from memblock (kernel/dma/swiotlb.c swiotlb_init_remap). */
    static long swiotlbBytes(MemoryLayout layout) {
        for (RamRegion r : layout.ramRegions()) if (r.end() > MAX_DMA32_GPA) return SWIOTLB_BYTES + SWIOTLB_SLOTS_BYTES;
        return 0;
    }

    static long idleUsedBytes(long ramBytes) {
        long[][] t = IDLE_USED_KIB;
        int i = 1;
        while (i < t.length - 1 && ramBytes > t[i][0]) i++;
        if (ramBytes <= t[0][0]) return t[0][1] * KIB;
        double slope = (double) (t[i][1] - t[i - 1][1]) / (t[i][0] - t[i - 1][0]);
        return (long) (t[i - 1][1] + slope * (ramBytes - t[i - 1][0])) * KIB;
    }

    private static long roundUpPowerOfTwo(long n) {
        return n <= 1 ? 1 : Long.highestOneBit(n - 1) << 1;
    }

    GuestProfile profile() {
        return profile;
    }

    /** The struct page array's pages. */
    long structPagePages() {
        return structPageBytes / PAGE;
    }

    /** Pages memblock keeps from the buddy allocator, the struct pages among them: not in MemTotal. */
    long reservedPages() {
        return (reservedBytes + PAGE - 1) / PAGE;
    }

    /** Pages the idle guest uses of its MemTotal (the page cache among them). */
    long idleUsedPages() {
        return (idleUsedBytes + PAGE - 1) / PAGE;
    }

    /** Every page the guest writes at boot: {@link #reservedPages} and {@link #idleUsedPages}. */
    long bootPages() {
        return reservedPages() + idleUsedPages();
    }

    /** The guest's MemTotal before any balloon: RAM less memblock's reservations. */
    long memTotalPages() {
        return ramBytes / PAGE - reservedPages();
    }

    /** Whether anonymous memory gets 2 MiB pages before any {@code pages} op: THP {@code always}. */
    boolean hugePagesByDefault() {
        return profile.thp() == GuestProfile.Thp.ALWAYS;
    }

    /** The balloon driver's time per virtqueue round trip of {@link BalloonDevice#ARRAY_PFNS_MAX} pages at its pace. */
    long balloonRoundTripNanos() {
        return BalloonDevice.ARRAY_PFNS_MAX * 1_000_000_000L / profile.balloonPagesPerSecond();
    }

    /** Deflating, {@link #DEFLATE_SPEEDUP} times faster: leak_balloon frees pages without the host's madvise. */
    long balloonDeflateRoundTripNanos() {
        return Math.max(1, Math.round(balloonRoundTripNanos() / DEFLATE_SPEEDUP));
    }

    /** MEASURED under TCG: deflating 3 GiB took 2.1 s against 26.8 s inflating it (scripts/linux-guest-facts). */
    static final double DEFLATE_SPEEDUP = 26.8 / 2.1;

    /**
     * The boot footprint's content ids, by page of the footprint ({@code 0 <= index < bootPages()}), for KSM: zeroed
     * tables and the bounce buffer are zero pages, the kernel's text and read-only data the same in every guest of
     * this image, the rest (struct pages, data, slab, user space) the guest's own ({@code salt}).
     */
    long bootContent(long index, long salt) {
        long p = index;
        if (p < structPagePages()) return org.memvirt.workload.Patterns.mix(salt ^ p) | 1;
        p -= structPagePages();
        long zeroed = (reservedBytes - structPageBytes - OTHER_RESERVED_BYTES
                - OTHER_RESERVED_BYTES_PER_GIB * (ramBytes >> 30)) / PAGE;
        if (p < zeroed) return HostMemory.ZERO_CONTENT;
        p -= zeroed;
        if (p < KERNEL_TEXT_PAGES) return org.memvirt.workload.Patterns.mix(0x4C49_4E55_58L ^ p) | 1;
        return org.memvirt.workload.Patterns.mix(salt ^ (index + (1L << 40))) | 1;
    }

    /** The kernel image's code and read-only data: 14,343 kB + 9,132 kB (its "Memory:" boot line). */
    static final long KERNEL_TEXT_PAGES = (14_343 + 9_132) * KIB / PAGE;

    /**
     * How much of {@code residentBytes} is which: the struct pages, the rest of the boot footprint (the page cache
     * among it), the workload's {@code workloadBytes} (at most what is left), and the rest.
     */
    ResidentSplit split(long residentBytes, long workloadBytes) {
        long kernel = bootPages() * PAGE - structPageBytes;
        long workload = Math.max(0, Math.min(workloadBytes, residentBytes - structPageBytes - kernel));
        return new ResidentSplit(structPageBytes, kernel, workload, residentBytes - structPageBytes - kernel - workload);
    }
}
