package org.memvirt.x86;

/**
 * EPT paging-structure entry (SDM Vol 3C §28.2.2, Tables 28-1..28-6; linux arch/x86/include/asm/vmx.h).
 * <pre> 63 SVE | 51:N rsvd | N-1:12 address | 10 XU | 9 D | 8 A | 7 PS | 6 IPAT | 5:3 MT | 2 X | 1 W | 0 R </pre>
 */
public final class EptEntry {
    public static final long R = 1L << 0;                          // VMX_EPT_READABLE_MASK
    public static final long W = 1L << 1;                          // VMX_EPT_WRITABLE_MASK
    public static final long X = 1L << 2;                          // VMX_EPT_EXECUTABLE_MASK (supervisor X with MBEC)
    public static final long RWX = R | W | X;
    public static final int MT_SHIFT = 3;                          // VMX_EPT_MT_EPTE_SHIFT
    public static final long MT_MASK = 7L << MT_SHIFT;
    public static final long IPAT = 1L << 6;                       // VMX_EPT_IPAT_BIT
    public static final long PS = 1L << 7;                         // page size in PDPTE and PDE
    public static final long A = 1L << 8;                          // VMX_EPT_ACCESS_BIT (with EPTP[6])
    public static final long D = 1L << 9;                          // VMX_EPT_DIRTY_BIT (with EPTP[6])
    public static final long XU = 1L << 10;                        // user-execute (mode-based execute control)
    public static final long SVE = 1L << 63;                       // VMX_EPT_SUPPRESS_VE_BIT
    public static final long ADDR = 0x000F_FFFF_FFFF_F000L;        // 51:12 before narrowing to MAXPHYADDR

    public static final int MT_UC = 0, MT_WC = 1, MT_WT = 4, MT_WP = 5, MT_WB = 6; // SDM §28.2.7; linux X86_MEMTYPE_*

    public static boolean present(long e) { return (e & RWX) != 0; }   // no P bit: 2:0 = 000b is not present
    public static boolean readable(long e) { return (e & R) != 0; }
    public static boolean writable(long e) { return (e & W) != 0; }
    public static boolean executable(long e) { return (e & X) != 0; }
    public static boolean userExecutable(long e) { return (e & XU) != 0; }
    public static int memoryType(long e) { return (int) ((e & MT_MASK) >>> MT_SHIFT); }
    public static boolean ignorePat(long e) { return (e & IPAT) != 0; }
    public static boolean pageSize(long e) { return (e & PS) != 0; }
    public static boolean accessed(long e) { return (e & A) != 0; }
    public static boolean dirty(long e) { return (e & D) != 0; }
    public static boolean suppressVe(long e) { return (e & SVE) != 0; }

    /** True for memory types 2, 3 and 7, which are reserved (SDM §28.2.3.1). */
    public static boolean reservedMemoryType(int mt) {
        return mt == 2 || mt == 3 || mt == 7;
    }

    /** A leaf entry: PTE, or bit 7 set in a PDE or PDPTE (Tables 28-3, 28-5). */
    public static boolean leaf(long e, int level) {
        return level == 1 || ((level == 2 || level == 3) && (e & PS) != 0);
    }

    public static long address(long e, int maxPhysAddr, int pageShift) {
        return e & Paging.frameMask(maxPhysAddr) & ~((1L << pageShift) - 1);
    }

    /** A leaf entry with memory type {@code mt}; after linux make_spte(). */
    public static long makeLeaf(long hpa, long rwx, int mt) {
        return (hpa & ADDR) | rwx | ((long) mt << MT_SHIFT);
    }

    /** A non-leaf entry referencing the table at {@code hpa}. */
    public static long makeTable(long hpa, long rwx) {
        return (hpa & ADDR) | rwx;
    }

    /**
     * Reserved bits of a present entry at {@code level} (SDM §28.2.2 Tables 28-1..28-6, §28.2.3.1): 51:N everywhere;
     * 7:3 in PML5E/PML4E; 6:3 in non-leaf PDPTE and PDE; 29:12 of a 1-GByte leaf; 20:12 of a 2-MByte leaf; bit 7 of a
     * PDPTE when 1-GByte pages are not supported.
     */
    public static long reservedMask(long e, int level, int maxPhysAddr, boolean gbPages) {
        long rsvd = Paging.highReserved(maxPhysAddr);
        switch (level) {
            case 5, 4 -> rsvd |= 0xF8L;                            // 7:3
            case 3 -> {
                if ((e & PS) == 0) rsvd |= 0x78L;                  // 6:3
                else if (!gbPages) rsvd |= PS;
                else rsvd |= 0x3FFF_F000L;                         // 29:12
            }
            case 2 -> rsvd |= (e & PS) == 0 ? 0x78L : 0x1F_F000L;  // 6:3, or 20:12
            default -> { }
        }
        return rsvd;
    }

    /**
     * True if the present entry is an EPT misconfiguration (SDM §28.2.3.1): write-only or write+execute permissions,
     * execute-only without support, a reserved bit set, or a reserved memory type in a leaf.
     */
    public static boolean misconfigured(long e, int level, int maxPhysAddr, boolean gbPages, boolean executeOnly) {
        long perm = e & RWX;
        if (perm == W || perm == (W | X)) return true;
        if (perm == X && !executeOnly) return true;
        if ((e & reservedMask(e, level, maxPhysAddr, gbPages)) != 0) return true;
        return leaf(e, level) && reservedMemoryType(memoryType(e));
    }

    private EptEntry() {}
}
