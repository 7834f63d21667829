package org.memvirt.report;

import java.util.ArrayList;
import java.util.List;

/**
 * Grouped bars: one group per category (a counter name), one bar per series (a run, e.g. {@code shadow} and
 * {@code ept}) side by side, on a linear or a log scale (counters span 1 to 10^9). Renders to an inline SVG string.
 *
 * @param title the chart title
 * @param yTitle the y axis title
 * @param yQuantity what y measures, usually {@link Quantity#COUNT}
 * @param categories group names along x
 * @param series one bar per category each, values aligned with {@code categories}
 * @param log whether y is logarithmic (values below 1 draw no bar)
 */
public record BarChart(String title, String yTitle, Quantity yQuantity, List<String> categories, List<Series> series,
        boolean log) {
    private static final double GROUP_FILL = 0.8;   // share of a group's slot covered by bars
    private static final double LABEL_SLOPE = 4.2;  // pixels of height per character of a label rotated by 35°

    public BarChart {
        categories = List.copyOf(categories);
        series = List.copyOf(series);
        if (categories.isEmpty()) throw new IllegalArgumentException("a bar chart needs at least one category");
        for (Series s : series) {
            if (s.values().length != categories.size()) {
                throw new IllegalArgumentException("series '" + s.name() + "' has " + s.values().length
                        + " values for " + categories.size() + " categories");
            }
        }
    }

    public String render() {
        double max = 0;
        for (Series s : series) max = Math.max(max, s.max());
        Axis y = log ? Axis.log(yQuantity, max) : Axis.fromZero(yQuantity, max);
        List<LegendItem> legend = new ArrayList<>();
        for (int i = 0; i < series.size(); i++) {
            legend.add(new LegendItem(series.get(i).name(), color(i), LegendItem.Swatch.AREA));
        }
        int longest = 0;
        for (String c : categories) longest = Math.max(longest, c.length());
        Frame f = new Frame(Frame.WIDTH, Frame.HEIGHT + 40, (int) (24 + longest * LABEL_SLOPE + 20), legend);
        Svg svg = new Svg(f.width, f.height, title);
        f.title(svg, title);
        f.yAxis(svg, y, yTitle + (log ? " (log scale)" : ""));
        double slot = f.plotWidth / categories.size();
        double barWidth = slot * GROUP_FILL / Math.max(1, series.size());
        for (int c = 0; c < categories.size(); c++) {
            double groupX = f.left + c * slot + slot * (1 - GROUP_FILL) / 2;
            svg.group("group", null);
            for (int s = 0; s < series.size(); s++) {
                double v = series.get(s).values()[c];
                double top = f.py(y.fraction(v));
                svg.rect(groupX + s * barWidth, top, barWidth, f.bottom() - top, "fill=\"" + color(s) + "\"",
                        series.get(s).name() + " " + categories.get(c) + ": " + count(v));
            }
            svg.end();
        }
        categoryLabels(svg, f, slot);
        svg.line(f.left, f.bottom(), f.left + f.plotWidth, f.bottom(), "stroke=\"" + Palette.AXIS + "\"");
        f.legend(svg, legend);
        return svg.finish();
    }

    /** Category names under each group, rotated by 35° so that long counter names fit. */
    private void categoryLabels(Svg svg, Frame f, double slot) {
        svg.group("x-axis", null);
        for (int c = 0; c < categories.size(); c++) {
            double x = f.left + (c + 0.5) * slot;
            double y = f.bottom() + 14;
            svg.text(x, y, "end", "transform=\"rotate(-35 " + Svg.num(x) + " " + Svg.num(y) + ")\" fill=\""
                    + Palette.INK + "\"", categories.get(c));
        }
        svg.end();
    }

    private String count(double v) {
        return yQuantity == Quantity.COUNT ? String.format(java.util.Locale.ROOT, "%,.0f", v) : yQuantity.format(v);
    }

    private String color(int i) {
        String c = series.get(i).color();
        return c != null ? c : Palette.series(i);
    }
}
