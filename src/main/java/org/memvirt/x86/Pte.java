package org.memvirt.x86;

/**
 * Ordinary x86-64 paging-structure entry, any level (SDM Vol 3A §4.5, Tables 4-15..4-20); also NPT entries (AMD APM
 * §15.25: nested tables use the ordinary format).
 * <pre>
 * 63 XD | 62:59 PK | 58:52 ign | 51:M rsvd | M-1:12 address (bit 12 = PAT in 2M/1G leaves) | 11:9 ign
 *  8 G | 7 PS (PDPTE, PDE) or PAT (PTE) | 6 D | 5 A | 4 PCD | 3 PWT | 2 U/S | 1 R/W | 0 P
 * </pre>
 */
public final class Pte {
    public static final long P = 1L << 0;                          // present
    public static final long RW = 1L << 1;                         // read/write
    public static final long US = 1L << 2;                         // user/supervisor
    public static final long PWT = 1L << 3;                        // page-level write-through
    public static final long PCD = 1L << 4;                        // page-level cache disable
    public static final long A = 1L << 5;                          // accessed
    public static final long D = 1L << 6;                          // dirty (leaves only)
    public static final long PS = 1L << 7;                         // page size (PDPTE, PDE)
    public static final long PAT_4K = 1L << 7;                     // PAT bit of a 4-KByte PTE (Table 4-20)
    public static final long G = 1L << 8;                          // global (leaves only, with CR4.PGE)
    public static final long PAT_LARGE = 1L << 12;                 // PAT bit of a 2-MByte or 1-GByte leaf (Tables 4-17, 4-18)
    public static final int PK_SHIFT = 59;                         // protection key 62:59 (SDM Vol 3A §4.6.2)
    public static final long PK_MASK = 0xFL << PK_SHIFT;
    public static final long XD = 1L << 63;                        // execute-disable (with IA32_EFER.NXE)
    public static final long ADDR = 0x000F_FFFF_FFFF_F000L;        // 51:12 before narrowing to MAXPHYADDR

    public static boolean present(long e) { return (e & P) != 0; }
    public static boolean writable(long e) { return (e & RW) != 0; }
    public static boolean user(long e) { return (e & US) != 0; }
    public static boolean accessed(long e) { return (e & A) != 0; }
    public static boolean dirty(long e) { return (e & D) != 0; }
    public static boolean pageSize(long e) { return (e & PS) != 0; }
    public static boolean global(long e) { return (e & G) != 0; }
    public static boolean executeDisable(long e) { return (e & XD) != 0; }
    public static int protectionKey(long e) { return (int) ((e & PK_MASK) >>> PK_SHIFT); }

    /** PAT bit of a leaf: bit 7 for a 4-KByte PTE, bit 12 for a 2-MByte or 1-GByte page. */
    public static boolean pat(long e, int pageShift) {
        return (e & (pageShift == Paging.SHIFT_4K ? PAT_4K : PAT_LARGE)) != 0;
    }

    /** The 3-bit PAT index PAT:PCD:PWT of a leaf (SDM Vol 3A §11.12.3). */
    public static int patIndex(long e, int pageShift) {
        return (pat(e, pageShift) ? 4 : 0) | (int) ((e >>> 3) & 3);
    }

    /** The physical address the entry references: next table, or page frame of a leaf of {@code pageShift}. */
    public static long address(long e, int maxPhysAddr, int pageShift) {
        return e & Paging.frameMask(maxPhysAddr) & ~((1L << pageShift) - 1);
    }

    /** Entry with the given frame (low 12 bits dropped) and flags. */
    public static long make(long pa, long flags) {
        return (pa & ADDR) | flags;
    }

    /** Sets the protection key of {@code e}. */
    public static long withProtectionKey(long e, int key) {
        return (e & ~PK_MASK) | ((long) (key & 0xF) << PK_SHIFT);
    }

    /**
     * Reserved bits of a present entry at {@code level} (SDM Vol 3A §4.5, Tables 4-15..4-20; linux
     * arch/x86/kvm/mmu/mmu.c __reset_rsvds_bits_mask): 51:M everywhere; XD unless NXE; PS in PML5E/PML4E (and in a
     * PDPTE without 1-GByte page support); 29:13 of a 1-GByte leaf; 20:13 of a 2-MByte leaf.
     */
    public static long reservedMask(long e, int level, int maxPhysAddr, boolean nxe, boolean gbPages) {
        long rsvd = Paging.highReserved(maxPhysAddr) | (nxe ? 0 : XD);
        switch (level) {
            case 5, 4 -> rsvd |= PS;
            case 3 -> {
                if (!gbPages) rsvd |= PS;
                else if ((e & PS) != 0) rsvd |= 0x3FFF_E000L;     // 29:13
            }
            case 2 -> { if ((e & PS) != 0) rsvd |= 0x1F_E000L; }   // 20:13
            default -> { }
        }
        return rsvd;
    }

    /** True if the present entry {@code e} at {@code level} maps a page (PTE, or PS=1 in a PDE or PDPTE). */
    public static boolean leaf(long e, int level) {
        return level == 1 || ((level == 2 || level == 3) && (e & PS) != 0);
    }

    private Pte() {}
}
