package org.memvirt.scenario;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Sizes in QEMU's grammar (binary suffixes B K M G T P E, fractions allowed) and durations (ns us ms s m h). */
final class Units {
    private static final Pattern SIZE = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*([bkmgtpe]?)(?:i?b)?", Pattern.CASE_INSENSITIVE);
    private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ns|us|ms|s|m|min|h)?", Pattern.CASE_INSENSITIVE);

    /** Bytes of {@code text}; a bare number is bytes. Returns -1 if it is not a size. */
    static long size(String text) {
        Matcher m = SIZE.matcher(text.trim());
        if (!m.matches()) return -1;
        int shift = switch (m.group(2).toLowerCase(Locale.ROOT)) {
            case "", "b" -> 0;
            case "k" -> 10;
            case "m" -> 20;
            case "g" -> 30;
            case "t" -> 40;
            case "p" -> 50;
            default -> 60;
        };
        double v = Double.parseDouble(m.group(1)) * Math.pow(2, shift);
        if (v >= 0x1p63) return -1;
        return (long) v;
    }

    /** Nanoseconds of {@code text}; a bare number is seconds. Returns -1 if it is not a duration. */
    static long duration(String text) {
        Matcher m = DURATION.matcher(text.trim());
        if (!m.matches()) return -1;
        String unit = m.group(2) == null ? "s" : m.group(2).toLowerCase(Locale.ROOT);
        double scale = switch (unit) {
            case "ns" -> 1;
            case "us" -> 1e3;
            case "ms" -> 1e6;
            case "s" -> 1e9;
            case "m", "min" -> 60e9;
            default -> 3600e9;
        };
        return Math.round(Double.parseDouble(m.group(1)) * scale);
    }

    /** A human size in MiB or GiB. */
    static String human(long bytes) {
        if (bytes >= 10L << 30 && bytes % (1L << 30) == 0) return (bytes >> 30) + " GiB";
        if (bytes >= 1L << 30) return String.format(Locale.ROOT, "%.1f GiB", bytes / (double) (1L << 30));
        return String.format(Locale.ROOT, "%.0f MiB", bytes / (double) (1L << 20));
    }

    /** Seconds with millisecond precision. */
    static String seconds(long nanos) {
        return String.format(Locale.ROOT, "%.3fs", nanos / 1e9);
    }

    private Units() {}
}
