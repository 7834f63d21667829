package org.memvirt.sim;

/**
 * The host's per-page bookkeeping of one VM's RAM block, indexed by RAM page ({@code g}), in primitive arrays (no
 * per-page objects), packed so a page costs about two bytes plus what it really uses:
 *
 * <ul>
 * <li>{@code flags[g]}: the page state (bits 2..0, {@link HostMemory.PageState} ordinal, or {@link #SWAPPED_KSM})
 *     and the bits below;
 * <li>{@code ksm[g]} (mergeable VMs only): the rmap_item's smart-scan age (bits 3..0, counted up to
 *     {@link #AGE_MAX}, beyond which ksmd does not tell ages apart) and remaining skips (bits 7..4);
 * <li>{@link #content}: the content id, kept while swapped, 0 when untouched or ballooned, by extents
 *     ({@link PageContents});
 * <li>in chunks of 512 pages, allocated on first use: the KSM stable node the page's rmap_item hangs on
 *     ({@link #ZERO_NODE} when KSM mapped the kernel zero page, else {@link #NO_NODE}), the next mapping of the same
 *     KSM page (the page's rmap, a host-wide page handle, or {@link #NO_MAPPER}), and the rmap_item's old checksum
 *     when the page changed since ksmd last read it ({@link #CHANGED});
 * <li>a bitmap of pinned pages (page-table pages), allocated on the first pin.
 * </ul>
 *
 * <p>A page's host-wide handle is {@link #base} plus its RAM page; bases are multiples of 512 (see
 * {@link HostModel#vmOf}).
 *
 * <p>Invariants (checked by {@link HostModel#verify()}): the per-state counts equal a recount of {@code flags};
 * a SHARED page has {@code node >= 0} or {@code node == ZERO_NODE}; an UNSTABLE rmap_item implies RMAP; the
 * rmap_item's old checksum is {@code CHANGED ? the kept one : checksum(content)}.
 */
final class GuestPages {
    static final int STATE_MASK = 0x7;
    static final int UNTOUCHED = 0, RESIDENT = 1, SHARED = 2, SWAPPED = 3, BALLOONED = 4;
    static final int SWAPPED_KSM = 5;       // a mapping of a KSM page that was swapped out whole (node holds the slot)
    static final int REFERENCED = 1 << 3;   // accessed since the reclaim clock last passed (the young bit)
    static final int IN_LRU = 1 << 4;       // an entry for this page sits in the reclaim list
    static final int RMAP = 1 << 5;         // ksmd has an rmap_item for this page
    static final int UNSTABLE = 1 << 6;     // the rmap_item is in the unstable tree (counted in pages_unshared)
    static final int CHANGED = 1 << 7;      // the content changed since ksmd last took its checksum (or never did)
    static final int AGE_MAX = 9;           // linux mm/ksm.c skip_age: ages above 8 all skip 8 times

    static final int NO_MAPPER = -1;
    static final int NO_NODE = -1;
    static final int ZERO_NODE = -2;
    private static final int SHIFT = PageContents.SHIFT, MASK = PageContents.MASK;

