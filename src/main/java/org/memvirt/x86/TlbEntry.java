package org.memvirt.x86;

/**
 * The value a {@link Tlb} slot holds for a translation, laid out like a leaf PTE so the rights need no decoding.
 * <pre>
 * 63 XD (OR) | 62:59 PK | 57:52 page shift | 51:12 frame | 11:9 nested R/W/X (AND over EPT/NPT) | 8 G | 6 D
 *  2 U/S (AND) | 1 R/W (AND) | 0 valid
 * </pre>
 * A linear mapping (no EPT) carries nested R/W/X = 111b.
 */
public final class TlbEntry {
    public static final long VALID = 1L;
    public static final int NESTED_SHIFT = 9;
    public static final long NESTED_R = 1L << 9, NESTED_W = 1L << 10, NESTED_X = 1L << 11;
    public static final long NESTED_RWX = NESTED_R | NESTED_W | NESTED_X;
    public static final int SHIFT_POS = 52;
    public static final long FRAME = 0x000F_FFFF_FFFF_F000L;

    public static long make(long frame, int pageShift, long rights, long nestedRwx) {
        return (frame & FRAME & ~((1L << pageShift) - 1)) | ((long) pageShift << SHIFT_POS)
                | (rights & (Permissions.RIGHTS | Pte.D | Pte.G | Pte.PK_MASK)) | ((nestedRwx & 7) << NESTED_SHIFT)
                | VALID;
    }

    public static int pageShift(long v) { return (int) (v >>> SHIFT_POS) & 63; }

    public static long frame(long v) { return v & FRAME; }

    /** The physical address {@code la} translates to through entry {@code v}. */
    public static long pa(long v, long la) {
        long mask = (1L << pageShift(v)) - 1;
        return (v & FRAME & ~mask) | (la & mask);
    }

    /** The same entry describing a smaller page (a "smashed" 2-MByte or 4-KByte piece) at {@code la}. */
    public static long smash(long v, long la, int toShift) {
        long big = (1L << pageShift(v)) - 1;
        long piece = la & big & ~((1L << toShift) - 1);
        return ((v & FRAME & ~big) | piece) | ((long) toShift << SHIFT_POS) | (v & ~FRAME & ~(63L << SHIFT_POS));
    }

    private TlbEntry() {}
}
