package org.memvirt.engine;

/**
 * One machine's memory as {@code free} reports it, in bytes: a host (real or modelled) or a guest seen from inside.
 * The report package renders it in procps' layout.
 */
public record MemoryUsage(long total, long used, long free, long shared, long buffCache, long available,
        long swapTotal, long swapUsed, long swapFree) {

    /** A machine without page cache or shared memory: {@code used} of {@code total}, swap {@code swapUsed} of {@code swapTotal}. */
    public static MemoryUsage of(long total, long used, long swapTotal, long swapUsed) {
        return new MemoryUsage(total, used, total - used, 0, 0, total - used, swapTotal, swapUsed, swapTotal - swapUsed);
    }
}
