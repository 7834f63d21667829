package org.memvirt.report;

import java.util.List;

/**
 * The geometry shared by the x/y charts: a title on top, a plot area with axes and grid, a legend on the right.
 * Fractions in [0, 1] from {@link Axis#fraction} map to pixels through {@link #px} and {@link #py}.
 */
final class Frame {
    static final int WIDTH = 960;
    static final int HEIGHT = 400;
    static final int LEFT = 80;          // room for y tick labels such as "1.5 GiB"
    static final int TOP = 40;           // title
    static final int BOTTOM = 52;        // x tick labels and the x title
    static final int LEGEND_GAP = 16;
    static final int LEGEND_LINE = 18;
    static final double CHAR_WIDTH = 7;  // an estimate of one character at 12px, for layout only

    final int width;
    final int height;
    final double left;
    final double top;
    final double plotWidth;
    final double plotHeight;
    final double legendX;

    Frame(List<LegendItem> legend) {
        this(WIDTH, HEIGHT, legend);
    }

    Frame(int width, int height, List<LegendItem> legend) {
        this(width, height, BOTTOM, legend);
    }

    /** A frame with {@code bottom} pixels under the plot, for charts with long x labels. */
    Frame(int width, int height, int bottom, List<LegendItem> legend) {
        this.width = width;
        this.height = height;
        int longest = 0;
        for (LegendItem item : legend) longest = Math.max(longest, item.name().length());
        double legendWidth = legend.isEmpty() ? 0 : Math.min(260, 30 + longest * CHAR_WIDTH);
        this.left = LEFT;
        this.top = TOP;
        this.plotWidth = width - LEFT - LEGEND_GAP - legendWidth - 8;
        this.plotHeight = height - TOP - bottom;
        this.legendX = left + plotWidth + LEGEND_GAP;
    }

    private Frame(Frame f, int lane) {
        this.width = f.width;
        this.height = f.height + lane;
        this.left = f.left;
        this.top = f.top + lane;
        this.plotWidth = f.plotWidth;
        this.plotHeight = f.plotHeight;
        this.legendX = f.legendX;
    }

    /** This frame with {@code lane} more pixels between the title and the plot (for event labels); as tall a plot. */
    Frame lowered(int lane) {
        return lane == 0 ? this : new Frame(this, lane);
    }

    double px(double fraction) {
        return left + fraction * plotWidth;
    }

    double py(double fraction) {
        return top + plotHeight - fraction * plotHeight;
    }

    double bottom() {
        return top + plotHeight;
    }

    void title(Svg svg, String title) {
        svg.text(left, 22, "start", "font-size=\"15\" font-weight=\"bold\" fill=\"" + Palette.INK + "\"", title);
    }

    /** Horizontal grid lines, y tick labels with units and the y title, written vertically at the far left. */
    void yAxis(Svg svg, Axis axis, String title) {
        svg.group("y-axis", null);
        for (int i = 0; i < axis.ticks().length; i++) {
            double y = py(axis.fraction(axis.ticks()[i]));
            svg.line(left, y, left + plotWidth, y, "stroke=\"" + Palette.GRID + "\"");
            svg.text(left - 6, y + 4, "end", "fill=\"" + Palette.MUTED + "\"", axis.labels()[i]);
        }
        double mid = top + plotHeight / 2;
        svg.text(14, mid, "middle", "transform=\"rotate(-90 14 " + Svg.num(mid) + ")\" fill=\"" + Palette.INK + "\"",
                title);
        svg.line(left, top, left, bottom(), "stroke=\"" + Palette.AXIS + "\"");
        svg.end();
    }

    /** The x axis line, tick marks with labels and the x title under them. */
    void xAxis(Svg svg, Axis axis, String title) {
        svg.group("x-axis", null);
        double y = bottom();
        svg.line(left, y, left + plotWidth, y, "stroke=\"" + Palette.AXIS + "\"");
        for (int i = 0; i < axis.ticks().length; i++) {
            double x = px(axis.fraction(axis.ticks()[i]));
            svg.line(x, y, x, y + 5, "stroke=\"" + Palette.AXIS + "\"");
            svg.text(x, y + 19, "middle", "fill=\"" + Palette.MUTED + "\"", axis.labels()[i]);
        }
        svg.text(left + plotWidth / 2, height - 8, "middle", "fill=\"" + Palette.INK + "\"", title);
        svg.end();
    }

    /** The legend, one entry per line to the right of the plot. */
    void legend(Svg svg, List<LegendItem> items) {
        if (items.isEmpty()) return;
        svg.group("legend", null);
        double y = top + 4;
        for (LegendItem item : items) {
            swatch(svg, item, legendX, y);
            y += LEGEND_LINE;
        }
        svg.end();
    }

    /** The legend in one row, as its own SVG: the key of a set of small charts drawn without theirs. */
    static String legendRow(List<LegendItem> items) {
        double[] x = new double[items.size() + 1];
        for (int i = 0; i < items.size(); i++) x[i + 1] = x[i] + 20 + TextWidth.of(items.get(i).name(), 12) + 18;
        Svg svg = new Svg((int) Math.ceil(x[items.size()]), 20, "legend");
        svg.group("legend", null);
        for (int i = 0; i < items.size(); i++) swatch(svg, items.get(i), x[i], 4);
        svg.end();
        return svg.finish();
    }

    /** One legend entry: a 14 x 12 swatch at ({@code x}, {@code y}) and the name after it. */
    private static void swatch(Svg svg, LegendItem item, double x, double y) {
        String c = item.color();
        switch (item.swatch()) {
            case AREA -> svg.rect(x, y, 14, 12, "fill=\"" + c + "\"");
            case LINE -> svg.line(x, y + 6, x + 14, y + 6, "stroke=\"" + c + "\" stroke-width=\"2.5\"");
            case DASHED -> svg.line(x, y + 6, x + 14, y + 6,
                    "stroke=\"" + c + "\" stroke-width=\"2.5\" stroke-dasharray=\"4 2\"");
            case EVENT -> svg.line(x + 7, y, x + 7, y + 12,
                    "stroke=\"" + c + "\" stroke-width=\"1.5\" stroke-dasharray=\"3 2\"");
        }
        svg.text(x + 20, y + 11, "start", "fill=\"" + Palette.INK + "\"", item.name());
    }
}
