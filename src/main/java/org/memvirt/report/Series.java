package org.memvirt.report;

/**
 * One named series of a chart: a value per sample, aligned with the chart's x values.
 *
 * @param name legend and hover text
 * @param values one value per x sample
 * @param color a CSS colour, or null for the palette's colour by position
 */
public record Series(String name, double[] values, String color) {
    public Series {
        if (name == null || name.isBlank()) throw new IllegalArgumentException("series needs a name");
        values = values.clone();
    }

    public Series(String name, double[] values) {
        this(name, values, null);
    }

    /** The largest value, or 0 for an empty series. */
    double max() {
        double m = 0;
        for (double v : values) m = Math.max(m, v);
        return m;
    }
}
