package org.memvirt.config;

/**
 * The C library's {@code strtoull} and the prefix scan of {@code strtod} (glibc, "C" locale), position-exact, as QEMU's
 * {@code util/cutils.c} wrappers use them. Positions past the end of the text read as NUL.
 */
final class CNumber {

    /**
     * The result of {@code strtoull}.
     *
     * @param value the (wrapped, for a leading '-') value, or 2^64-1 on overflow
     * @param end index of the first unparsed character; the start index when nothing was converted
     * @param converted whether any digit was converted
     * @param outOfRange errno was ERANGE
     */
    record Ull(long value, int end, boolean converted, boolean outOfRange) {}

    /** glibc {@code strtoull(text + start, &end, base)} for base 0, 8, 10 or 16. */
    static Ull strtoull(String text, int start, int base) {
        int i = start;
        while (isSpace(charAt(text, i))) i++;
        boolean negative = false;
        if (charAt(text, i) == '+' || charAt(text, i) == '-') {
            negative = charAt(text, i) == '-';
            i++;
        }
        if ((base == 0 || base == 16) && charAt(text, i) == '0' && (charAt(text, i + 1) | 0x20) == 'x'
                && digit(charAt(text, i + 2), 16) >= 0) {
            i += 2;
            base = 16;
        } else if (base == 0) {
            base = charAt(text, i) == '0' ? 8 : 10;
        }
        int digitsStart = i;
        long value = 0;
        boolean overflow = false;
        for (int d; (d = digit(charAt(text, i), base)) >= 0; i++) {
            long high = Math.unsignedMultiplyHigh(value, base);
            long low = value * base;
            long sum = low + d;
            if (high != 0 || Long.compareUnsigned(sum, low) < 0) overflow = true;
            value = sum;
        }
        if (i == digitsStart) return new Ull(0, start, false, false);
        if (overflow) return new Ull(-1L, i, true, true);
        return new Ull(negative ? -value : value, i, true, false);
    }

    /**
     * The end of the longest prefix of {@code text} from {@code start} that glibc {@code strtod} converts, for text
     * that starts with '.' (no sign, hex, inf or nan can follow); {@code start} when nothing converts.
     */
    static int strtodEndFromPoint(String text, int start) {
        int i = start + 1;
        int digitsStart = i;
        while (isDigit(charAt(text, i))) i++;
        if (i == digitsStart) return start;
        if ((charAt(text, i) | 0x20) == 'e') {
            int j = i + 1;
            if (charAt(text, j) == '+' || charAt(text, j) == '-') j++;
            if (isDigit(charAt(text, j))) {
                while (isDigit(charAt(text, j))) j++;
                i = j;
            }
        }
        return i;
    }

    static char charAt(String text, int index) {
        return index < text.length() ? text.charAt(index) : '\0';
    }

    /** C isspace() in the "C" locale. */
    static boolean isSpace(char c) {
        return c == ' ' || (c >= '\t' && c <= '\r');
    }

    static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static int digit(char c, int base) {
        int d;
        if (c >= '0' && c <= '9') d = c - '0';
        else if (c >= 'a' && c <= 'z') d = c - 'a' + 10;
        else if (c >= 'A' && c <= 'Z') d = c - 'A' + 10;
        else return -1;
        return d < base ? d : -1;
    }

    private CNumber() {}
}