    final int id;
    final String name;
    final int pages;
    final int base;          // host-wide handle of RAM page 0
    final boolean mergeable;
    final int oomScoreAdj;
    final byte[] flags;
    final byte[] ksm;        // null unless mergeable
    final PageContents content;
    private final int[][] node;
    private final int[][] nextMapper;
    private final int[][] oldChecksum;
    private long[] pinned;
    private int chunksInUse;

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
        this(id, name, pages, mergeable, oomScoreAdj, 0, new ContentFormulas());
    }

    GuestPages(int id, String name, long pages, boolean mergeable, int oomScoreAdj, int base, ContentFormulas formulas) {
        if (pages <= 0 || pages > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("guest pages out of range: " + pages);
        }
        if (oomScoreAdj < -1000 || oomScoreAdj > 1000) throw new IllegalArgumentException("oom_score_adj out of range: " + oomScoreAdj);
        this.id = id;
        this.name = name;
        this.pages = (int) pages;
        this.base = base;
        this.mergeable = mergeable;
        this.oomScoreAdj = oomScoreAdj;
        this.flags = new byte[this.pages];
        this.ksm = mergeable ? new byte[this.pages] : null;
        this.content = new PageContents(formulas, pages);
        int chunks = (this.pages + MASK) >>> SHIFT;
        this.node = mergeable ? new int[chunks][] : null;
        this.nextMapper = mergeable ? new int[chunks][] : null;
        this.oldChecksum = mergeable ? new int[chunks][] : null;
    }

    int state(int g) {
        return flags[g] & STATE_MASK;
    }

    void setState(int g, int state) {
        flags[g] = (byte) ((flags[g] & ~STATE_MASK) | state);
    }

    boolean has(int g, int bit) {
        return (flags[g] & bit) != 0;
    }

    void set(int g, int bit) {
        flags[g] = (byte) (flags[g] | bit);
    }

    void clear(int g, int bit) {
        flags[g] = (byte) (flags[g] & ~bit);
    }

    // ---------------------------------------------------------------- content

    /** The page's content id. */
    long content(int g) {
        return content.value(g);
    }

    /** The page now holds the plain value {@code v}. */
    void writeValue(int g, long v) {
        if ((flags[g] & (RMAP | CHANGED)) == RMAP) keepOldChecksum(g, v);
        content.setValue(g, v);
    }

    /** The page now holds formula {@code f}'s value for {@code arg}. */
    void writeFormula(int g, int f, long arg, long value) {
        if ((flags[g] & (RMAP | CHANGED)) == RMAP) keepOldChecksum(g, value);
        content.setFormula(g, f, arg);
    }

    /** The first change since ksmd took the checksum: the rmap_item's old checksum is kept before it is lost. */
    private void keepOldChecksum(int g, long newValue) {
        long old = content.value(g);
        if (old == newValue) return;
        int[] c = chunk(oldChecksum, g, 0);
        c[g & MASK] = KsmScanner.checksum(old);
        set(g, CHANGED);
    }

    /** The rmap_item's {@code oldchecksum}. */
    int oldChecksum(int g) {
        if (!has(g, CHANGED)) return KsmScanner.checksum(content(g));
        int[] c = oldChecksum[g >>> SHIFT];
        return c == null ? 0 : c[g & MASK];
    }

    /** A new rmap_item: checksum 0, age 0, no skips. */
    void newRmapItem(int g) {
        set(g, RMAP | CHANGED);
        int[] c = oldChecksum[g >>> SHIFT];
        if (c != null) c[g & MASK] = 0;
        ksm[g] = 0;
    }

    // ---------------------------------------------------------------- KSM per page

    int node(int g) {
        int[] c = node[g >>> SHIFT];
        return c == null ? NO_NODE : c[g & MASK];
    }

    void setNode(int g, int n) {
        if (n == NO_NODE && node[g >>> SHIFT] == null) return;
        chunk(node, g, NO_NODE)[g & MASK] = n;
    }

    int nextMapper(int g) {
        int[] c = nextMapper[g >>> SHIFT];
        return c == null ? NO_MAPPER : c[g & MASK];
    }

    void setNextMapper(int g, int handle) {
        if (handle == NO_MAPPER && nextMapper[g >>> SHIFT] == null) return;
        chunk(nextMapper, g, NO_MAPPER)[g & MASK] = handle;
    }

    int age(int g) {
        return ksm[g] & 0xF;
    }

    int skips(int g) {
        return (ksm[g] >>> 4) & 0xF;
    }

    void setAgeAndSkips(int g, int age, int skips) {
        ksm[g] = (byte) (Math.min(age, AGE_MAX) | skips << 4);
    }

    private int[] chunk(int[][] chunks, int g, int fill) {
        int[] c = chunks[g >>> SHIFT];
        if (c == null) {
            c = chunks[g >>> SHIFT] = new int[1 << SHIFT];
            if (fill != 0) java.util.Arrays.fill(c, fill);
            chunksInUse++;
        }
        return c;
    }

    // ---------------------------------------------------------------- pinning

    boolean pinned(int g) {
        return pinned != null && (pinned[g >>> 6] & (1L << g)) != 0;
    }

    void setPinned(int g, boolean on) {
        if (pinned == null) {
            if (!on) return;
            pinned = new long[(pages + 63) >>> 6];
        }
        if (on) pinned[g >>> 6] |= 1L << g; else pinned[g >>> 6] &= ~(1L << g);
    }

    // ---------------------------------------------------------------- counts

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

    /** Bytes of model state for this VM's pages: flags, the KSM byte, contents and the chunks in use. */
    long bytes() {
        long b = (long) pages * (mergeable ? 2 : 1) + content.bytes() + (long) chunksInUse * (4 << SHIFT);
        if (node != null) b += 3L * 8 * node.length;
        if (pinned != null) b += 8L * pinned.length;
        return b;
    }
}
