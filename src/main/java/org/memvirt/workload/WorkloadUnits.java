package org.memvirt.workload;

import java.math.BigDecimal;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.memvirt.config.QemuSize;

/**
 * The number grammars of the workload language, each with its canonical form: sizes (QEMU's size grammar, a
 * suffix-less number being MiB as for {@code -m}), counts (decimal, optional K/M/G = 10^3/10^6/10^9) and
 * durations (ns/us/ms/s/m/h). Parse methods throw {@link IllegalArgumentException} with a short reason.
 */
public final class WorkloadUnits {
    /** The page size every workload range is a multiple of. */
    public static final long PAGE_SIZE = 4096;                      // SDM Vol 3A §4.5: 4-KByte pages

    private static final String[] SIZE_SUFFIXES = {"E", "P", "T", "G", "M", "K"};
    private static final int[] SIZE_SHIFTS = {60, 50, 40, 30, 20, 10};
    private static final Pattern COUNT = Pattern.compile("(\\d+)([kKmMgG]?)");
    private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)(ns|us|ms|s|m|h)");
    private static final String[] DURATION_UNITS = {"h", "m", "s", "ms", "us", "ns"};
    private static final long[] DURATION_NANOS = {3_600_000_000_000L, 60_000_000_000L, 1_000_000_000L, 1_000_000L, 1_000L, 1L};

    /**
     * Bytes of a size such as {@code 1G}, {@code 512M}, {@code 1.5G}, {@code 4096B}: QEMU's size grammar where, as for
     * {@code -m}, a number without a suffix letter is MiB ({@code 512} = 512 MiB, {@code 1.5} = 1.5 MiB).
     */
    public static long parseSize(String text) {
        return switch (QemuSize.strtosz(text, QemuSize.MEBIBYTES)) {   // qemu util/cutils.c qemu_strtosz_MiB
            case QemuSize.Bytes(long bytes, List<String> warnings) when bytes >= 0 -> bytes;
            default -> throw new IllegalArgumentException("not a size below 2^63 bytes");
        };
    }

    /** The canonical size text: the largest suffix of K..E that divides {@code bytes} exactly, else {@code NB}. */
    public static String formatSize(long bytes) {
        if (bytes == 0) return "0";
        for (int i = 0; i < SIZE_SHIFTS.length; i++) {
            long unit = 1L << SIZE_SHIFTS[i];
            if (bytes % unit == 0) return (bytes / unit) + SIZE_SUFFIXES[i];
        }
        return bytes + "B";
    }

    /** A count: decimal digits with an optional K, M or G (any case) meaning 10^3, 10^6, 10^9. */
    public static long parseCount(String text) {
        Matcher m = COUNT.matcher(text);
        if (!m.matches()) throw new IllegalArgumentException("not a count");
        long multiplier = switch (m.group(2).toUpperCase()) {
            case "K" -> 1_000L;
            case "M" -> 1_000_000L;
            case "G" -> 1_000_000_000L;
            default -> 1L;
        };
        try {
            return Math.multiplyExact(Long.parseLong(m.group(1)), multiplier);
        } catch (ArithmeticException | NumberFormatException e) {
            throw new IllegalArgumentException("count too large");
        }
    }

    /** The canonical count text: {@code 1M} for 1,000,000, {@code 1500} for 1,500. */
    public static String formatCount(long count) {
        if (count == 0) return "0";
        if (count % 1_000_000_000L == 0) return count / 1_000_000_000L + "G";
        if (count % 1_000_000L == 0) return count / 1_000_000L + "M";
        if (count % 1_000L == 0) return count / 1_000L + "K";
        return Long.toString(count);
    }

    /** Nanoseconds of a duration: a decimal number and one of ns, us, ms, s, m, h ({@code 1.5s}, {@code 250ms}). */
    public static long parseDuration(String text) {
        Matcher m = DURATION.matcher(text);
        if (!m.matches()) throw new IllegalArgumentException("not a duration");
        long unit = 0;
        for (int i = 0; i < DURATION_UNITS.length; i++) {
            if (DURATION_UNITS[i].equals(m.group(2))) unit = DURATION_NANOS[i];
        }
        BigDecimal nanos = new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(unit));
        try {
            return nanos.stripTrailingZeros().longValueExact();
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("not a whole number of nanoseconds below 2^63");
        }
    }

    /** The canonical duration text: the largest unit that divides {@code nanos} exactly ({@code 0s} for zero). */
    public static String formatDuration(long nanos) {
        if (nanos == 0) return "0s";
        for (int i = 0; i < DURATION_UNITS.length; i++) {
            if (nanos % DURATION_NANOS[i] == 0) return nanos / DURATION_NANOS[i] + DURATION_UNITS[i];
        }
        throw new AssertionError("ns divides everything");
    }

    private WorkloadUnits() {}
}
