package org.memvirt.x86;

/**
 * The control-register and MSR bits that paging reads (SDM Vol 3A §2.5, §4.1; linux
 * arch/x86/include/uapi/asm/processor-flags.h and asm/msr-index.h).
 */
public final class ControlRegs {
    public static final long CR0_WP = 1L << 16;                    // X86_CR0_WP
    public static final long CR0_PG = 1L << 31;                    // X86_CR0_PG
    public static final long CR3_PCID_MASK = 0xFFFL;              // X86_CR3_PCID_MASK: CR3[11:0] with CR4.PCIDE
    public static final long CR3_NOFLUSH = 1L << 63;               // X86_CR3_PCID_NOFLUSH
    public static final long CR3_PWT = 1L << 3, CR3_PCD = 1L << 4; // without CR4.PCIDE
    public static final long CR4_PAE = 1L << 5;                    // X86_CR4_PAE
    public static final long CR4_PGE = 1L << 7;                    // X86_CR4_PGE
    public static final long CR4_LA57 = 1L << 12;                  // X86_CR4_LA57
    public static final long CR4_PCIDE = 1L << 17;                 // X86_CR4_PCIDE
    public static final long CR4_SMEP = 1L << 20;                  // X86_CR4_SMEP
    public static final long CR4_SMAP = 1L << 21;                  // X86_CR4_SMAP
    public static final long CR4_PKE = 1L << 22;                   // X86_CR4_PKE
    public static final long EFER_LME = 1L << 8;                   // EFER_LME
    public static final long EFER_LMA = 1L << 10;                  // EFER_LMA
    public static final long EFER_NXE = 1L << 11;                  // EFER_NX
    public static final long RFLAGS_AC = 1L << 18;                 // X86_EFLAGS_AC

    /** CR3's table address, bits M-1:12 (SDM Vol 3A Table 4-12). */
    public static long cr3Table(long cr3, int maxPhysAddr) {
        return cr3 & Paging.frameMask(maxPhysAddr);
    }

    /** The current PCID: CR3[11:0] if CR4.PCIDE = 1, else 000H (SDM Vol 3A §4.10.1). */
    public static int pcid(long cr3, long cr4) {
        return (cr4 & CR4_PCIDE) != 0 ? (int) (cr3 & CR3_PCID_MASK) : 0;
    }

    private ControlRegs() {}
}
