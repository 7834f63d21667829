package org.memvirt.sim;

/**
 * The page-level guest memory operations the one op interpreter ({@link OpInterpreter}) drives: region pages (the
 * workload region's 4 KiB pages, 0-based) accessed, prefaulted, unmapped, remapped and freed; processes; balloon;
 * verify. Two implementations: {@link MmuGuest} (the guest OS on the full MMU, for {@code run}) and {@link PageGuest}
 * (a flat page map, for scenario VMs).
 */
interface GuestMemory {
    /** Content of a {@code touch}, {@code random} or trace write; fills pass {@code Patterns.fill}'s kinds 0..3. */
    int TOUCH = -1;

    /** The workload region's size in pages (the guest's RAM size). */
    long regionPages();

    /** The number of contiguous parts an op's range is split into, one per vCPU the op runs on. */
    int parts();

    /** Part {@code part} of the current op starts (the vCPU enters the running process, as the runtime's run_op). */
    void enter(int part);

    /** Whether the guest stopped (killed, or out of memory): the interpreter stops too. */
    boolean stopped();

    /** Whether the guest's virtual time (its op costs, sleeps and device time) has reached {@code limit} ns. */
    boolean reached(long limit);

    /** Demand paging off: maps region page {@code page} before the op's accesses (no data access). */
    void prefault(long page);

    /**
     * One access to region page {@code page}: a read, or a write of content {@code content} ({@link #TOUCH}, or a
     * fill kind with {@code param}; a fill writes the whole page).
     */
    void access(long page, boolean write, int content, long param);

    /** Unmap, remap and free take whole 2 MiB pages: throws if {@code [first, end)} covers part of one. */
    void checkWholeLargePages(long first, long end, String what);

    void unmap(long page);

    void remap(long page);

    void free(long page);

    /** After every page of a {@code free}: what the guest does once the op's frames are on its free list. */
    void afterFree();

    /** {@code demand on|off}: whether the guest's #PF handler maps pages (off: prefaulted at op start). */
    void demand(boolean on);

    /** {@code pages 2M|4K}: new region pages mapped by 2 MiB pages or 4 KiB ones. */
    void largePages(boolean on);

    /** {@code processes N}: at least {@code count} processes. */
    void processes(int count);

    /** One {@code switch}: the running process becomes the next one. */
    void switchProcess(boolean pcid);

    /** The balloon size an {@code inflate} or {@code deflate} moves from, in pages. */
    long balloonOpBase();

    /** The balloon's size becomes {@code numPages} ({@code action} as written); returns the op's own time in ns. */
    long balloonTo(org.memvirt.workload.Op.BalloonAction action, long numPages);

    /** {@code sleep}: the host's time moves on by {@code nanos} while the guest sleeps. */
    void sleep(long nanos);

    /** {@code verify}: every page the workload wrote holds what it wrote there last. */
    void verify();
}
