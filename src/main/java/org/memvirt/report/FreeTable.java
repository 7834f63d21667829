package org.memvirt.report;

import java.util.Locale;

/**
 * The numbers of one {@code free} report, in bytes, rendered in procps-ng 4's exact layout.
 * <pre>
 *                total        used        free      shared  buff/cache   available
 * Mem:           24105         352       23731           8         261       23752
 * Swap:              0           0           0
 * </pre>
 * Engines fill it for a guest or a simulated host; {@link #fromMeminfo} derives it from /proc/meminfo fields.
 */
public record FreeTable(long total, long used, long free, long shared, long buffCache, long available,
                        long swapTotal, long swapUsed, long swapFree) {

    static final String HEADER =
            "               total        used        free      shared  buff/cache   available"; // procps-ng 4.0.2 src/free.c
    private static final String LABEL = "%-9s";     // procps-ng 4.0.2 src/free.c: row label
    private static final String VALUE = "%11s";     // procps-ng 4.0.2 src/free.c: each value, one space between

    public FreeTable {
        requireNonNegative("total", total);
        requireNonNegative("free", free);
        requireNonNegative("shared", shared);
        requireNonNegative("buff/cache", buffCache);
        requireNonNegative("available", available);
        requireNonNegative("swap total", swapTotal);
        requireNonNegative("swap free", swapFree);
    }

    /**
     * procps-ng 4 semantics (library/meminfo.c, NEWS for 4.0.1): used = MemTotal - MemAvailable, or MemTotal - MemFree
     * when that is negative; MemAvailable 0 counts as MemFree; buff/cache = Buffers + Cached + SReclaimable;
     * shared = Shmem; swap used = SwapTotal - SwapFree. All arguments are bytes.
     */
    public static FreeTable fromMeminfo(long memTotal, long memFree, long memAvailable, long buffers, long cached,
                                        long sReclaimable, long shmem, long swapTotal, long swapFree) {
        long available = memAvailable == 0 ? memFree : memAvailable;
        long used = memTotal - available;
        if (used < 0) {
            used = memTotal - memFree;
        }
        return new FreeTable(memTotal, used, memFree, shmem, buffers + cached + sReclaimable, available,
                swapTotal, swapTotal - swapFree, swapFree);
    }

    /** The three lines free prints in {@code unit}, each ending in a newline. */
    public String render(FreeUnit unit) {
        StringBuilder sb = new StringBuilder(3 * 84);
        sb.append(HEADER).append('\n');
        row(sb, "Mem:", unit, total, used, free, shared, buffCache, available);
        row(sb, "Swap:", unit, swapTotal, swapUsed, swapFree);
        return sb.toString();
    }

    private static void row(StringBuilder sb, String label, FreeUnit unit, long... bytes) {
        sb.append(String.format(Locale.ROOT, LABEL, label));
        for (int i = 0; i < bytes.length; i++) {
            sb.append(i == 0 ? "" : " ").append(String.format(Locale.ROOT, VALUE, unit.fromBytes(bytes[i])));
        }
        sb.append('\n');
    }

    private static void requireNonNegative(String what, long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException(what + " is negative: " + bytes + " bytes");
        }
    }
}
