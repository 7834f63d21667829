package org.memvirt.report;

import java.util.Locale;

import org.memvirt.host.FreeMemory;

/**
 * Renders {@link FreeMemory} in procps-ng 4's exact {@code free} layout.
 * <pre>
 *                total        used        free      shared  buff/cache   available
 * Mem:           24105         352       23731           8         261       23752
 * Swap:              0           0           0
 * </pre>
 */
public final class FreeTable {

    static final String HEADER =
            "               total        used        free      shared  buff/cache   available"; // procps-ng 4.0.2 src/free.c
    private static final String LABEL = "%-9s";     // procps-ng 4.0.2 src/free.c: row label
    private static final String VALUE = "%11s";     // procps-ng 4.0.2 src/free.c: each value, one space between

    /** The three lines free prints for {@code m} in {@code unit}, each ending in a newline. */
    public static String render(FreeMemory m, FreeUnit unit) {
        StringBuilder sb = new StringBuilder(3 * 84);
        sb.append(HEADER).append('\n');
        row(sb, "Mem:", unit, m.total(), m.used(), m.free(), m.shared(), m.buffCache(), m.available());
        row(sb, "Swap:", unit, m.swapTotal(), m.swapUsed(), m.swapFree());
        return sb.toString();
    }

    private static void row(StringBuilder sb, String label, FreeUnit unit, long... bytes) {
        sb.append(String.format(Locale.ROOT, LABEL, label));
        for (int i = 0; i < bytes.length; i++) {
            sb.append(i == 0 ? "" : " ").append(String.format(Locale.ROOT, VALUE, unit.fromBytes(bytes[i])));
        }
        sb.append('\n');
    }

    private FreeTable() {}
}
