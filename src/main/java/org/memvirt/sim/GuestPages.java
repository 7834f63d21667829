package org.memvirt.sim;

/**
 * The host's per-page bookkeeping of one VM's RAM block, in primitive arrays indexed by gfn (no per-page objects).
 *
 * <p>{@code flags[gfn]} packs the page state (bits 2..0, {@link HostMemory.PageState} ordinal) with the bits below;
 * {@code content[gfn]} is the page's content id (kept while swapped; 0 when untouched or ballooned);
 * {@code node[gfn]} is the KSM stable node its rmap_item hangs on, {@link #ZERO_NODE} when mapped to the kernel zero
 * page by KSM, else {@link #NO_NODE}. The KSM arrays exist only for mergeable VMs.
 *
 * <p>Invariants (checked by {@link HostModel#verify()}): the per-state counts equal a recount of {@code flags};
 * a SHARED page has {@code node >= 0} or {@code node == ZERO_NODE}; an UNSTABLE or STABLE rmap_item implies RMAP.
 */
final class GuestPages {
    static final int STATE_MASK = 0x7;
    static final int UNTOUCHED = 0, RESIDENT = 1, SHARED = 2, SWAPPED = 3, BALLOONED = 4;
    static final int SWAPPED_KSM = 5;       // a mapping of a KSM page that was swapped out whole (node[gfn] holds the slot)
    static final int PINNED = 1 << 3;       // page-table page: never merged, swapped or ballooned
    static final int REFERENCED = 1 << 4;   // accessed since the reclaim clock last passed (the young bit)
    static final int IN_LRU = 1 << 5;       // an entry for this page sits in the reclaim list
    static final int RMAP = 1 << 6;         // ksmd has an rmap_item for this page
    static final int UNSTABLE = 1 << 7;     // the rmap_item is in the unstable tree (counted in pages_unshared)

    static final long NO_MAPPER = -1;
    static final int NO_NODE = -1;
    static final int ZERO_NODE = -2;

    final int id;
    final String name;
    final long pages;
    final boolean mergeable;
    final int oomScoreAdj;
    final byte[] flags;
    final long[] content;
    final int[] node;        // null unless mergeable
    final int[] checksum;    // rmap_item.oldchecksum; null unless mergeable
    final byte[] age;        // rmap_item.age (smart scan); null unless mergeable
    final byte[] skips;      // rmap_item.remaining_skips; null unless mergeable
    final long[] nextMapper; // the next mapping of the same KSM page (the page's rmap), or NO_MAPPER; null unless mergeable

    long resident;           // private frames (state RESIDENT)
    long sharedKsm;          // mappings of KSM pages (state SHARED, node >= 0)
    long sharedZero;         // mappings of the zero page made by KSM (state SHARED, node == ZERO_NODE)
    long swapped;            // swap entries: private pages and mappings of swapped-out KSM pages
    long ballooned;
    long rmapItems;
    long peakResident;       // resident + sharedKsm, the process RSS
    long peakSwapped;
    long swapIns;
    long cowBreaks;
    boolean killed;
    long killedAtNanos = -1;

    GuestPages(int id, String name, long pages, boolean mergeable, int oomScoreAdj) {
        if (pages <= 0 || pages > Integer.MAX_VALUE) throw new IllegalArgumentException("guest pages out of range: " + pages);
        if (oomScoreAdj < -1000 || oomScoreAdj > 1000) throw new IllegalArgumentException("oom_score_adj out of range: " + oomScoreAdj);
        this.id = id;
        this.name = name;
        this.pages = pages;
        this.mergeable = mergeable;
        this.oomScoreAdj = oomScoreAdj;
        int n = (int) pages;
        this.flags = new byte[n];
        this.content = new long[n];
        if (mergeable) {
            this.node = new int[n];
            java.util.Arrays.fill(node, NO_NODE);
            this.checksum = new int[n];
            this.age = new byte[n];
            this.skips = new byte[n];
            this.nextMapper = new long[n];
        } else {
            this.node = null;
            this.checksum = null;
            this.age = null;
            this.skips = null;
            this.nextMapper = null;
        }
    }

    int state(int gfn) {
        return flags[gfn] & STATE_MASK;
    }

    void setState(int gfn, int state) {
        flags[gfn] = (byte) ((flags[gfn] & ~STATE_MASK) | state);
    }

    boolean has(int gfn, int bit) {
        return (flags[gfn] & bit) != 0;
    }

    void set(int gfn, int bit) {
        flags[gfn] = (byte) (flags[gfn] | bit);
    }

    void clear(int gfn, int bit) {
        flags[gfn] = (byte) (flags[gfn] & ~bit);
    }

    /** The process RSS in pages: private frames plus mapped KSM pages (the zero page is not counted, as in Linux). */
    long rss() {
        return resident + sharedKsm;
    }

    long untouched() {
        return pages - resident - sharedKsm - sharedZero - swapped - ballooned;
    }

    void notePeaks() {
        long rss = rss();
        if (rss > peakResident) peakResident = rss;
        if (swapped > peakSwapped) peakSwapped = swapped;
    }

    /** Bytes of model state per guest page for this VM (flags + content, plus the KSM arrays if mergeable). */
    int bytesPerPage() {
        return 1 + 8 + (mergeable ? 4 + 4 + 1 + 1 + 8 : 0);
    }
}
