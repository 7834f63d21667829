package org.memvirt.x86;

/**
 * One logical processor's translation path: TLB hierarchy, then a page walk (1D or 2D) with its caches; plus every
 * invalidation the SDM defines, applied to the TLBs, the paging-structure caches and the nested TLB with exactly the
 * tags the SDM names (Vol 3A §4.10.4, Vol 3C §28.3.3). Allocation-free on the translate path.
 */
public final class Mmu {
    private final TlbHierarchy tlb;
    private final LinearTranslator walker;
    private final PageWalkCache nestedPwc;
    private final NestedTlb nestedTlb;
    private final long eptTag;
    private long walks, tlbHits;

    /** {@code nestedPwc} and {@code nestedTlb} are the nested dimension's caches (null for a 1D walker). */
    public Mmu(TlbHierarchy tlb, LinearTranslator walker, PageWalkCache nestedPwc, NestedTlb nestedTlb) {
        this.tlb = tlb;
        this.walker = walker;
        this.nestedPwc = nestedPwc;
        this.nestedTlb = nestedTlb;
        this.eptTag = walker.eptTag();
    }

    public TlbHierarchy tlb() { return tlb; }
    public LinearTranslator walker() { return walker; }
    public long walks() { return walks; }
    public long tlbHits() { return tlbHits; }

    /**
     * Translates {@code la} for {@code access}. A TLB hit whose cached rights allow the access (and, for a write,
     * whose D flag is set) completes without memory references; anything else walks the tables, so a fault is always
     * reported from memory, and a fault drops the TLB entries for the page (§4.10.4.2).
     */
    public boolean translate(final long la, final int access, final CpuMode mode, final WalkResult out) {
        final long v = tlb.lookup(la, (access & Access.FETCH) != 0, mode.vpid, mode.pcid(), eptTag);
        if (v != Tlb.MISS && hitAllows(v, access, mode)) {
            out.hit(la, v);
            tlbHits++;
            return true;
        }
        return walk(la, access, mode, out, v);
    }

    /** The TLB missed, or its entry did not allow the access: walk, then fill the TLB or drop the stale entry. */
    private boolean walk(long la, int access, CpuMode mode, WalkResult out, long staleHit) {
        final boolean fetch = Access.fetch(access);
        walks++;
        if (walker.translate(la, access, mode, out)) {
            tlb.insert(la, fetch, mode.vpid, mode.pcid(), eptTag,
                    TlbEntry.make(out.pa, out.pageShift, out.rights, out.rights >>> TlbEntry.NESTED_SHIFT));
            return true;
        }
        if (staleHit != Tlb.MISS) tlb.invalidate(la, mode.vpid, mode.pcid(), Tlb.ANY, true);
        return false;
    }

    /** What a TLB entry must hold for a user-mode read: U/S and nested R (SDM Vol 3A §4.6.1). */
    private static final long USER_READ_NEEDS = Pte.US | TlbEntry.NESTED_R;
    /** For a user-mode write: U/S, R/W, a set D flag (else re-walk to set it) and nested W. */
    private static final long USER_WRITE_NEEDS = Pte.US | Pte.RW | Pte.D | TlbEntry.NESTED_W;

    private static boolean hitAllows(long v, int access, CpuMode mode) {
        if ((access & ~Access.WRITE) == Access.USER && (mode.cr4 & ControlRegs.CR4_PKE) == 0) {
            final long needs = access == Access.USER ? USER_READ_NEEDS : USER_WRITE_NEEDS;
            if ((v & needs) == needs) return true;                 // the common user data access: one AND, one compare
        }
        if (Permissions.check(v, Pte.protectionKey(v), access, mode) != 0) return false;
        if (Access.write(access)) return (v & Pte.D) != 0 && (v & TlbEntry.NESTED_W) != 0;
        if (Access.fetch(access)) return (v & TlbEntry.NESTED_X) != 0;
        return (v & TlbEntry.NESTED_R) != 0;
    }

