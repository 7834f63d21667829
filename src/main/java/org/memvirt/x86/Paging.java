package org.memvirt.x86;

/** Address arithmetic of x86-64 radix paging: indices, page shifts, canonical form. Static, pure, allocation-free. */
public final class Paging {
    public static final int PAGE_SHIFT = 12;                       // SDM Vol 3A §4.5: 4-KByte pages
    public static final long PAGE_SIZE = 1L << PAGE_SHIFT;
    public static final int ENTRIES = 512;                         // SDM Vol 3A §4.5: 512 8-byte entries per table
    public static final int SHIFT_4K = 12, SHIFT_2M = 21, SHIFT_1G = 30; // SDM Vol 3A §4.5, Table 4-14..4-19
    public static final int MAX_PHYS_ADDR_BITS = 52;               // SDM Vol 3A §4.1.4: MAXPHYADDR is at most 52

    /** Bits of the address translated by one entry at {@code level} (1 = PT, 2 = PD, 3 = PDPT, 4 = PML4, 5 = PML5). */
    public static int levelShift(int level) {
        return PAGE_SHIFT + 9 * (level - 1);
    }

    /** The 9-bit index into the table at {@code level} for address {@code va}. */
    public static int index(long va, int level) {
        return (int) (va >>> levelShift(level)) & 511;
    }

    /** True if {@code la} is canonical for {@code levels}-level paging (bits 63:47, or 63:56 with LA57, all equal). */
    public static boolean canonical(long la, int levels) {
        int bits = levelShift(levels) + 9;                         // 48 or 57 significant bits
        return (la << (64 - bits)) >> (64 - bits) == la;
    }

    /** Mask of physical-address bits below {@code maxPhysAddr} and at or above 12: the frame field of an entry. */
    public static long frameMask(int maxPhysAddr) {
        return ((1L << maxPhysAddr) - 1) & ~(PAGE_SIZE - 1);
    }

    /** Mask of bits 51:maxPhysAddr, reserved in every entry (SDM Vol 3A §4.5, Table 4-20 note "M"). */
    public static long highReserved(int maxPhysAddr) {
        return ((1L << 52) - 1) & ~((1L << maxPhysAddr) - 1);
    }

    /** The table name at {@code level} in SDM terms. */
    public static String tableName(int level) {
        return switch (level) {
            case 1 -> "PT";
            case 2 -> "PD";
            case 3 -> "PDPT";
            case 4 -> "PML4";
            case 5 -> "PML5";
            default -> throw new IllegalArgumentException("level " + level);
        };
    }

    /** Parses 4K, 2M or 1G (any case, optional "iB"/"B") to a page shift. */
    public static int parsePageSize(String text) {
        String t = text.trim().toUpperCase(java.util.Locale.ROOT).replace("IB", "").replace("B", "");
        return switch (t) {
            case "4K" -> SHIFT_4K;
            case "2M" -> SHIFT_2M;
            case "1G" -> SHIFT_1G;
            default -> throw new X86Exception("page size must be 4K, 2M or 1G, not '" + text + "'");
        };
    }

    /** 4K, 2M or 1G for a page shift. */
    public static String pageSizeName(int shift) {
        return switch (shift) {
            case SHIFT_4K -> "4K";
            case SHIFT_2M -> "2M";
            case SHIFT_1G -> "1G";
            default -> "2^" + shift;
        };
    }

    private Paging() {}
}
