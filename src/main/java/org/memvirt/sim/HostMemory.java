package org.memvirt.sim;

/**
 * The simulated host's memory behind the guest RAM of every VM on it: which host frame (if any) backs each guest
 * frame, and what that page holds. Guest RAM is allocated lazily (the first access allocates and zeroes a frame,
 * as a MAP_NORESERVE anonymous mapping does); reclaim, swap, KSM and the balloon move pages between states.
 *
 * <p>Every guest page is in exactly one {@link PageState} at any time. Data-page content is a 64-bit content id
 * ({@link #ZERO_CONTENT} for a zero page), not bytes, so 64 guests of 1 GiB fit in a few GiB of heap.
 * Guest page-table pages are ordinary guest pages whose content the guest model keeps in real bytes; they are
 * {@link #pin pinned} (never merged, swapped or ballooned) while they are page tables.
 *
 * <p>Hot path: {@link #access} is called for every access that misses the simulated TLB/MMU mapping, so
 * implementations keep it allocation-free.
 */
public interface HostMemory {
    /** The content id of an all-zero page. */
    long ZERO_CONTENT = 0L;

    /** Outcome codes of {@link #access}, ordered by cost. */
    int RESIDENT = 0;        // already backed by a private (or, for a read, shared) host frame
    int FIRST_TOUCH = 1;     // a frame was allocated and zeroed (lazy allocation)
    int COW_BROKEN = 2;      // a write to a KSM-shared or zero page got a private copy
    int SWAPPED_IN = 3;      // the page was read back from swap (major fault)
    int DEFLATED_TOUCH = 4;  // the page had been given to the balloon; it comes back zeroed
    int KILLED = 5;          // the VM was OOM-killed (now or earlier); the access did not happen

    /** The states a guest page can be in. */
    enum PageState { UNTOUCHED, RESIDENT, SHARED, SWAPPED, BALLOONED }

    /**
     * Registers a VM's RAM block of {@code guestPages} 4 KiB pages and returns its id (0, 1, 2, ...).
     *
     * @param mergeable QEMU {@code mem-merge} (MADV_MERGEABLE)
     * @param oomScoreAdj the QEMU process's {@code oom_score_adj} (-1000..1000)
     */
    int addVm(String name, long guestPages, boolean mergeable, int oomScoreAdj);

    /**
     * Makes guest frame {@code gfn} of {@code vm} accessible for a read or a write and returns an outcome code.
     * A write stores {@code newContent} as the page's content (pass the current content to keep it).
     */
    int access(int vm, long gfn, boolean write, long newContent);

    /** The content id of a guest page ({@link #ZERO_CONTENT} if untouched or ballooned). */
    long content(int vm, long gfn);

    PageState state(int vm, long gfn);

    /** Pins or unpins a guest page (page-table pages): pinned pages are never merged, swapped or ballooned. */
    void pin(int vm, long gfn, boolean pinned);

    /** The guest gave {@code gfn} to the balloon: its frame is released (MADV_DONTNEED), the page reads as zero. */
    void balloonRelease(int vm, long gfn);

    /** Host-side activity (KSM scanning, reclaim) for {@code nanos} of virtual time. */
    void advance(long nanos);

    /** Receives the invalidations the MMU must apply when a host frame goes away or changes (Linux mmu_notifier). */
    void setNotifier(MmuNotifier notifier);

    /** Host frames in use for guest pages of {@code vm} (resident pages, counting a shared frame once per VM). */
    long residentPages(int vm);

    /** Guest pages of {@code vm} in swap. */
    long swappedPages(int vm);

    /** Whether {@code vm} has been OOM-killed. */
    boolean killed(int vm);
}