    // ---- invalidation (SDM Vol 3A §4.10.4.1; Vol 3C §28.3.3) ----

    /** INVLPG: the page's entries in the current PCID and its global entries in any PCID; all paging-structure-cache entries of the current PCID. */
    public void invlpg(long la, CpuMode mode) {
        tlb.invalidate(la, mode.vpid, mode.pcid(), Tlb.ANY, true);
        guestPwc(Tlb.ANY, mode.vpid, mode.pcid());
    }

    /**
     * MOV to CR3. With CR4.PCIDE = 1 and bit 63 set, nothing is invalidated; otherwise the non-global entries and the
     * paging-structure-cache entries of the new PCID (PCID 000H without PCIDE). Bit 63 is never stored in CR3.
     */
    public void movToCr3(long value, CpuMode mode) {
        boolean pcide = (mode.cr4 & ControlRegs.CR4_PCIDE) != 0;
        mode.cr3 = pcide ? value & ~ControlRegs.CR3_NOFLUSH : value;
        if (pcide && (value & ControlRegs.CR3_NOFLUSH) != 0) return;
        tlb.invalidate(Tlb.ANY, mode.vpid, mode.pcid(), Tlb.ANY, false);
        guestPwc(Tlb.ANY, mode.vpid, mode.pcid());
    }

    /**
     * MOV to CR4: changing PGE, or PCIDE from 1 to 0, drops everything of the current VPID including globals; changing
     * PAE, or SMEP from 0 to 1, drops the current PCID's entries.
     */
    public void movToCr4(long value, CpuMode mode) {
        long old = mode.cr4;
        mode.cr4 = value;
        long changed = old ^ value;
        boolean pcideOff = (old & ControlRegs.CR4_PCIDE) != 0 && (value & ControlRegs.CR4_PCIDE) == 0;
        if ((changed & ControlRegs.CR4_PGE) != 0 || pcideOff) {
            tlb.invalidate(Tlb.ANY, mode.vpid, Tlb.ANY_PCID, Tlb.ANY, true);
            guestPwc(Tlb.ANY, mode.vpid, Tlb.ANY_PCID);
        } else if ((changed & ControlRegs.CR4_PAE) != 0 || ((changed & value & ControlRegs.CR4_SMEP) != 0)) {
            int pcid = ControlRegs.pcid(mode.cr3, old);
            tlb.invalidate(Tlb.ANY, mode.vpid, pcid, Tlb.ANY, true);
            guestPwc(Tlb.ANY, mode.vpid, pcid);
        }
    }

    /** MOV to CR0: clearing PG drops everything of the current VPID; clearing WP drops the current PCID (§4.10.4.1). */
    public void movToCr0(long value, CpuMode mode) {
        long old = mode.cr0;
        mode.cr0 = value;
        if ((old & ControlRegs.CR0_PG) != 0 && (value & ControlRegs.CR0_PG) == 0) {
            tlb.invalidate(Tlb.ANY, mode.vpid, Tlb.ANY_PCID, Tlb.ANY, true);
            guestPwc(Tlb.ANY, mode.vpid, Tlb.ANY_PCID);
        } else if ((old & ControlRegs.CR0_WP) != 0 && (value & ControlRegs.CR0_WP) == 0) {
            tlb.invalidate(Tlb.ANY, mode.vpid, mode.pcid(), Tlb.ANY, true);
            guestPwc(Tlb.ANY, mode.vpid, mode.pcid());
        }
    }

