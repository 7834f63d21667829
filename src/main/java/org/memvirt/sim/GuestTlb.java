package org.memvirt.sim;

/**
 * The seam between a vCPU and its translation caches: first- and second-level TLBs holding linear/combined
 * mappings tagged by VPID and PCID (SDM Vol 3C §28.3.1), and a PDE cache (SDM Vol 3A §4.10.3). {@link SimTlb}
 * implements it; an adapter over the x86 package's TLB hierarchy can replace it without touching the MMUs.
 *
 * <p>Keys are {@code tag << 36 | vpn} with {@code tag = vpid << 12 | pcid} ({@link #key}); values
 * {@code gfn << 1 | writable}; {@link #MISS} is -1. Implementations keep lookups allocation-free.
 */
interface GuestTlb {
    long MISS = -1;

    static long key(long tag, long vpn) {
        return tag << 36 | vpn;
    }

    /** PDE-cache key: the tag and linear-address bits 47:21. */
    static long pdeKey(long tag, long va) {
        return tag << 27 | ((va >>> 21) & ((1L << 27) - 1));
    }

    long lookupL1(long key);

    long lookupL2(long key);

    /** An entry found in the second level moves into the first. */
    void fillL1(long key, long value);

    /** A walk's result goes into both levels. */
    void fill(long key, long value);

    /** INVLPG / INVVPID type 0: the page in both levels and every PDE-cache entry of the tag. */
    void invalidatePage(long tag, long vpn);

    /** Every entry of one (VPID, PCID) tag. */
    void flushTag(long tag);

    /** Every entry of one VPID, all PCIDs (INVVPID single context). */
    void flushVpid(int vpid);

    void flushAll();

    long lookupPde(long pdeKey);

    void fillPde(long pdeKey, long value);

    /**
     * The TLBs a vCPU gets: the x86 package's structures for the presets ({@code zen5}, {@code golden-cove}),
     * {@link SimTlb} for a geometry read from a file.
     */
    static GuestTlb of(TlbGeometry geometry) {
        if (geometry == TlbGeometry.ZEN5) return new X86GuestTlb(org.memvirt.x86.TlbConfig.zen5());
        if (geometry == TlbGeometry.GOLDEN_COVE) return new X86GuestTlb(org.memvirt.x86.TlbConfig.goldenCove());
        return new SimTlb(geometry);
    }
}
