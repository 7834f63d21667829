package org.memvirt.report;

import java.util.ArrayList;
import java.util.List;

/**
 * Named series stacked over time (resident, swapped, shared, ballooned per VM), with optional overlay lines on the
 * same y axis (host free memory, swap used) and vertical event markers. Renders to an inline SVG string.
 *
 * @param title the chart title
 * @param yTitle the y axis title, e.g. {@code memory}
 * @param yQuantity what y measures, usually {@link Quantity#BYTES}
 * @param seconds the sample times, non-decreasing
 * @param stacked series stacked bottom-up in this order
 * @param overlays series drawn as lines over the stack, not stacked
 * @param markers events
 */
public record StackedAreaChart(String title, String yTitle, Quantity yQuantity, double[] seconds, List<Series> stacked,
        List<Series> overlays, List<Marker> markers) {
    public StackedAreaChart {
        seconds = seconds.clone();
        stacked = List.copyOf(stacked);
        overlays = List.copyOf(overlays);
        markers = List.copyOf(markers);
        TimeCharts.requireAligned(seconds, stacked);
        TimeCharts.requireAligned(seconds, overlays);
    }

    /** The running sums: {@code tops[s][i]} is the top of series {@code s} at sample {@code i}. */
    double[][] tops() {
        double[][] tops = new double[stacked.size()][seconds.length];
        for (int s = 0; s < stacked.size(); s++) {
            double[] v = stacked.get(s).values();
            for (int i = 0; i < seconds.length; i++) tops[s][i] = (s == 0 ? 0 : tops[s - 1][i]) + v[i];
        }
        return tops;
    }

    public String render() {
        List<LegendItem> legend = legend();
        return render(new Frame(legend), legend);
    }

    /** A small multiple, {@code width} x {@code height} pixels without a legend: {@link #legendRow()} is the key. */
    public String renderSmall(int width, int height) {
        return render(new Frame(width, height, List.of()), List.of());
    }

    /** The legend of {@link #render()} in one row, for a set of {@link #renderSmall small} charts. */
    public String legendRow() {
        return Frame.legendRow(legend());
    }

    private String render(Frame base, List<LegendItem> legend) {
        double[][] tops = tops();
        double max = 0;
        if (!stacked.isEmpty()) for (double t : tops[stacked.size() - 1]) max = Math.max(max, t);
        for (Series o : overlays) max = Math.max(max, o.max());
        Axis y = Axis.fromZero(yQuantity, max);
        Axis x = TimeCharts.timeAxis(seconds);
        MarkerLane lane = MarkerLane.layout(markers, base, x);
        Frame f = base.lowered(lane.height());
        Svg svg = new Svg(f.width, f.height, title);
        f.title(svg, title);
        f.yAxis(svg, y, yTitle);
        for (int s = 0; s < stacked.size(); s++) {
            Series series = stacked.get(s);
            svg.group("series area", TimeCharts.hover(series, yQuantity));
            svg.path(area(f, x, y, s == 0 ? null : tops[s - 1], tops[s]),
                    "fill=\"" + color(s) + "\" stroke=\"#ffffff\" stroke-width=\"0.6\"");
            svg.end();
        }
        for (int o = 0; o < overlays.size(); o++) {
            Series series = overlays.get(o);
            svg.group("series overlay", TimeCharts.hover(series, yQuantity));
            svg.path(TimeCharts.polyline(f, x, y, seconds, series.values()), "fill=\"none\" stroke=\""
                    + overlayColor(o) + "\" stroke-width=\"2.5\" stroke-dasharray=\"6 3\"");
            svg.end();
        }
        lane.draw(svg, f);
        f.xAxis(svg, x, TimeCharts.X_TITLE);
        f.legend(svg, legend);
        return svg.finish();
    }

    /** The band between {@code lower} (null: the x axis) and {@code upper}, left to right along the top. */
    private String area(Frame f, Axis x, Axis y, double[] lower, double[] upper) {
        PathData d = new PathData();
        for (int i = 0; i < seconds.length; i++) {
            double px = f.px(x.fraction(seconds[i]));
            double py = f.py(y.fraction(upper[i]));
            if (i == 0) d.moveTo(px, py);
            else d.lineTo(px, py);
        }
        for (int i = seconds.length - 1; i >= 0; i--) {
            d.lineTo(f.px(x.fraction(seconds[i])), f.py(y.fraction(lower == null ? 0 : lower[i])));
        }
        return d.closePath().toString();
    }

    private String color(int s) {
        String c = stacked.get(s).color();
        return c != null ? c : Palette.series(s);
    }

    private String overlayColor(int o) {
        String c = overlays.get(o).color();
        return c != null ? c : Palette.overlay(o);
    }

    /** Legend entries top-down: the stack's top series first, as the areas appear, then overlays, then events. */
    private List<LegendItem> legend() {
        List<LegendItem> items = new ArrayList<>();
        for (int s = stacked.size() - 1; s >= 0; s--) {
            items.add(new LegendItem(stacked.get(s).name(), color(s), LegendItem.Swatch.AREA));
        }
        for (int o = 0; o < overlays.size(); o++) {
            items.add(new LegendItem(overlays.get(o).name(), overlayColor(o), LegendItem.Swatch.DASHED));
        }
        if (!markers.isEmpty()) items.add(new LegendItem("events", Palette.EVENT, LegendItem.Swatch.EVENT));
        return items;
    }
}
