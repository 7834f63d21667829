package org.memvirt.report;

import java.util.ArrayList;
import java.util.List;

/**
 * Several named series over time, one line each, with optional event markers. Renders to an inline SVG string.
 *
 * @param title the chart title
 * @param yTitle the y axis title
 * @param yQuantity what y measures
 * @param seconds the sample times, non-decreasing
 * @param series the lines
 * @param markers events
 */
public record LineChart(String title, String yTitle, Quantity yQuantity, double[] seconds, List<Series> series,
        List<Marker> markers) {
    public LineChart {
        seconds = seconds.clone();
        series = List.copyOf(series);
        markers = List.copyOf(markers);
        TimeCharts.requireAligned(seconds, series);
    }

    public LineChart(String title, String yTitle, Quantity yQuantity, double[] seconds, List<Series> series) {
        this(title, yTitle, yQuantity, seconds, series, List.of());
    }

    public String render() {
        double min = 0;
        double max = 0;
        for (Series s : series) {
            for (double v : s.values()) {
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
        }
        Axis y = min < 0 ? Axis.linear(yQuantity, min, max) : Axis.fromZero(yQuantity, max);
        Axis x = TimeCharts.timeAxis(seconds);
        List<LegendItem> legend = new ArrayList<>();
        for (int i = 0; i < series.size(); i++) {
            legend.add(new LegendItem(series.get(i).name(), color(i), LegendItem.Swatch.LINE));
        }
        if (!markers.isEmpty()) legend.add(new LegendItem("events", Palette.EVENT, LegendItem.Swatch.EVENT));
        Frame base = new Frame(legend);
        MarkerLane lane = MarkerLane.layout(markers, base, x);
        Frame f = base.lowered(lane.height());
        Svg svg = new Svg(f.width, f.height, title);
        f.title(svg, title);
        f.yAxis(svg, y, yTitle);
        for (int i = 0; i < series.size(); i++) {
            Series s = series.get(i);
            svg.group("series line", TimeCharts.hover(s, yQuantity));
            svg.path(TimeCharts.polyline(f, x, y, seconds, s.values()),
                    "fill=\"none\" stroke=\"" + color(i) + "\" stroke-width=\"2.5\" stroke-linejoin=\"round\"");
            svg.end();
        }
        lane.draw(svg, f);
        f.xAxis(svg, x, TimeCharts.X_TITLE);
        f.legend(svg, legend);
        return svg.finish();
    }

    private String color(int i) {
        String c = series.get(i).color();
        return c != null ? c : Palette.series(i);
    }
}