    /**
     * INVPCID type 0 (individual address, non-global), 1 (single PCID, non-global), 2 (all PCIDs, globals too),
     * 3 (all PCIDs except globals). Types 0 and 1 also drop the PCID's paging-structure-cache entries; 2 and 3 all.
     */
    public void invpcid(int type, int pcid, long la, CpuMode mode) {
        switch (type) {
            case 0 -> {
                tlb.invalidate(la, mode.vpid, pcid, Tlb.ANY, false);
                guestPwc(Tlb.ANY, mode.vpid, pcid);
            }
            case 1 -> {
                tlb.invalidate(Tlb.ANY, mode.vpid, pcid, Tlb.ANY, false);
                guestPwc(Tlb.ANY, mode.vpid, pcid);
            }
            case 2, 3 -> {
                tlb.invalidate(Tlb.ANY, mode.vpid, Tlb.ANY_PCID, Tlb.ANY, type == 2);
                guestPwc(Tlb.ANY, mode.vpid, Tlb.ANY_PCID);
            }
            default -> throw new X86Exception("INVPCID type " + type + " is not 0..3 (#GP)");
        }
    }

    /**
     * INVVPID type 0 (one VPID and linear address), 1 (single context), 2 (all contexts but VPID 0000H), 3 (single
     * context retaining globals). Linear and combined mappings only: guest-physical mappings stay (§28.3.3.3).
     */
    public void invvpid(int type, int vpid, long la) {
        switch (type) {
            case 0 -> {
                tlb.invalidate(la, vpid, Tlb.ANY_PCID, Tlb.ANY, true);
                guestPwc(Tlb.ANY, vpid, Tlb.ANY_PCID);
            }
            case 1 -> {
                tlb.invalidate(Tlb.ANY, vpid, Tlb.ANY_PCID, Tlb.ANY, true);
                guestPwc(Tlb.ANY, vpid, Tlb.ANY_PCID);
            }
            case 2 -> {
                tlb.invalidate(Tlb.ANY, Tlb.ALL_BUT_VPID0, Tlb.ANY_PCID, Tlb.ANY, true);
                guestPwc(Tlb.ANY, Tlb.ALL_BUT_VPID0, Tlb.ANY_PCID);
            }
            case 3 -> {
                tlb.invalidate(Tlb.ANY, vpid, Tlb.ANY_PCID, Tlb.ANY, false);
                guestPwc(Tlb.ANY, vpid, Tlb.ANY_PCID);
            }
            default -> throw new X86Exception("INVVPID type " + type + " is not 0..3 (VMfailValid)");
        }
    }

    /**
     * INVEPT type 1 (single context: mappings tagged with the EPTP's EP4TA) or 2 (all contexts): guest-physical and
     * combined mappings of any VPID; linear mappings stay (§28.3.3.1).
     */
    public void invept(int type, long eptp) {
        long tag = switch (type) {
            case 1 -> Eptp.ep4ta(eptp);
            case 2 -> Tlb.ANY_EPT;
            default -> throw new X86Exception("INVEPT type " + type + " is not 1 or 2 (VMfailValid)");
        };
        tlb.invalidate(Tlb.ANY, Tlb.ANY_VPID, Tlb.ANY_PCID, tag, true);
        PageWalkCache g = walker.pageWalkCache();
        if (g != null) g.invalidate(Tlb.ANY, Tlb.ANY_VPID, Tlb.ANY_PCID, tag);
        if (nestedPwc != null) nestedPwc.invalidate(Tlb.ANY, Tlb.ANY_VPID, Tlb.ANY_PCID, tag);
        if (nestedTlb != null) nestedTlb.invalidate(tag);
    }

    /** A VM entry or VM exit: with "enable VPID" = 0 it drops the linear and combined mappings of VPID 0000H (§28.3.3.1). */
    public void vmTransition(boolean vpidEnabled) {
        if (vpidEnabled) return;
        tlb.invalidate(Tlb.ANY, 0, Tlb.ANY_PCID, Tlb.ANY, true);
        guestPwc(Tlb.ANY, 0, Tlb.ANY_PCID);
    }

    private void guestPwc(long va, int vpid, int pcid) {
        PageWalkCache g = walker.pageWalkCache();
        if (g != null) g.invalidate(va, vpid, pcid, Tlb.ANY);
    }
}
