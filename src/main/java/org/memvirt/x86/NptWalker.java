package org.memvirt.x86;

/**
 * The AMD nested-paging dimension: guest-physical to host-physical through ordinary-format tables rooted at nCR3
 * (AMD APM §15.25). Nested walks are user-mode accesses and guest page-table accesses are writes (linux
 * arch/x86/kvm/x86.c translate_nested_gpa, paging_tmpl.h nested_access); faults become #VMEXIT(NPF) with EXITINFO1.
 */
public final class NptWalker implements NestedDimension {
    private final Walker walker;
    private final CpuMode hostMode;
    private final WalkResult scratch = new WalkResult();
    private int lastShift;
    private long lastRwx;

    /** {@code hostMode} supplies nCR3 (its cr3), the nested level count (LA57) and EFER.NXE. */
    public NptWalker(PhysMemory hostMemory, CpuMode hostMode) {
        this.walker = new Walker(hostMemory, null, RefLog.NESTED);
        this.hostMode = hostMode;
    }

    public NptWalker caches(PageWalkCache nestedPwc) {
        walker.pageWalkCache(nestedPwc);
        return this;
    }

    public NptWalker refLog(RefLog refs) {
        walker.refLog(refs);
        return this;
    }

    @Override public long tag() { return hostMode.rootTable(); }
    @Override public String name() { return "npt"; }
    @Override public int lastShift() { return lastShift; }
    @Override public long lastRwx() { return lastRwx; }

    private long translate(long gpa, int access, long where, WalkResult out) {
        scratch.reset(gpa);
        boolean ok = walker.walk(gpa, access | Access.USER, hostMode, scratch, false);
        out.refs += scratch.refs;
        if (!ok) {
            out.fault = WalkResult.NPF;
            out.errorCode = scratch.errorCode | where;
            out.faultGpa = gpa;
            return -1;
        }
        lastShift = scratch.guestPageShift;
        long r = scratch.rights;
        lastRwx = EptEntry.R | ((r & Pte.RW) != 0 ? EptEntry.W : 0)
                | (hostMode.nxe() && (r & Pte.XD) != 0 ? 0 : EptEntry.X);
        return scratch.pa;
    }

    @Override
    public long tableGpaToHpa(long gpa, WalkResult out) {
        return translate(gpa, Access.WRITE, NptFault.GUEST_PAGE, out);
    }

    @Override
    public long finalGpaToHpa(long gpa, int access, WalkResult out) {
        return translate(gpa, access & (Access.WRITE | Access.FETCH), NptFault.GUEST_FINAL, out);
    }

    @Override
    public boolean adWriteAllowed(long gpa, long rwx, WalkResult out) {
        return true;                                               // the table access already was a write
    }
}
