package org.memvirt.x86;

/**
 * The outcome of one translation, reused across walks (never allocated per walk). On success {@link #fault} is
 * {@link #NONE} and {@link #pa} holds the final physical address; otherwise the fault kind and its code.
 */
public final class WalkResult {
    public static final int NONE = 0;
    public static final int PAGE_FAULT = 1;                        // #PF, vector 14, with errorCode and CR2 = la
    public static final int GP = 2;                                // #GP(0): non-canonical linear address
    public static final int EPT_VIOLATION = 3;                     // exit reason 48, errorCode = exit qualification
    public static final int EPT_MISCONFIG = 4;                     // exit reason 49
    public static final int NPF = 5;                               // #VMEXIT(NPF) 0x400, errorCode = EXITINFO1

    public int fault;
    public long errorCode;
    public long la;
    /** The GPA a nested fault concerns (VMCS guest-physical address / EXITINFO2). */
    public long faultGpa;
    /** The guest-physical (2D) or physical (1D) address the linear address translates to. */
    public long gpa;
    /** The final (host-)physical address. */
    public long pa;
    /** log2 of the page size of the translation, the smaller of the guest and nested page sizes. */
    public int pageShift;
    public int guestPageShift;
    /** Combined rights in entry positions (see {@link Permissions#RIGHTS}) plus D, G and the protection key. */
    public long rights;
    /** Paging-structure references made, guest and nested. */
    public int refs;
    public boolean tlbHit;

    void reset(long linear) {
        fault = NONE;
        errorCode = 0;
        la = linear;
        faultGpa = 0;
        gpa = 0;
        pa = 0;
        pageShift = 0;
        guestPageShift = 0;
        rights = 0;
        refs = 0;
        tlbHit = false;
    }

    /** Fills this result from a TLB hit on entry {@code v} ({@link TlbEntry} layout): no references, no gpa. */
    void hit(long linear, long v) {
        fault = NONE;
        errorCode = 0;
        la = linear;
        faultGpa = 0;
        gpa = 0;
        final int shift = TlbEntry.pageShift(v);
        final long mask = (1L << shift) - 1;
        pa = (v & TlbEntry.FRAME & ~mask) | (linear & mask);
        pageShift = shift;
        guestPageShift = 0;
        rights = v & (Permissions.RIGHTS | Pte.D | Pte.G | Pte.PK_MASK | TlbEntry.NESTED_RWX);
        refs = 0;
        tlbHit = true;
    }

    public boolean ok() { return fault == NONE; }

    public static String kindName(int fault) {
        return switch (fault) {
            case NONE -> "none";
            case PAGE_FAULT -> "page_fault";
            case GP -> "general_protection";
            case EPT_VIOLATION -> "ept_violation";
            case EPT_MISCONFIG -> "ept_misconfig";
            case NPF -> "npf";
            default -> "unknown";
        };
    }
}
