package org.memvirt.host;

/**
 * The numbers {@code free} prints, in bytes: the host's (from /proc/meminfo, as procps-ng 4 computes them) or a
 * modelled one. report.FreeTable renders them in free's layout.
 */
public record FreeMemory(long total, long used, long free, long shared, long buffCache, long available,
                         long swapTotal, long swapUsed, long swapFree) {

    public FreeMemory {
        requireNonNegative("total", total);
        requireNonNegative("free", free);
        requireNonNegative("shared", shared);
        requireNonNegative("buff/cache", buffCache);
        requireNonNegative("available", available);
        requireNonNegative("swap total", swapTotal);
        requireNonNegative("swap free", swapFree);
    }

    /**
     * What free shows for these /proc/meminfo values, all bytes (procps-ng 4 library/meminfo.c meminfo_read_failed,
     * src/free.c): MemAvailable 0, or above MemTotal, counts as MemFree; used = MemTotal - MemAvailable, or
     * MemTotal - MemFree when that is negative; buff/cache = Buffers + Cached + SReclaimable; shared = Shmem;
     * swap used = SwapTotal - SwapFree.
     */
    public static FreeMemory fromMeminfo(long memTotal, long memFree, long memAvailable, long buffers, long cached,
                                         long sReclaimable, long shmem, long swapTotal, long swapFree) {
        long available = memAvailable == 0 || memAvailable > memTotal ? memFree : memAvailable;
        long used = memTotal - available;
        if (used < 0) {
            used = memTotal - memFree;
        }
        return new FreeMemory(memTotal, used, memFree, shmem, buffers + cached + sReclaimable, available,
                swapTotal, swapTotal - swapFree, swapFree);
    }

    /** A modelled host of {@code total} bytes, {@code used} of them in use, nothing cached, no swap. */
    public static FreeMemory ofUsed(long total, long used) {
        return new FreeMemory(total, used, total - used, 0, 0, total - used, 0, 0, 0);
    }

    /**
     * This host after {@code bytes} more are taken from its free memory (at most what is free): used grows, free and
     * available shrink by the same amount.
     */
    public FreeMemory withMoreUsed(long bytes) {
        long add = Math.min(bytes, free);
        return new FreeMemory(total, used + add, free - add, shared, buffCache, Math.max(0, available - add),
                swapTotal, swapUsed, swapFree);
    }

    private static void requireNonNegative(String what, long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException(what + " is negative: " + bytes + " bytes");
        }
    }
}
