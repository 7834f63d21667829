package org.memvirt.engine;

import java.util.List;

import org.memvirt.config.MemoryLayout;
import org.memvirt.config.RamRegion;

/**
 * How much of a Linux guest's resident memory is which (a micro-guest has no such split): a real Linux guest is lazy
 * but not free. The qemu engine measures it (guest-RAM Rss when the agent is ready and after the run, the guest's
 * meminfo); the sim's "linux" guest profile models it (docs/linux-guest.md). The one home of the struct page cost
 * ({@link #STRUCT_PAGE_BYTES}, {@link #structPageBytes}) for every engine.
 *
 * @param structPagesBytes the guest kernel's {@code struct page} array, {@link #structPageBytes}
 * @param kernelBytes the rest of what the guest holds from boot: the kernel image, its early allocations (hash
 *        tables, the swiotlb bounce buffer), slab, per-CPU areas, the image's user space, the initramfs in tmpfs
 * @param workloadBytes the workload's pages the guest holds now (its processes' memory)
 * @param otherBytes the rest: pages the guest freed that stay resident until a balloon or free page reporting returns
 *        them, page tables, the guest kernel's growth since boot; negative when a balloon or free page reporting
 *        returned more than that
 */
public record ResidentSplit(long structPagesBytes, long kernelBytes, long workloadBytes, long otherBytes) {
    /** sizeof(struct page) on x86-64 (linux include/linux/mm_types.h; Documentation/mm/vmemmap_dedup.rst: "the size
     * of struct page is 64 bytes (e.g. x86-64 and arm64)"). */
    public static final long STRUCT_PAGE_BYTES = 64;
    /** A memory section is 128 MiB (linux arch/x86/include/asm/sparsemem.h SECTION_SIZE_BITS 27 on x86-64). */
    public static final int SECTION_SHIFT = 27;
    private static final long PAGE_SIZE = 4096;

    /** The resident bytes these parts add up to. */
    public long totalBytes() {
        return structPagesBytes + kernelBytes + workloadBytes + otherBytes;
    }

    /**
     * The struct page array of a Linux guest with this RAM layout, resident from boot: one 64-byte struct page per
     * 4 KiB page of every present 128 MiB memory section (SPARSEMEM_VMEMMAP maps each present section's
     * memmap whole: linux mm/sparse.c sparse_init_nid), each written at boot by memmap_init (linux mm/mm_init.c,
     * mm/page_alloc.c before 6.4: __init_single_page), holes inside a section included. 1.5625 % of RAM for RAM in
     * whole sections.
     */
    public static long structPageBytes(MemoryLayout layout) {
        return structPageBytes(layout.ramRegions());
    }

    /** {@link #structPageBytes(MemoryLayout)} for guest-physical RAM {@code regions}. */
    public static long structPageBytes(List<RamRegion> regions) {
        long sections = 0;
        long lastSection = -1;
        for (RamRegion r : regions) {
            long first = r.gpa() >>> SECTION_SHIFT;
            long last = (r.end() - 1) >>> SECTION_SHIFT;
            sections += last - Math.max(first, lastSection + 1) + 1;
            lastSection = last;
        }
        return sections * ((1L << SECTION_SHIFT) / PAGE_SIZE) * STRUCT_PAGE_BYTES;
    }
}
