package org.memvirt.x86;

/**
 * The value a {@link Tlb} slot holds for a translation, laid out like a leaf PTE so the rights need no decoding.
 * <pre>
 * 63 XD (OR) | 62:59 PK | 57:52 page shift | 51:12 frame | 11:9 nested R/W/X (AND over EPT/NPT) | 8 G | 6 D
 *  4:3 size of the page a smashed entry came from (0 = not smashed, 1 = 2 MiB, 2 = 1 GiB) | 2 U/S (AND)
 *  1 R/W (AND) | 0 valid
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
    public static final int SMASHED_SHIFT = 3;
    public static final long SMASHED_MASK = 3L << SMASHED_SHIFT;

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
        int from = originalShift(v);
        long big = (1L << pageShift(v)) - 1;
        long piece = la & big & ~((1L << toShift) - 1);
        long code = from == Paging.SHIFT_1G ? 2 : from == Paging.SHIFT_2M ? 1 : 0;
        return ((v & FRAME & ~big) | piece) | ((long) toShift << SHIFT_POS)
                | (v & ~FRAME & ~(63L << SHIFT_POS) & ~SMASHED_MASK) | (code << SMASHED_SHIFT);
    }

    /** The size of the page the translation maps, before any smashing. */
    public static int originalShift(long v) {
        int code = (int) ((v & SMASHED_MASK) >>> SMASHED_SHIFT);
        return code == 2 ? Paging.SHIFT_1G : code == 1 ? Paging.SHIFT_2M : pageShift(v);
    }

    private TlbEntry() {}
}
