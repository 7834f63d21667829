package org.memvirt.report;

import java.util.ArrayList;
import java.util.List;

/**
 * The event labels of a time chart, laid out in rows above the plot so that no two label boxes overlap. Markers are
 * placed in the order given (the caller puts the important ones first): each takes the first row where its label,
 * right of its line or left of it near the right edge, keeps {@link #GAP} pixels from every label already there, and,
 * where a row allows it, crosses no other marker's line. A new row is opened when none fits, so every label is drawn.
 */
final class MarkerLane {
    static final double FONT_SIZE = 11;
    /** Row pitch: an 11 px line with room for the white halo. */
    static final double ROW = 15;
    /** The least horizontal distance between two labels of one row, and between a label and a foreign line. */
    static final double GAP = 6;
    /** Distance from a marker's line to its label. */
    static final double PAD = 4;
    /** Space between the last row and the plot. */
    static final double BELOW = 6;

    /** One label's place: its line at {@code lineX}, its box {@code [left, right]} in row {@code row}. */
    record Placed(Marker marker, double lineX, int row, double left, double right, boolean leftOfLine) {}

    private final List<Placed> placed;
    private final int rows;

    private MarkerLane(List<Placed> placed, int rows) {
        this.placed = List.copyOf(placed);
        this.rows = rows;
    }

    /** Lays out {@code markers} on the x axis of {@code f}, whose top does not matter yet. */
    static MarkerLane layout(List<Marker> markers, Frame f, Axis x) {
        List<Placed> placed = new ArrayList<>(markers.size());
        int rows = 0;
        for (Marker m : markers) {
            double lineX = f.px(x.fraction(m.x()));
            double w = TextWidth.of(m.label(), FONT_SIZE);
            Placed best = null;
            for (int row = 0; row <= rows && best == null; row++) {
                best = fit(placed, m, lineX, w, row, f.width, true);
            }
            for (int row = 0; row <= rows && best == null; row++) {
                best = fit(placed, m, lineX, w, row, f.width, false);
            }
            placed.add(best);                                         // row == rows always fits: it is empty
            rows = Math.max(rows, best.row() + 1);
        }
        return new MarkerLane(placed, rows);
    }

    /** The label right of its line, else left of it, in {@code row}; null if it collides there. */
    private static Placed fit(List<Placed> placed, Marker m, double lineX, double w, int row, int width,
            boolean avoidLines) {
        boolean rightFits = lineX + PAD + w <= width - 2;
        for (boolean left : rightFits ? new boolean[] {false, true} : new boolean[] {true}) {   // never past the edge
            double l = left ? Math.max(2, lineX - PAD - w) : lineX + PAD;
            Placed p = new Placed(m, lineX, row, l, l + w, left);
            if (free(placed, p, avoidLines)) return p;
        }
        return null;
    }

    private static boolean free(List<Placed> placed, Placed p, boolean avoidLines) {
        for (Placed q : placed) {
            if (q.row() == p.row() && p.left() < q.right() + GAP && q.left() < p.right() + GAP) return false;
            if (!avoidLines) continue;
            // q's line runs down from q's row: it crosses p's label if p sits lower; p's line crosses q's if q does
            if (q.row() < p.row() && p.left() - GAP < q.lineX() && q.lineX() < p.right() + GAP) return false;
            if (p.row() < q.row() && q.left() - GAP < p.lineX() && p.lineX() < q.right() + GAP) return false;
        }
        return true;
    }

    /** The lane's height in pixels: 0 without markers. */
    int height() {
        return rows == 0 ? 0 : (int) Math.ceil(rows * ROW + BELOW);
    }

    List<Placed> placed() {
        return placed;
    }

    /** The text baseline of row {@code row} in a frame already lowered by {@link #height()}. */
    double baseline(Frame f, int row) {
        return f.top - height() + (row + 1) * ROW - 4;
    }

    /** Dashed lines from each label's row down to the x axis, then the labels over all lines, with a white halo. */
    void draw(Svg svg, Frame f) {
        if (placed.isEmpty()) return;
        svg.group("markers", null);
        for (Placed p : placed) {
            svg.group("marker", hover(p));
            svg.line(p.lineX(), baseline(f, p.row()) - FONT_SIZE + 1, p.lineX(), f.bottom(),
                    "stroke=\"" + Palette.EVENT + "\" stroke-width=\"1.5\" stroke-dasharray=\"5 3\"");
            svg.end();
        }
        for (Placed p : placed) {
            svg.group("marker-label", hover(p));
            svg.text(p.leftOfLine() ? p.right() : p.left(), baseline(f, p.row()), p.leftOfLine() ? "end" : "start",
                    "fill=\"" + Palette.EVENT + "\" font-size=\"11\" stroke=\"#ffffff\" stroke-width=\"3\""
                            + " paint-order=\"stroke\"", p.marker().label());
            svg.end();
        }
        svg.end();
    }

    private static String hover(Placed p) {
        return p.marker().label() + " at " + Quantity.SECONDS.format(p.marker().x());
    }
}
