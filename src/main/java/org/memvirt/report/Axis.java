package org.memvirt.report;

/**
 * One chart axis: its domain, its ticks and their labels, on a linear or a base-10 logarithmic scale.
 *
 * @param quantity what it measures
 * @param log whether the scale is logarithmic (values below 1 sit at the bottom, which is labelled 0)
 * @param lo the domain's low end
 * @param hi the domain's high end
 * @param ticks tick values inside [lo, hi]
 * @param labels one label per tick, with its unit
 */
public record Axis(Quantity quantity, boolean log, double lo, double hi, double[] ticks, String[] labels) {
    private static final int TARGET_TICKS = 5;
    /** How far below 1 a log axis starts, in decades: 1 is as far above the bottom as half a decade. */
    static final double LOG_FLOOR_DECADES = 0.5;

    /** A linear axis over [min, max] with about five ticks at nice steps; a zero-width range becomes [min, min+1]. */
    public static Axis linear(Quantity q, double min, double max) {
        if (!(max > min)) max = min + (q == Quantity.BYTES ? 1024 : 1);
        Quantity.Unit unit = q.unitFor(Math.max(Math.abs(min), Math.abs(max)));
        double stepInUnits = q.niceStep((max - min) / unit.divisor() / TARGET_TICKS);
        while (q == Quantity.BYTES && stepInUnits < 1 && unit.divisor() >= 1024) {
            // 0.2 GiB reads worse than 256 MiB: step in the next smaller unit, with a power of two
            unit = new Quantity.Unit(unit.divisor() / 1024, "");
            stepInUnits = q.niceStep((max - min) / unit.divisor() / TARGET_TICKS);
        }
        double step = stepInUnits * unit.divisor();
        long first = (long) Math.ceil(min / step - 1e-9);
        long last = (long) Math.floor(max / step + 1e-9);
        int n = (int) (last - first + 1);
        double[] ticks = new double[n];
        String[] labels = new String[n];
        for (int i = 0; i < n; i++) {
            ticks[i] = (first + i) * step;
            // bytes: each tick in its own unit (512 MiB, 1 GiB, 1.5 GiB), exact since steps are powers of two
            labels[i] = q == Quantity.BYTES ? q.format(ticks[i]) : Quantity.label(ticks[i], unit, stepInUnits);
        }
        return new Axis(q, false, min, max, ticks, labels);
    }

    /** A linear axis from 0 to {@code max} rounded up to the next tick, as value axes of areas and bars want. */
    public static Axis fromZero(Quantity q, double max) {
        Axis a = linear(q, 0, max);
        double step = a.ticks.length > 1 ? a.ticks[1] - a.ticks[0] : a.hi;
        double top = a.ticks[a.ticks.length - 1];
        return linear(q, 0, top >= max ? top : top + step);
    }

    /**
     * A log axis up to the power of ten at or above {@code max}, one tick per decade (1, 10, 100, 1k, ...), whose
     * bottom, labelled 0, lies {@link #LOG_FLOOR_DECADES} of a decade below 1: a count of 1 gets a visible bar and
     * a count of 0 none.
     */
    public static Axis log(Quantity q, double max) {
        int decades = Math.max(1, (int) Math.ceil(Math.log10(Math.max(max, 10)) - 1e-9));
        double[] ticks = new double[decades + 2];
        String[] labels = new String[decades + 2];
        labels[0] = q.format(0);
        for (int i = 0; i <= decades; i++) {
            ticks[i + 1] = Math.pow(10, i);
            labels[i + 1] = q.format(ticks[i + 1]);
        }
        return new Axis(q, true, 0, ticks[decades + 1], ticks, labels);
    }

    /** Where {@code v} falls on this axis: 0 at {@code lo}, 1 at {@code hi}, clamped to [0, 1]. */
    public double fraction(double v) {
        double f = log ? (v < 1 ? 0 : (Math.log10(v) + LOG_FLOOR_DECADES) / (Math.log10(hi) + LOG_FLOOR_DECADES))
                : (v - lo) / (hi - lo);
        return Math.max(0, Math.min(1, f));
    }
}
