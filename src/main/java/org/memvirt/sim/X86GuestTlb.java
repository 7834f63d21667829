package org.memvirt.sim;

import java.util.List;

import org.memvirt.x86.Pte;
import org.memvirt.x86.Tlb;
import org.memvirt.x86.TlbConfig;
import org.memvirt.x86.TlbEntry;
import org.memvirt.x86.TlbSpec;

/**
 * A vCPU's data TLBs built from the x86 package's structures and presets ({@link TlbConfig}): the L1 DTLB
 * structures, the second level and a 32-entry PDE cache, holding linear mappings tagged by VPID and PCID.
 * Entries are stored in the x86 package's {@link TlbEntry} layout (frame, 4 KiB page shift, R/W and U/S rights).
 */
final class X86GuestTlb implements GuestTlb {
    private static final long VPN_MASK = (1L << 36) - 1;
    private static final int PAGE_SHIFT = 12, PDE_SHIFT = 21;
    private final Tlb[] l1, l2;
    private final Tlb[] all;
    private final Tlb pde;

    X86GuestTlb(TlbConfig config) {
        l1 = build(config.l1d());
        l2 = build(config.l2());
        pde = new Tlb("PDE cache", config.pwcEntries(), config.pwcWays(), new int[] {PDE_SHIFT}, Tlb.Replacement.LRU);
        all = new Tlb[l1.length + l2.length + 1];
        System.arraycopy(l1, 0, all, 0, l1.length);
        System.arraycopy(l2, 0, all, l1.length, l2.length);
        all[all.length - 1] = pde;
    }

    private static Tlb[] build(List<TlbSpec> specs) {
        return specs.stream().map(TlbSpec::build).toArray(Tlb[]::new);
    }

    private static int vpid(long key) {
        return (int) (key >>> 48);
    }

    private static int pcid(long key) {
        return (int) (key >>> 36) & 0xFFF;
    }

    private static long va(long key) {
        return (key & VPN_MASK) << PAGE_SHIFT;
    }

    private static long lookup(Tlb[] level, long key) {
        final long va = va(key);
        final int vpid = vpid(key), pcid = pcid(key);
        for (Tlb t : level) {
            long v = t.lookup(va, vpid, pcid, Tlb.EPT_NONE);
            if (v != Tlb.MISS) return decode(v);
        }
        return MISS;
    }

    private static void insert(Tlb[] level, long key, long value) {
        for (Tlb t : level) {
            if (t.holds(PAGE_SHIFT)) {
                t.insert(va(key), PAGE_SHIFT, vpid(key), pcid(key), Tlb.EPT_NONE, false, encode(value));
                return;
            }
        }
    }

    /** {@code gfn << 1 | writable} as a {@link TlbEntry}: the frame, a 4 KiB page, U/S and (if writable) R/W. */
    private static long encode(long value) {
        long rights = Pte.US | ((value & 1) != 0 ? Pte.RW : 0);
        return TlbEntry.make((value >>> 1) << PAGE_SHIFT, PAGE_SHIFT, rights, TlbEntry.NESTED_RWX >>> TlbEntry.NESTED_SHIFT);
    }

    private static long decode(long entry) {
        return TlbEntry.frame(entry) >>> PAGE_SHIFT << 1 | ((entry & Pte.RW) != 0 ? 1 : 0);
    }

    @Override
    public long lookupL1(long key) {
        return lookup(l1, key);
    }

    @Override
    public long lookupL2(long key) {
        return lookup(l2, key);
    }

    @Override
    public void fillL1(long key, long value) {
        insert(l1, key, value);
    }

    @Override
    public void fill(long key, long value) {
        insert(l2, key, value);
        insert(l1, key, value);
    }

    @Override
    public void invalidatePage(long tag, long vpn) {
        int vpid = (int) (tag >>> 12), pcid = (int) (tag & 0xFFF);
        for (Tlb t : l1) t.invalidate(vpn << PAGE_SHIFT, vpid, pcid, Tlb.ANY, true);
        for (Tlb t : l2) t.invalidate(vpn << PAGE_SHIFT, vpid, pcid, Tlb.ANY, true);
        pde.invalidate(Tlb.ANY, vpid, pcid, Tlb.ANY, true);          // INVLPG drops the PCID's PDE-cache entries
    }

    @Override
    public void flushTag(long tag) {
        int vpid = (int) (tag >>> 12), pcid = (int) (tag & 0xFFF);
        for (Tlb t : all) t.invalidate(Tlb.ANY, vpid, pcid, Tlb.ANY, false);
    }

    @Override
    public void flushVpid(int vpid) {
        for (Tlb t : all) t.invalidate(Tlb.ANY, vpid, Tlb.ANY_PCID, Tlb.ANY, true);
    }

    @Override
    public void flushAll() {
        for (Tlb t : all) t.flushAll();
    }

    @Override
    public long lookupPde(long pdeKey) {
        long v = pde.lookup((pdeKey & ((1L << 27) - 1)) << PDE_SHIFT, (int) (pdeKey >>> 39), (int) (pdeKey >>> 27) & 0xFFF,
                Tlb.EPT_NONE);
        return v == Tlb.MISS ? MISS : TlbEntry.frame(v) >>> PAGE_SHIFT;
    }

    @Override
    public void fillPde(long pdeKey, long value) {
        pde.insert((pdeKey & ((1L << 27) - 1)) << PDE_SHIFT, PDE_SHIFT, (int) (pdeKey >>> 39), (int) (pdeKey >>> 27) & 0xFFF,
                Tlb.EPT_NONE, false, (value << PAGE_SHIFT) & TlbEntry.FRAME | 2L << TlbEntry.SHIFT_POS | TlbEntry.VALID);
    }
}
