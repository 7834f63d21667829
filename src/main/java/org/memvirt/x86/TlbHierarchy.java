package org.memvirt.x86;

import java.util.List;

/**
 * A core's TLBs: L1 data and instruction structures backed by a second level (unified, or split into data and
 * instruction). Lookups go L1 then L2 and refill L1 on an L2 hit; inserts fill both levels of the access's side.
 */
public final class TlbHierarchy {
    private final Tlb[] l1d, l1i, l2d, l2i;
    private final Tlb[] all;
    private long l1Hits, l2Hits, misses;

    public TlbHierarchy(TlbConfig config) {
        l1d = build(config.l1d());
        l1i = build(config.l1i());
        l2d = build(config.l2());
        l2i = config.l2i().isEmpty() ? l2d : build(config.l2i());
        all = concat(l1d, l1i, l2d, l2i == l2d ? new Tlb[0] : l2i);
    }

    private static Tlb[] build(List<TlbSpec> specs) {
        return specs.stream().map(TlbSpec::build).toArray(Tlb[]::new);
    }

    private static Tlb[] concat(Tlb[]... parts) {
        return java.util.Arrays.stream(parts).flatMap(java.util.Arrays::stream).toArray(Tlb[]::new);
    }

    /** The {@link TlbEntry} value for {@code la}, or {@link Tlb#MISS}. */
    public long lookup(final long la, final boolean fetch, final int vpid, final int pcid, final long ept) {
        final Tlb[] l1 = fetch ? l1i : l1d;
        for (Tlb t : l1) {
            long v = t.lookup(la, vpid, pcid, ept);
            if (v != Tlb.MISS) {
                l1Hits++;
                return v;
            }
        }
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
