package org.memvirt.sim;

import java.util.Arrays;

/**
 * One vCPU's data TLBs (a first-level DTLB backed by a second-level TLB, LRU within a set) and its PDE cache,
 * holding linear/combined mappings tagged by VPID and PCID (SDM Vol 3C §28.3.1): the TLBs of a geometry read from
 * a {@code --tlb} file (the presets use the x86 package's structures, {@link X86GuestTlb}).
 *
 * <p>Keys are {@code tag << 36 | vpn} with {@code tag = vpid << 12 | pcid}; values {@code gfn << 1 | writable}.
 * Allocation-free.
 */
final class SimTlb implements GuestTlb {
    private static final long EMPTY = -1;

    private final long[] l1Key, l1Val, l1Stamp;
    private final long[] l2Key, l2Val, l2Stamp;
    private final int l1Mask, l1Ways, l2Mask, l2Ways;
    private final long[] pdeKey, pdeVal;
    private final int pdeMask;
    private long clock;
    private int live;        // entries possibly valid since the last full flush (flushes skip an empty TLB)

    SimTlb(TlbGeometry g) {
        l1Ways = g.l1Ways();
        l2Ways = g.l2Ways();
        l1Mask = g.l1Sets() - 1;
        l2Mask = g.l2Sets() - 1;
        l1Key = filled(g.l1Entries());
        l1Val = new long[g.l1Entries()];
        l1Stamp = new long[g.l1Entries()];
        l2Key = filled(g.l2Entries());
        l2Val = new long[g.l2Entries()];
        l2Stamp = new long[g.l2Entries()];
        pdeKey = filled(g.pdeCacheEntries());
        pdeVal = new long[g.pdeCacheEntries()];
        pdeMask = g.pdeCacheEntries() - 1;
    }

    private static long[] filled(int n) {
        long[] a = new long[n];
        Arrays.fill(a, EMPTY);
        return a;
    }

    private static int set(long key, int mask) {
        return (int) (key ^ (key >>> 36) * 0x9E37_79B9L) & mask;
    }

    @Override
    public long lookupL1(long key) {
        final long[] keys = l1Key;
        final int base = set(key, l1Mask) * l1Ways;
        for (int w = base, end = base + l1Ways; w < end; w++) {
            if (keys[w] == key) {
                l1Stamp[w] = ++clock;
                return l1Val[w];
            }
        }
        return MISS;
    }

    @Override
    public long lookupL2(long key) {
        final long[] keys = l2Key;
        final int base = set(key, l2Mask) * l2Ways;
        for (int w = base, end = base + l2Ways; w < end; w++) {
            if (keys[w] == key) {
                l2Stamp[w] = ++clock;
                return l2Val[w];
            }
        }
        return MISS;
    }

    @Override
    public void fillL1(long key, long val) {
        insert(l1Key, l1Val, l1Stamp, set(key, l1Mask) * l1Ways, l1Ways, key, val);
    }

    @Override
    public void fill(long key, long val) {
        insert(l2Key, l2Val, l2Stamp, set(key, l2Mask) * l2Ways, l2Ways, key, val);
        insert(l1Key, l1Val, l1Stamp, set(key, l1Mask) * l1Ways, l1Ways, key, val);
    }

    private void insert(long[] keys, long[] vals, long[] stamps, int base, int ways, long key, long val) {
        int victim = base;
        for (int w = base, end = base + ways; w < end; w++) {
            if (keys[w] == key || keys[w] == EMPTY) { victim = w; break; }
            if (stamps[w] < stamps[victim]) victim = w;
        }
        keys[victim] = key;
        vals[victim] = val;
        stamps[victim] = ++clock;
        live++;
    }

    @Override
    public void invalidatePage(long tag, long vpn) {
        long key = GuestTlb.key(tag, vpn);
        drop(l1Key, set(key, l1Mask) * l1Ways, l1Ways, key);
        drop(l2Key, set(key, l2Mask) * l2Ways, l2Ways, key);
        flushPde(tag);
    }

    private static void drop(long[] keys, int base, int ways, long key) {
        for (int w = base, end = base + ways; w < end; w++) if (keys[w] == key) keys[w] = EMPTY;
    }

    @Override
    public void flushTag(long tag) {
        if (live == 0) return;
        dropTag(l1Key, tag);
        dropTag(l2Key, tag);
        flushPde(tag);
    }

    @Override
    public void flushVpid(int vpid) {
        if (live == 0) return;
        dropVpid(l1Key, vpid);
        dropVpid(l2Key, vpid);
        for (int i = 0; i < pdeKey.length; i++) if (pdeKey[i] != EMPTY && (pdeKey[i] >>> 39) == vpid) pdeKey[i] = EMPTY;
    }

    @Override
    public void flushAll() {
        if (live == 0) return;
        Arrays.fill(l1Key, EMPTY);
        Arrays.fill(l2Key, EMPTY);
        Arrays.fill(pdeKey, EMPTY);
        live = 0;
    }

    private static void dropTag(long[] keys, long tag) {
        for (int i = 0; i < keys.length; i++) if (keys[i] != EMPTY && (keys[i] >>> 36) == tag) keys[i] = EMPTY;
    }

    private static void dropVpid(long[] keys, int vpid) {
        for (int i = 0; i < keys.length; i++) if (keys[i] != EMPTY && (keys[i] >>> 48) == vpid) keys[i] = EMPTY;
    }

    // ---- PDE cache: (tag, va[47:21]) -> the next table (SDM §4.10.3.1) -----------------------------------

    @Override
    public long lookupPde(long pdeKey) {
        int i = (int) (pdeKey ^ (pdeKey >>> 27) * 0x9E37_79B9L) & pdeMask;
        return pdeKey == this.pdeKey[i] ? pdeVal[i] : MISS;
    }

    @Override
    public void fillPde(long pdeKey, long val) {
        int i = (int) (pdeKey ^ (pdeKey >>> 27) * 0x9E37_79B9L) & pdeMask;
        this.pdeKey[i] = pdeKey;
        pdeVal[i] = val;
        live++;
    }

    private void flushPde(long tag) {
        for (int i = 0; i < pdeKey.length; i++) if (pdeKey[i] != EMPTY && (pdeKey[i] >>> 27) == tag) pdeKey[i] = EMPTY;
    }
}
