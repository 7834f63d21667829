package org.memvirt.report;

import java.util.Locale;

/** What a chart axis measures, which decides its tick steps and how a tick label names its unit. */
public enum Quantity {
    /** Bytes, labelled in binary units (KiB, MiB, GiB, TiB) with power-of-two steps. */
    BYTES,
    /** Seconds, labelled in ns, µs, ms or s. */
    SECONDS,
    /** A plain count, labelled with k, M, G suffixes (powers of 1000). */
    COUNT,
    /** A percentage, 0 to 100, labelled with a {@code %} suffix. */
    PERCENT;

    private static final String[] BYTE_UNITS = {"B", "KiB", "MiB", "GiB", "TiB"};
    private static final String[] COUNT_SUFFIX = {"", "k", "M", "G", "T"};

    /** The divisor and name of the unit that labels an axis whose largest value is {@code max}. */
    Unit unitFor(double max) {
        double m = Math.abs(max);
        return switch (this) {
            case BYTES -> {
                int i = 0;
                while (i < BYTE_UNITS.length - 1 && m >= Math.pow(1024, i + 1)) i++;
                yield new Unit(Math.pow(1024, i), BYTE_UNITS[i].equals("B") ? " B" : " " + BYTE_UNITS[i]);
            }
            case SECONDS -> m >= 1 ? new Unit(1, " s") : m >= 1e-3 ? new Unit(1e-3, " ms")
                    : m >= 1e-6 ? new Unit(1e-6, " µs") : new Unit(1e-9, " ns");
            case COUNT -> {
                int i = 0;
                while (i < COUNT_SUFFIX.length - 1 && m >= Math.pow(1000, i + 1)) i++;
                yield new Unit(Math.pow(1000, i), COUNT_SUFFIX[i]);
            }
            case PERCENT -> new Unit(1, "%");
        };
    }

    /** A step near {@code raw} (in units) that reads well: 1-2-5 decades, or powers of two for bytes. */
    double niceStep(double raw) {
        if (raw <= 0) return 1;
        if (this == BYTES && raw >= 1) {
            return Math.pow(2, Math.ceil(Math.log(raw) / Math.log(2) - 1e-9));
        }
        double decade = Math.pow(10, Math.floor(Math.log10(raw)));
        double f = raw / decade;
        double nice = f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10;
        return nice * decade;
    }

    /** {@code value} labelled in {@code unit}, with as many decimals as {@code stepInUnits} needs: 0, 1.5 GiB, 200 ms. */
    static String label(double value, Unit unit, double stepInUnits) {
        if (value == 0) return "0";
        // a 1-2-5 step below one unit needs as many decimals as its first significant digit: 0.5 -> 1, 0.05 -> 2
        int decimals = stepInUnits >= 1 ? 0 : Math.min(12, (int) Math.ceil(-Math.log10(stepInUnits) - 1e-9));
        return String.format(Locale.ROOT, "%." + decimals + "f", value / unit.divisor()) + unit.suffix();
    }

    /** One value formatted for a legend, a table or hover text: {@code 1.5 GiB}, {@code 12.3 ms}, {@code 4.2M}. */
    public String format(double value) {
        if (value == 0) return "0";
        Unit u = unitFor(value);
        double scaled = value / u.divisor();
        if (this == COUNT && u.divisor() == 1) return String.format(Locale.ROOT, "%.0f", value);
        String digits = String.format(Locale.ROOT, Math.abs(scaled) >= 100 ? "%.0f" : Math.abs(scaled) >= 10 ? "%.1f" : "%.2f",
                scaled);
        if (digits.contains(".")) digits = digits.replaceAll("0+$", "").replaceAll("\\.$", "");
        return digits + u.suffix();
    }

    /** A unit: divide a value by {@code divisor} and append {@code suffix} (with its leading space, if any). */
    record Unit(double divisor, String suffix) {}
}
