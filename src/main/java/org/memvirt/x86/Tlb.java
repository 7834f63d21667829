package org.memvirt.x86;

import java.util.Arrays;

/**
 * One set-associative translation cache tagged by VPID, PCID and EPT root (SDM Vol 3A §4.10.2, Vol 3C §28.3.1):
 * keys in a compact {@code long[]} scanned per set (up to 16 ways) or found through an open-addressing index (wider
 * sets, so a 96-way fully associative TLB still hits in O(1)), and LRU, FIFO or random replacement within a set. Also the building block of {@link PageWalkCache} and {@link NestedTlb}.
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
    private final long[] keys;                                     // per slot: (va >>> shift) << 6 | shift, or EMPTY
    private final long[] meta;                                     // per slot: ctx, ept, value, stamp (one 32-byte run)
    private final int[] index;                                     // slot + 1 by hash; only when ways > SCAN_WAYS
    private final int indexMask;
    private final int[] perShift = new int[64];
    private long clock, random = 0x2545_F491_4F6C_DD1DL;
    private int globals;
    private boolean smashes;                                       // some entry is a piece of a larger page
    private long hits, misses;
    private long epoch;                                            // bumped by every insert and removal
    private int lastHitSlot = -1;                                  // the slot the last hitting lookup found
    private static final int SCAN_WAYS = 16;                       // up to 16 ways a set is scanned, above it hashed

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
        keys = new long[entries];
        meta = new long[entries * 4];
        Arrays.fill(keys, EMPTY);
        index = ways > SCAN_WAYS ? new int[Integer.highestOneBit(entries * 4 - 1) << 1] : null;
        indexMask = index == null ? 0 : index.length - 1;
    }

    public String name() { return name; }
    public int entries() { return keys.length; }
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
            if (perShift[s] == 0) continue;
            final long vpn = va >>> s;
            final long key = (vpn << 6) | s;
            final int set = (int) vpn & setMask;
            int slot = find(key, ctx(vpid, pcid), ept, set);
            if (slot < 0 && globals > 0) slot = find(key, ctx(vpid, GLOBAL_PCID), ept, set);
            if (slot >= 0) {
                hits++;
                if (replacement == Replacement.LRU) meta[4 * slot + 3] = ++clock;
                lastHitSlot = slot;
                return meta[4 * slot + 2];
            }
        }
        misses++;
        return MISS;
    }

    /**
     * The contents version: changes whenever an entry is inserted, rewritten or dropped, so a lookup answer recorded
     * at one epoch is still the answer while the epoch is unchanged.
     */
    long epoch() { return epoch; }

    /** The slot of the last lookup that hit (valid only right after that lookup). */
    int lastHitSlot() { return lastHitSlot; }

    /**
     * Exactly the side effects of a lookup hitting {@code slot} again (hit count, LRU age), without the search; for
     * {@link TlbHitMemo}, which only calls it while the epoch recorded with the slot is current.
     */
    void touch(final int slot) {
        hits++;
        if (replacement == Replacement.LRU) meta[4 * slot + 3] = ++clock;
    }

    /**
     * Caches {@code value} for the page of {@code 1 << shift} bytes at {@code va}. A page larger than any held size
     * is smashed into the largest held size below it (as AMD does with 1-GByte pages); returns false if none fits.
     */
    public boolean insert(long va, int shift, int vpid, int pcid, long ept, boolean global, long value) {
        int s = fitShift(shift);
        if (s < 0) return false;
        long v = s == shift ? value : TlbEntry.smash(value, va, s);
        if (s != shift) smashes = true;
        long key = ((va >>> s) << 6) | s;
        long ctx = ctx(vpid, global ? GLOBAL_PCID : pcid);
        int set = (int) (va >>> s) & setMask;
        int slot = find(key, ctx, ept, set);
        if (slot < 0) {
            slot = victim(set);
            if (keys[slot] != EMPTY) remove(slot);
            keys[slot] = key;
            meta[4 * slot] = ctx;
            meta[4 * slot + 1] = ept;
            perShift[s]++;
            if (global) globals++;
            if (index != null) addToIndex(slot);
        }
        meta[4 * slot + 2] = v;
        meta[4 * slot + 3] = ++clock;
        epoch++;
        return true;
    }

    /**
     * Drops every entry matching all of: covers {@code va} (or {@link #ANY}); VPID {@code vpid} (or {@link #ANY_VPID},
     * {@link #ALL_BUT_VPID0}); PCID {@code pcid} (or {@link #ANY_PCID}) for non-global entries; EPT tag {@code ept}
     * (or {@link #ANY}, {@link #ANY_EPT}). Global entries are dropped only with {@code globals}, whatever their PCID.
     * @return the number of entries dropped
     */
    public int invalidate(long va, int vpid, int pcid, long ept, boolean globals) {
        if (va != ANY && index == null && !smashes) {              // one set per held page size
            int dropped = 0;
            for (int s : shifts) {
                if (perShift[s] == 0) continue;
                int base = ((int) (va >>> s) & setMask) * ways;
                dropped += invalidate(base, base + ways, va, vpid, pcid, ept, globals);
            }
            return dropped;
        }
        return invalidate(0, keys.length, va, vpid, pcid, ept, globals);
    }

    private int invalidate(int from, int to, long va, int vpid, int pcid, long ept, boolean globals) {
        int dropped = 0;
        for (int slot = from; slot < to; slot++) {
            long key = keys[slot];
            if (key == EMPTY) continue;
            if (va != ANY && !covers(key, meta[4 * slot + 2], va)) continue;
            long ctx = meta[4 * slot];
            int v = (int) (ctx >>> 16);
            if (vpid == ALL_BUT_VPID0 ? v == 0 : vpid != ANY_VPID && v != vpid) continue;
            long e = meta[4 * slot + 1];
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
        for (long k : keys) if (k != EMPTY) n++;
        return n;
    }

    /** True if the entry (key, value) translates {@code va}; a smashed piece stands for its whole original page. */
    private static boolean covers(long key, long value, long va) {
        int s = (int) (key & 63);
        int orig = Math.max(s, TlbEntry.originalShift(value));
        long entryVa = (key >>> 6) << s;
        return (va >>> orig) == (entryVa >>> orig);
    }

    private static long ctx(int vpid, int pcid) {
        return ((long) (vpid & 0xFFFF) << 16) | pcid;
    }

    private int find(final long key, final long ctx, final long ept, final int set) {
        final long[] k = keys, m = meta;
        if (index == null) {
            final int base = set * ways, end = base + ways;
            for (int s = base; s < end; s++) {
                if (k[s] == key && m[4 * s] == ctx && m[4 * s + 1] == ept) return s;
            }
            return -1;
        }
        final int[] idx = index;
        final int mask = indexMask;
        for (int h = hash(key, ctx) & mask; ; h = (h + 1) & mask) {
            final int s = idx[h] - 1;
            if (s < 0) return -1;
            if (k[s] == key && m[4 * s] == ctx && m[4 * s + 1] == ept) return s;
        }
    }

    private int victim(int set) {
        final int base = set * ways;
        for (int w = 0; w < ways; w++) if (keys[base + w] == EMPTY) return base + w;
        if (replacement == Replacement.RANDOM) {
            random ^= random << 13;
            random ^= random >>> 7;
            random ^= random << 17;
            return base + (int) Long.remainderUnsigned(random, ways);
        }
        int best = base;
        for (int w = 1; w < ways; w++) if (meta[4 * (base + w) + 3] < meta[4 * best + 3]) best = base + w;
        return best;
    }

    private void addToIndex(int slot) {
        int h = hash(keys[slot], meta[4 * slot]) & indexMask;
        while (index[h] != 0) h = (h + 1) & indexMask;
        index[h] = slot + 1;
    }

    /** Frees {@code slot}; with an index, deletes it by backward shifting (linear probing, no tombstones). */
    private void remove(int slot) {
        if (index != null) unindex(slot);
        if ((meta[4 * slot] & 0xFFFF) == GLOBAL_PCID) globals--;
        perShift[(int) (keys[slot] & 63)]--;
        keys[slot] = EMPTY;
        meta[4 * slot + 2] = MISS;
        epoch++;
    }

    private void unindex(int slot) {
        int p = hash(keys[slot], meta[4 * slot]) & indexMask;
        while (index[p] != slot + 1) p = (p + 1) & indexMask;
        index[p] = 0;
        for (int j = (p + 1) & indexMask; index[j] != 0; j = (j + 1) & indexMask) {
            int s = index[j] - 1;
            int home = hash(keys[s], meta[4 * s]) & indexMask;
            boolean stays = p <= j ? (home > p && home <= j) : (home > p || home <= j);
            if (!stays) {
                index[p] = index[j];
                index[j] = 0;
                p = j;
            }
        }
    }

    private static int hash(long key, long ctx) {
        return (int) (((key + (ctx << 40)) * 0x9E37_79B9_7F4A_7C15L) >>> 40);   // Fibonacci hashing
    }
}
