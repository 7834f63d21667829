package org.memvirt.x86;

import java.util.Arrays;

/**
 * One set-associative translation cache tagged by VPID, PCID and EPT root (SDM Vol 3A §4.10.2, Vol 3C §28.3.1):
 * slots in parallel {@code long[]}s, an open-addressing index for O(1) hits at any associativity, and LRU, FIFO or
 * random replacement within a set. Also the building block of {@link PageWalkCache} and {@link NestedTlb}.
 */
public final class Tlb {
    /** Replacement policy within a set. */
    public enum Replacement { LRU, FIFO, RANDOM }

    public static final long MISS = 0;                             // a valid value always has bit 0 set
    public static final long EPT_NONE = -1;                        // tag of a linear mapping (EPT off)
    public static final long ANY = Long.MIN_VALUE;                 // wildcard for invalidate()
    public static final long ANY_EPT = Long.MIN_VALUE + 1;         // any EP4TA, but not linear mappings
    public static final int ANY_VPID = -1, ALL_BUT_VPID0 = -2, ANY_PCID = -1;
    private static final long EMPTY = -1;
    private static final int GLOBAL_PCID = 0x1000;                 // outside the 12-bit PCID range

    private final String name;
    private final int sets, ways, setMask;
    private final int[] shifts;
    private final Replacement replacement;
    private final long[] slots;                                    // per slot: key, ctx, ept, value (one 32-byte run)
    private final long[] stamps;
    private final int[] index;
    private final int indexMask;
    private long clock, random = 0x2545_F491_4F6C_DD1DL;
    private int globals;
    private long hits, misses;

    /**
     * @param entries total slots; {@code ways} per set ({@code ways == entries} is fully associative)
     * @param pageShifts the page sizes held, as shifts in ascending order (12, 21, 30; or 21..48 for a paging-structure cache)
     */
    public Tlb(String name, int entries, int ways, int[] pageShifts, Replacement replacement) {
        if (entries <= 0 || ways <= 0 || entries % ways != 0 || Integer.bitCount(entries / ways) != 1) {
            throw new X86Exception(name + ": " + entries + " entries in " + ways + " ways is not a power-of-two set count");
        }
        this.name = name;
        this.ways = ways;
        this.sets = entries / ways;
        this.setMask = sets - 1;
        this.shifts = pageShifts.clone();
        Arrays.sort(this.shifts);
        this.replacement = replacement;
        slots = new long[entries * 4];
        stamps = new long[entries];
        for (int i = 0; i < entries; i++) slots[4 * i] = EMPTY;
        index = new int[Integer.highestOneBit(entries * 4 - 1) << 1];
        indexMask = index.length - 1;
    }

    public String name() { return name; }
    public int entries() { return stamps.length; }
    public int ways() { return ways; }
    public int sets() { return sets; }
    public long hits() { return hits; }
    public long misses() { return misses; }

    /** True if this structure holds pages of {@code 1 << shift} bytes. */
    public boolean holds(int shift) {
        for (int s : shifts) if (s == shift) return true;
        return false;
    }

    /** The largest held page size not above {@code shift}, or -1. */
    public int fitShift(int shift) {
        int best = -1;
        for (int s : shifts) if (s <= shift) best = s;
        return best;
    }

    /** The value cached for {@code va} under the tags, or {@link #MISS}; a global entry matches any PCID. */
    public long lookup(final long va, final int vpid, final int pcid, final long ept) {
        final int[] sh = shifts;
        for (int i = 0; i < sh.length; i++) {
            final int s = sh[i];
            final long key = ((va >>> s) << 6) | s;
            int slot = find(key, ctx(vpid, pcid), ept);
            if (slot < 0 && globals > 0) slot = find(key, ctx(vpid, GLOBAL_PCID), ept);
            if (slot >= 0) {
                hits++;
                if (replacement == Replacement.LRU) stamps[slot] = ++clock;
                return slots[4 * slot + 3];
            }
        }
        misses++;
        return MISS;
    }

    /**
     * Caches {@code value} for the page of {@code 1 << shift} bytes at {@code va}. A page larger than any held size
     * is smashed into the largest held size below it (as AMD does with 1-GByte pages); returns false if none fits.
     */
    public boolean insert(long va, int shift, int vpid, int pcid, long ept, boolean global, long value) {
        int s = fitShift(shift);
        if (s < 0) return false;
        long v = s == shift ? value : TlbEntry.smash(value, va, s);
        long key = ((va >>> s) << 6) | s;
        long ctx = ctx(vpid, global ? GLOBAL_PCID : pcid);
        int slot = find(key, ctx, ept);
        if (slot < 0) {
            slot = victim((int) (va >>> s) & setMask);
            if (slots[4 * slot] != EMPTY) remove(slot);
            slots[4 * slot] = key;
            slots[4 * slot + 1] = ctx;
            slots[4 * slot + 2] = ept;
            if (global) globals++;
            addToIndex(slot);
        }
        slots[4 * slot + 3] = v;
        stamps[slot] = ++clock;
        return true;
    }

