package org.memvirt.sim;

/**
 * x86-64 4-level paging arithmetic and PTE bits (SDM Vol 3A §4.5, Table 4-19), the one place where the sim engine
 * converts address kinds. A stand-in for the x86 package's codecs until the engine moves onto them.
 */
public final class Paging {
    public static final int PAGE_SHIFT = 12;               // SDM Vol 3A §4.5: 4-KByte pages
    public static final long PAGE_SIZE = 1L << PAGE_SHIFT;
    public static final int ENTRIES = 512;                 // SDM Vol 3A §4.5: 512 8-byte entries per table
    public static final int LEVELS = 4;                    // 4-level paging (CR4.LA57 = 0)
    public static final long P = 1L;                       // bit 0 present
    public static final long RW = 1L << 1;                 // bit 1 read/write
    public static final long US = 1L << 2;                 // bit 2 user/supervisor
    public static final long A = 1L << 5;                  // bit 5 accessed
    public static final long D = 1L << 6;                  // bit 6 dirty
    public static final long ADDR = 0x000F_FFFF_FFFF_F000L; // bits 51:12
    public static final long CR3_NOFLUSH = 1L << 63;       // SDM §4.10.4.1: MOV CR3 with bit 63 set keeps the PCID's entries
    public static final long CR3_PCID = 0xFFFL;            // CR3[11:0] with CR4.PCIDE = 1

    public static int index(long va, int level) {
        return (int) (va >>> (PAGE_SHIFT + 9 * (level - 1))) & (ENTRIES - 1);
    }

    public static long pteToGfn(long pte) {
        return (pte & ADDR) >>> PAGE_SHIFT;
    }

    public static long gfnToPte(long gfn, long flags) {
        return (gfn << PAGE_SHIFT) & ADDR | flags;
    }

    public static boolean present(long pte) {
        return (pte & P) != 0;
    }

    private Paging() {}
}
