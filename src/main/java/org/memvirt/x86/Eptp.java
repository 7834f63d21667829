package org.memvirt.x86;

/**
 * The extended-page-table pointer, a VMCS field (SDM Vol 3C §24.6.11 Table 24-8, Figure 28-1; linux asm/vmx.h).
 * <pre> N-1:12 address of EPT PML4 (PML5) table | 6 A/D enable | 5:3 page-walk length - 1 | 2:0 memory type </pre>
 */
public final class Eptp {
    public static final long MT_MASK = 7L;                         // VMX_EPTP_MT_MASK
    public static final long MT_UC = 0L, MT_WB = 6L;               // VMX_EPTP_MT_UC, VMX_EPTP_MT_WB
    public static final long PWL_MASK = 7L << 3;                   // VMX_EPTP_PWL_MASK
    public static final long PWL_4 = 3L << 3;                      // VMX_EPTP_PWL_4 = 0x18
    public static final long PWL_5 = 4L << 3;                      // VMX_EPTP_PWL_5 = 0x20
    public static final long AD_ENABLE = 1L << 6;                  // VMX_EPTP_AD_ENABLE_BIT
    public static final long ADDR = 0x000F_FFFF_FFFF_F000L;

    public static int memoryType(long eptp) { return (int) (eptp & MT_MASK); }

    /** Page-walk length: bits 5:3 plus one (3 -> 4 levels, 4 -> 5 levels). */
    public static int walkLength(long eptp) { return (int) ((eptp & PWL_MASK) >>> 3) + 1; }

    public static boolean adEnabled(long eptp) { return (eptp & AD_ENABLE) != 0; }

    /** The EPT PML4 (or PML5) table address, the "EP4TA" that tags guest-physical and combined mappings (§28.3.1). */
    public static long ep4ta(long eptp) { return eptp & ADDR; }

    public static long make(long rootHpa, int levels, boolean ad) {
        return (rootHpa & ADDR) | ((long) (levels - 1) << 3) | (ad ? AD_ENABLE : 0) | MT_WB;
    }

    /** True if VM entry would accept the value (SDM Vol 3C §26.2.1.1): UC or WB, 4 or 5 levels, no bits 11:7. */
    public static boolean valid(long eptp, int maxPhysAddr) {
        long mt = eptp & MT_MASK;
        int pwl = walkLength(eptp);
        return (mt == MT_UC || mt == MT_WB) && (pwl == 4 || pwl == 5) && (eptp & 0xF80L) == 0
                && (eptp & Paging.highReserved(maxPhysAddr)) == 0 && (eptp >>> 52) == 0;
    }

    private Eptp() {}
}
