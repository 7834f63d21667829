package org.memvirt.report;

import java.util.ArrayList;
import java.util.List;

/**
 * Values against a parameter: each series is a line through its points or points alone, each point with its
 * interval as a vertical whisker; x is numeric (a linear axis) or categorical (evenly spaced labels). Renders to an
 * inline SVG string.
 *
 * @param title the chart title
 * @param xTitle the x axis title
 * @param xLabels the categories' labels, x being a category's index; empty for a numeric x
 * @param yTitle the y axis title
 * @param yQuantity what y measures
 * @param series the series
 */
public record XyChart(String title, String xTitle, List<String> xLabels, String yTitle, Quantity yQuantity,
        List<Line> series) {
    private static final double RADIUS = 4;
    private static final double WHISKER = 5;

    public XyChart {
        xLabels = List.copyOf(xLabels);
        series = List.copyOf(series);
        if (series.isEmpty()) throw new IllegalArgumentException("an x/y chart needs a series");
    }

    /** How a series is drawn. */
    public enum Style {
        /** A line through the points, each point marked. */
        LINE,
        /** Points alone. */
        POINTS,
        /** A dashed line without marks, over the others (a frontier). */
        FRONTIER
    }

    /**
     * One series: points at {@code x} (sorted for a line), their values and intervals ({@code lo}, {@code hi} may be
     * null: no whiskers; a NaN bound draws none for that point).
     *
     * @param name legend text
     * @param x x of each point
     * @param y y of each point
     * @param lo each interval's low end, or null
     * @param hi each interval's high end, or null
     * @param hover hover text of each point, or null
     * @param style how it is drawn
     */
    public record Line(String name, double[] x, double[] y, double[] lo, double[] hi, List<String> hover, Style style) {
        public Line {
            x = x.clone();
            y = y.clone();
            lo = lo == null ? null : lo.clone();
            hi = hi == null ? null : hi.clone();
            hover = hover == null ? null : List.copyOf(hover);
            if (x.length != y.length || lo != null && lo.length != y.length || hi != null && hi.length != y.length
                    || hover != null && hover.size() != y.length) {
                throw new IllegalArgumentException("series '" + name + "': x, y, intervals and hover texts differ in length");
            }
        }
    }

    private static boolean bound(double[] bounds, int i) {
        return bounds != null && !Double.isNaN(bounds[i]);
    }

    public String render() {
        double yMax = 0;
        double yMin = 0;
        double xMin = Double.POSITIVE_INFINITY;
        double xMax = Double.NEGATIVE_INFINITY;
        for (Line s : series) {
            for (int i = 0; i < s.y().length; i++) {
                // a NaN bound (an interval unknown: one host) widens nothing; Math.max would make the whole axis NaN
                yMax = Math.max(yMax, finite(bound(s.hi(), i) ? Math.max(s.y()[i], s.hi()[i]) : s.y()[i]));
                yMin = Math.min(yMin, finite(bound(s.lo(), i) ? Math.min(s.y()[i], s.lo()[i]) : s.y()[i]));
                xMin = Math.min(xMin, s.x()[i]);
                xMax = Math.max(xMax, s.x()[i]);
            }
        }
        Axis y = yMin < 0 ? Axis.linear(yQuantity, yMin, yMax) : Axis.fromZero(yQuantity, yMax);
        Axis x = xAxis(xMin, xMax);
        List<LegendItem> legend = new ArrayList<>();
        for (int i = 0; i < series.size(); i++) {
            legend.add(new LegendItem(series.get(i).name(), color(i),
                    series.get(i).style() == Style.FRONTIER ? LegendItem.Swatch.DASHED : LegendItem.Swatch.LINE));
        }
        Frame f = new Frame(legend);
        Svg svg = new Svg(f.width, f.height, title);
        f.title(svg, title);
        f.yAxis(svg, y, yTitle);
        for (int i = 0; i < series.size(); i++) if (series.get(i).style() != Style.FRONTIER) draw(svg, f, x, y, i);
        for (int i = 0; i < series.size(); i++) if (series.get(i).style() == Style.FRONTIER) draw(svg, f, x, y, i);
        f.xAxis(svg, x, xTitle);
        f.legend(svg, legend);
        return svg.finish();
    }

    /** A numeric axis over the x values, widened a little so end points are not on the frame; or the categories. */
    private Axis xAxis(double min, double max) {
        if (xLabels.isEmpty()) {
            double pad = max > min ? (max - min) * 0.04 : Math.max(0.5, Math.abs(min) * 0.1);
            return Axis.linear(Quantity.COUNT, min - pad, max + pad);
        }
        int n = xLabels.size();
        double[] ticks = new double[n];
        for (int i = 0; i < n; i++) ticks[i] = i;
        return new Axis(Quantity.COUNT, false, -0.5, n - 0.5, ticks, xLabels.toArray(String[]::new));
    }

    private void draw(Svg svg, Frame f, Axis x, Axis y, int index) {
        Line s = series.get(index);
        String c = color(index);
        svg.group("series " + s.style().name().toLowerCase(java.util.Locale.ROOT), s.name());
        if (s.style() != Style.POINTS && s.x().length > 1) {
            PathData d = new PathData();
            for (int i = 0; i < s.x().length; i++) {
                double px = f.px(x.fraction(s.x()[i]));
                double py = f.py(y.fraction(s.y()[i]));
                if (i == 0) d.moveTo(px, py);
                else d.lineTo(px, py);
            }
            svg.path(d.toString(), "fill=\"none\" stroke=\"" + c + "\" stroke-width=\"" + (s.style() == Style.FRONTIER
                    ? "2\" stroke-dasharray=\"6 4\"" : "2.5\"") + " stroke-linejoin=\"round\"");
        }
        if (s.style() != Style.FRONTIER) {
            for (int i = 0; i < s.x().length; i++) point(svg, f, x, y, s, i, c);
        }
        svg.end();
    }

    private static void point(Svg svg, Frame f, Axis x, Axis y, Line s, int i, String c) {
        double px = f.px(x.fraction(s.x()[i]));
        double py = f.py(y.fraction(s.y()[i]));
        svg.group("point", s.hover() == null ? null : s.hover().get(i));
        if (s.lo() != null && s.hi() != null && Double.isFinite(s.lo()[i]) && Double.isFinite(s.hi()[i])) {
            double top = f.py(y.fraction(s.hi()[i]));
            double bottom = f.py(y.fraction(s.lo()[i]));
            String stroke = "stroke=\"" + c + "\" stroke-width=\"1.5\"";
            svg.line(px, top, px, bottom, stroke);
            svg.line(px - WHISKER, top, px + WHISKER, top, stroke);
            svg.line(px - WHISKER, bottom, px + WHISKER, bottom, stroke);
        }
        svg.raw("<circle cx=\"" + Svg.num(px) + "\" cy=\"" + Svg.num(py) + "\" r=\"" + Svg.num(RADIUS) + "\" fill=\""
                + c + "\" stroke=\"#ffffff\" stroke-width=\"1\"/>");
        svg.end();
    }

    private static double finite(double v) {
        return Double.isFinite(v) ? v : 0;
    }

    private String color(int i) {
        return series.get(i).style() == Style.FRONTIER ? Palette.INK : Palette.series(i);
    }
}
