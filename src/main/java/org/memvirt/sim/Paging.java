package org.memvirt.sim;

import org.memvirt.x86.Pte;

/**
 * The sim engine's view of x86-64 4-level paging: the x86 package's constants and codecs (SDM Vol 3A §4.5,
 * Table 4-19) plus the frame-number conversions the engine's walks use.
 */
final class Paging {
    static final int PAGE_SHIFT = org.memvirt.x86.Paging.PAGE_SHIFT;
    static final long PAGE_SIZE = org.memvirt.x86.Paging.PAGE_SIZE;
    static final int ENTRIES = org.memvirt.x86.Paging.ENTRIES;
    static final int LEVELS = 4;                           // 4-level paging (CR4.LA57 = 0)
    static final long P = Pte.P, RW = Pte.RW, US = Pte.US, A = Pte.A, D = Pte.D, ADDR = Pte.ADDR, PS = Pte.PS;
    static final int LARGE_SHIFT = 21;                     // SDM Vol 3A §4.5: a PDE with PS = 1 maps a 2-MByte page
    static final long LARGE_PAGES = 1L << (LARGE_SHIFT - 12);   // 4 KiB frames per 2 MiB page (512)
    static final long LARGE_ADDR = ADDR & ~((1L << LARGE_SHIFT) - 1);   // PDE bits 51:21 (bit 12 is PAT)
    static final long CR3_NOFLUSH = 1L << 63;              // SDM §4.10.4.1: MOV CR3 with bit 63 set keeps the PCID's entries
    static final long CR3_PCID = 0xFFFL;                   // CR3[11:0] with CR4.PCIDE = 1

    static int index(long va, int level) {
        return org.memvirt.x86.Paging.index(va, level);
    }

    static long pteToGfn(long pte) {
        return (pte & ADDR) >>> PAGE_SHIFT;
    }

    static long gfnToPte(long gfn, long flags) {
        return (gfn << PAGE_SHIFT) & ADDR | flags;
    }

    /** A present PDE with PS = 1 at level 2 maps a 2 MiB page. */
    static boolean largeLeaf(long e, int level) {
        return level == 2 && (e & PS) != 0;
    }

    /** The first frame of the 2 MiB page a PS = 1 PDE maps. */
    static long largePdeToGfn(long pde) {
        return (pde & LARGE_ADDR) >>> PAGE_SHIFT;
    }

    static boolean present(long pte) {
        return (pte & P) != 0;
    }

    private Paging() {}
}
