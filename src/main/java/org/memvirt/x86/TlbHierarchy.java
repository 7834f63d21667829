package org.memvirt.x86;

import java.util.List;

/**
 * A core's TLBs: L1 data and instruction structures backed by a second level (unified, or split into data and
 * instruction). Lookups go L1 then L2 and refill L1 on an L2 hit; inserts fill both levels of the access's side.
 */
public final class TlbHierarchy {
    private final Tlb[] l1d, l1i, l2d, l2i;
    private final Tlb[] all;
    private final Tlb l1dFirst, l1iFirst;                          // the structures the memo stands in front of
    private final TlbHitMemo memo = new TlbHitMemo();
    private boolean memoEnabled = true;
    private long l1Hits, l2Hits, misses;

    public TlbHierarchy(TlbConfig config) {
        l1d = build(config.l1d());
        l1i = build(config.l1i());
        l2d = build(config.l2());
        l2i = config.l2i().isEmpty() ? l2d : build(config.l2i());
        all = concat(l1d, l1i, l2d, l2i == l2d ? new Tlb[0] : l2i);
        l1dFirst = l1d.length > 0 ? l1d[0] : null;
        l1iFirst = l1i.length > 0 ? l1i[0] : null;
    }

    /**
     * Turns the hit memo ({@link TlbHitMemo}) on or off; on by default. Answers, counts and replacement are the same
     * either way, only the speed of a repeated first-level hit differs (for A/B measurements and equivalence tests).
     */
    public void useHitMemo(boolean enabled) { memoEnabled = enabled; }

    private static Tlb[] build(List<TlbSpec> specs) {
        return specs.stream().map(TlbSpec::build).toArray(Tlb[]::new);
    }

    private static Tlb[] concat(Tlb[]... parts) {
        return java.util.Arrays.stream(parts).flatMap(java.util.Arrays::stream).toArray(Tlb[]::new);
    }

    /** The {@link TlbEntry} value for {@code la}, or {@link Tlb#MISS}. */
    public long lookup(final long la, final boolean fetch, final int vpid, final int pcid, final long ept) {
        if (memoEnabled) {
            final Tlb first = fetch ? l1iFirst : l1dFirst;
            if (first != null) {
                final long key = TlbHitMemo.key(la, fetch), ctx = TlbHitMemo.ctx(vpid, pcid);
                final int line = memo.find(key, ctx, ept, first.epoch());
                if (line >= 0) {
                    first.touch(memo.slot(line));
                    l1Hits++;
                    return memo.value(line);
                }
                return lookupAndRecord(la, fetch, vpid, pcid, ept, first, key, ctx);
            }
        }
        return lookupStructures(la, fetch, vpid, pcid, ept);
    }

    /** The full lookup; a hit in the first first-level structure is recorded in the memo. */
    private long lookupAndRecord(long la, boolean fetch, int vpid, int pcid, long ept, Tlb first, long key, long ctx) {
        long v = first.lookup(la, vpid, pcid, ept);
        if (v == Tlb.MISS) return lookupAfterFirst(la, fetch, vpid, pcid, ept);
        memo.record(key, ctx, ept, first.epoch(), v, first.lastHitSlot());
        l1Hits++;
        return v;
    }

    private long lookupStructures(long la, boolean fetch, int vpid, int pcid, long ept) {
        final Tlb[] l1 = fetch ? l1i : l1d;
        for (Tlb t : l1) {
            long v = t.lookup(la, vpid, pcid, ept);
            if (v != Tlb.MISS) {
                l1Hits++;
                return v;
            }
        }
        return lookupL2(la, fetch, vpid, pcid, ept, l1);
    }

    /** The lookup from the second first-level structure on, the first having missed. */
    private long lookupAfterFirst(long la, boolean fetch, int vpid, int pcid, long ept) {
        final Tlb[] l1 = fetch ? l1i : l1d;
        for (int k = 1; k < l1.length; k++) {
            long v = l1[k].lookup(la, vpid, pcid, ept);
            if (v != Tlb.MISS) {
                l1Hits++;
                return v;
            }
        }
        return lookupL2(la, fetch, vpid, pcid, ept, l1);
    }

    private long lookupL2(long la, boolean fetch, int vpid, int pcid, long ept, Tlb[] l1) {
        for (Tlb t : fetch ? l2i : l2d) {
            long v = t.lookup(la, vpid, pcid, ept);
            if (v != Tlb.MISS) {
                l2Hits++;
                fill(l1, la, vpid, pcid, ept, v);
                return v;
            }
        }
        misses++;
        return Tlb.MISS;
    }

    /** Caches a completed translation in both levels of the access's side. */
    public void insert(long la, boolean fetch, int vpid, int pcid, long ept, long value) {
        fill(fetch ? l1i : l1d, la, vpid, pcid, ept, value);
        fill(fetch ? l2i : l2d, la, vpid, pcid, ept, value);
    }

    private static void fill(Tlb[] level, long la, int vpid, int pcid, long ept, long value) {
        final int shift = TlbEntry.pageShift(value);
        final boolean global = (value & Pte.G) != 0;
        Tlb best = null;
        int bestShift = -1;
        for (Tlb t : level) {
            int s = t.fitShift(shift);
            if (s > bestShift) {
                best = t;
                bestShift = s;
            }
        }
        if (best != null) best.insert(la, shift, vpid, pcid, ept, global, value);
    }

    /** Drops matching entries from every structure; see {@link Tlb#invalidate}. */
    public int invalidate(long va, int vpid, int pcid, long ept, boolean globals) {
        int n = 0;
        for (Tlb t : all) n += t.invalidate(va, vpid, pcid, ept, globals);
        return n;
    }

    public List<Tlb> structures() { return List.of(all); }
    public long l1Hits() { return l1Hits; }
    public long l2Hits() { return l2Hits; }
    public long misses() { return misses; }
}
