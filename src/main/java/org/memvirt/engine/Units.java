package org.memvirt.engine;

import java.util.Locale;

/** Sizes and times as host runs' events and reports write them. */
public final class Units {

    /** A human size in MiB or GiB. */
    public static String human(long bytes) {
        if (bytes >= 10L << 30 && bytes % (1L << 30) == 0) return (bytes >> 30) + " GiB";
        if (bytes >= 1L << 30) return String.format(Locale.ROOT, "%.1f GiB", bytes / (double) (1L << 30));
        return String.format(Locale.ROOT, "%.0f MiB", bytes / (double) (1L << 20));
    }

    /** Seconds with millisecond precision. */
    public static String seconds(long nanos) {
        return String.format(Locale.ROOT, "%.3fs", nanos / 1e9);
    }

    /** A duration in seconds, minutes or hours: {@code 45 s}, {@code 8.2 min}, {@code 1000 h}. */
    public static String duration(double seconds) {
        if (seconds < 60) return number(seconds) + " s";
        if (seconds < 3600) return number(seconds / 60) + " min";
        return number(seconds / 3600) + " h";
    }

    private static String number(double v) {
        return v == Math.rint(v) || v >= 100 ? String.format(Locale.ROOT, "%.0f", v) : String.format(Locale.ROOT, "%.1f", v);
    }

    private Units() {}
}
