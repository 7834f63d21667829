package org.memvirt.sim;

import org.memvirt.engine.HostSpec;

/**
 * The zone free-page watermarks that drive reclaim (linux mm/page_alloc.c __setup_per_zone_wmarks, one zone):
 * kswapd wakes below {@code low} and reclaims until {@code high}; an allocation that would go below {@code min}
 * reclaims directly, and fails to the OOM killer when nothing can be reclaimed.
 *
 * @param min pages
 * @param low pages
 * @param high pages
 */
public record Watermarks(long min, long low, long high) {
    public static final int DEFAULT_SCALE_FACTOR = HostSpec.Host.DEFAULT_WATERMARK_SCALE_FACTOR;   // 0.1%
    static final long MIN_FREE_KBYTES_FLOOR = 128;                     // linux mm/page_alloc.c calculate_min_free_kbytes
    static final long MIN_FREE_KBYTES_CEILING = 262_144;               // linux mm/page_alloc.c calculate_min_free_kbytes

    /** The watermarks of a single zone of {@code managedPages} 4 KiB pages. */
    public static Watermarks of(long managedPages, int scaleFactor) {
        long lowmemKbytes = managedPages * 4;
        long minFreeKbytes = Math.clamp((long) Math.sqrt((double) lowmemKbytes * 16), MIN_FREE_KBYTES_FLOOR,
                MIN_FREE_KBYTES_CEILING);
        long min = minFreeKbytes / 4;
        long tmp = Math.max(min / 4, managedPages * scaleFactor / 10_000);
        return new Watermarks(min, min + tmp, min + 2 * tmp);
    }
}
