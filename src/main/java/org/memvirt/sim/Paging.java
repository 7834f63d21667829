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
    static final long P = Pte.P, RW = Pte.RW, US = Pte.US, A = Pte.A, D = Pte.D, ADDR = Pte.ADDR;
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

    static boolean present(long pte) {
        return (pte & P) != 0;
    }

    private Paging() {}
}
