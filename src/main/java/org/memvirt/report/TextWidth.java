package org.memvirt.report;

/**
 * How wide a line of chart text is, for laying labels out without a browser. The advance widths are DejaVu Sans's,
 * the first font of the charts' {@code font-family} list and among the widest common sans-serif faces, so a label
 * laid out with them has room in the narrower faces a browser may pick instead.
 */
final class TextWidth {
    /** Advance widths of U+0020..U+007E in 1/2048 em: DejaVu Sans 2.37 (Debian fonts-dejavu-core), table hmtx. */
    private static final short[] ASCII = {
        651, 821, 942, 1716, 1303, 1946, 1597, 563, 799, 799, 1024, 1716, 651, 739, 651, 690,
        1303, 1303, 1303, 1303, 1303, 1303, 1303, 1303, 1303, 1303, 690, 690, 1716, 1716, 1716, 1087,
        2048, 1401, 1405, 1430, 1577, 1294, 1178, 1587, 1540, 604, 604, 1343, 1141, 1767, 1532, 1612,
        1235, 1612, 1423, 1300, 1251, 1499, 1401, 2025, 1403, 1251, 1403, 799, 690, 799, 1716, 1024,
        1024, 1255, 1300, 1126, 1300, 1260, 721, 1300, 1298, 569, 569, 1186, 569, 1995, 1298, 1253,
        1300, 1300, 842, 1067, 803, 1298, 1212, 1675, 1212, 1212, 1075, 1303, 690, 1303, 1716};
    private static final int UNITS_PER_EM = 2048;
    /** Any other character (µ, ×, →, ·): as wide as DejaVu Sans's widest ASCII glyph, so never underestimated. */
    private static final int OTHER = 2048;

    /** The width of {@code text} at {@code fontSize} pixels. */
    static double of(String text, double fontSize) {
        long units = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            units += c >= 0x20 && c <= 0x7e ? ASCII[c - 0x20] : OTHER;
        }
        return units * fontSize / UNITS_PER_EM;
    }

    private TextWidth() {}
}
