package org.memvirt.report;

import java.util.List;

/** Checks and drawing shared by the charts whose x axis is time: sample alignment, the x axis, the series lines. */
final class TimeCharts {
    static final String X_TITLE = "time";

    static void requireAligned(double[] x, List<Series> series) {
        if (x.length == 0) throw new IllegalArgumentException("a time chart needs at least one sample");
        for (int i = 1; i < x.length; i++) {
            if (x[i] < x[i - 1]) throw new IllegalArgumentException("time goes backwards at sample " + i);
        }
        for (Series s : series) {
            if (s.values().length != x.length) {
                throw new IllegalArgumentException("series '" + s.name() + "' has " + s.values().length
                        + " values for " + x.length + " samples");
            }
        }
    }

    static Axis timeAxis(double[] x) {
        return Axis.linear(Quantity.SECONDS, x[0], x[x.length - 1]);
    }

    /** The line through one series: {@code M x0,y0 L x1,y1 ...}. */
    static String polyline(Frame f, Axis xAxis, Axis yAxis, double[] x, double[] y) {
        PathData d = new PathData();
        for (int i = 0; i < x.length; i++) {
            double px = f.px(xAxis.fraction(x[i]));
            double py = f.py(yAxis.fraction(y[i]));
            if (i == 0) d.moveTo(px, py);
            else d.lineTo(px, py);
        }
        return d.toString();
    }

    static String hover(Series s, Quantity q) {
        return s.name() + " (max " + q.format(s.max()) + ")";
    }

    private TimeCharts() {}
}
