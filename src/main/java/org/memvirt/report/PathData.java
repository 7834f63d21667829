package org.memvirt.report;

/** Builds an SVG path {@code d} attribute from absolute move/line commands: {@code M10,20L30,40Z}. */
public final class PathData {
    private final StringBuilder sb = new StringBuilder(256);

    public PathData moveTo(double x, double y) {
        sb.append('M').append(Svg.num(x)).append(',').append(Svg.num(y));
        return this;
    }

    public PathData lineTo(double x, double y) {
        sb.append('L').append(Svg.num(x)).append(',').append(Svg.num(y));
        return this;
    }

    public PathData closePath() {
        sb.append('Z');
        return this;
    }

    public boolean isEmpty() {
        return sb.isEmpty();
    }

    @Override
    public String toString() {
        return sb.toString();
    }
}