    /**
     * Drops every entry matching all of: covers {@code va} (or {@link #ANY}); VPID {@code vpid} (or {@link #ANY_VPID},
     * {@link #ALL_BUT_VPID0}); PCID {@code pcid} (or {@link #ANY_PCID}) for non-global entries; EPT tag {@code ept}
     * (or {@link #ANY}, {@link #ANY_EPT}). Global entries are dropped only with {@code globals}, whatever their PCID.
     * @return the number of entries dropped
     */
    public int invalidate(long va, int vpid, int pcid, long ept, boolean globals) {
        int dropped = 0;
        for (int slot = 0; slot < stamps.length; slot++) {
            long key = slots[4 * slot];
            if (key == EMPTY) continue;
            if (va != ANY && (va >>> (key & 63)) != (key >>> 6)) continue;
            long ctx = slots[4 * slot + 1];
            int v = (int) (ctx >>> 16);
            if (vpid == ALL_BUT_VPID0 ? v == 0 : vpid != ANY_VPID && v != vpid) continue;
            long e = slots[4 * slot + 2];
            if (ept == ANY_EPT ? e == EPT_NONE : ept != ANY && e != ept) continue;
            int p = (int) (ctx & 0xFFFF);
            if (p == GLOBAL_PCID ? !globals : pcid != ANY_PCID && p != pcid) continue;
            remove(slot);
            dropped++;
        }
        return dropped;
    }

    /** Drops everything. */
    public void flushAll() {
        invalidate(ANY, ANY_VPID, ANY_PCID, ANY, true);
    }

    /** Number of valid entries. */
    public int size() {
        int n = 0;
        for (int i = 0; i < stamps.length; i++) if (slots[4 * i] != EMPTY) n++;
        return n;
    }

    private static long ctx(int vpid, int pcid) {
        return ((long) (vpid & 0xFFFF) << 16) | pcid;
    }

    private int find(final long key, final long ctx, final long ept) {
        final int[] idx = index;
        final long[] sl = slots;
        final int mask = indexMask;
        for (int h = hash(key, ctx) & mask; ; h = (h + 1) & mask) {
            final int s = idx[h] - 1;
            if (s < 0) return -1;
            final int b = s << 2;
            if (sl[b] == key && sl[b + 1] == ctx && sl[b + 2] == ept) return s;
        }
    }

    private int victim(int set) {
        final int base = set * ways;
        for (int w = 0; w < ways; w++) if (slots[4 * (base + w)] == EMPTY) return base + w;
        if (replacement == Replacement.RANDOM) {
            random ^= random << 13;
            random ^= random >>> 7;
            random ^= random << 17;
            return base + (int) Long.remainderUnsigned(random, ways);
        }
        int best = base;
        for (int w = 1; w < ways; w++) if (stamps[base + w] < stamps[best]) best = base + w;
        return best;
    }

    private void addToIndex(int slot) {
        int h = hash(slots[4 * slot], slots[4 * slot + 1]) & indexMask;
        while (index[h] != 0) h = (h + 1) & indexMask;
        index[h] = slot + 1;
    }

    /** Frees {@code slot} and deletes it from the index by backward shifting (linear probing, no tombstones). */
    private void remove(int slot) {
        int p = hash(slots[4 * slot], slots[4 * slot + 1]) & indexMask;
        while (index[p] != slot + 1) p = (p + 1) & indexMask;
        index[p] = 0;
        for (int j = (p + 1) & indexMask; index[j] != 0; j = (j + 1) & indexMask) {
            int s = index[j] - 1;
            int home = hash(slots[4 * s], slots[4 * s + 1]) & indexMask;
            boolean stays = p <= j ? (home > p && home <= j) : (home > p || home <= j);
            if (!stays) {
                index[p] = index[j];
                index[j] = 0;
                p = j;
            }
        }
        if ((slots[4 * slot + 1] & 0xFFFF) == GLOBAL_PCID) globals--;
        slots[4 * slot] = EMPTY;
        slots[4 * slot + 3] = MISS;
    }

    private static int hash(long key, long ctx) {
        long h = (key ^ (ctx * 0xC2B2_AE3D_27D4_EB4FL)) * 0x9E37_79B9_7F4A_7C15L;
        return (int) (h ^ (h >>> 29));
    }
}
