package org.memvirt.x86;

/** EXITINFO1 of a #VMEXIT(NPF): a #PF-style error code plus where the nested walk failed (AMD APM §15.25.6). */
public final class NptFault {
    public static final int EXIT_CODE = 0x400;                     // linux uapi/asm/svm.h SVM_EXIT_NPF
    public static final long GUEST_FINAL = 1L << 32;               // linux PFERR_GUEST_FINAL_MASK: final GPA
    public static final long GUEST_PAGE = 1L << 33;                // linux PFERR_GUEST_PAGE_MASK: guest page-table access

    private NptFault() {}
}
