package org.memvirt.x86;

/**
 * The two-dimensional walker: a guest x86-64 walk in which every guest paging-structure reference and the final
 * guest-physical address are translated through EPT or NPT (SDM Vol 3C §28.2.1; AMD APM §15.25). A cold walk of an
 * n-level guest under m-level nested tables makes (n+1)(m+1)-1 references.
 */
public final class Walker2d implements LinearTranslator {
    private final Walker guest;
    private final NestedDimension nested;

    private Walker2d(PhysMemory hostMemory, NestedDimension nested) {
        this.nested = nested;
        this.guest = new Walker(hostMemory, nested, RefLog.GUEST);
    }

    /** Guest tables under EPT: {@code hostMemory} is host-physical memory holding guest RAM and the EPT tables. */
    public static Walker2d ept(PhysMemory hostMemory, EptWalker ept) {
        return new Walker2d(hostMemory, ept);
    }

    /** Guest tables under AMD nested paging. */
    public static Walker2d npt(PhysMemory hostMemory, NptWalker npt) {
        return new Walker2d(hostMemory, npt);
    }

    /** Paging-structure caches for the guest (linear) dimension; those of the nested dimension live in its walker. */
    public Walker2d pageWalkCache(PageWalkCache guestPwc) {
        guest.pageWalkCache(guestPwc);
        return this;
    }

    /** Records guest references into {@code refs}; give the same log to the nested walker to interleave both. */
    public Walker2d refLog(RefLog refs) {
        guest.refLog(refs);
        return this;
    }

    /** "ept" or "npt". */
    public String nestedName() { return nested.name(); }

    @Override
    public PageWalkCache pageWalkCache() { return guest.pageWalkCache(); }

    @Override
    public long eptTag() { return nested.tag(); }

    @Override
    public boolean translate(long gva, int access, CpuMode guestMode, WalkResult out) {
        return guest.translate(gva, access, guestMode, out);
    }
}
