package org.memvirt.report;

import java.util.List;

/**
 * The two-dimensional page walk drawn as its (n+1)×(m+1) grid (AMD, "Accelerating Two-Dimensional Page Walks for
 * Virtualized Systems", ASPLOS 2008, Figure 2). Rows are the guest levels gL{n}..gL1 and then the final guest-physical
 * address; columns are the nested levels nL{m}..nL1 and then the host-physical access itself. Cell (r, c<m) is a
 * nested-table read while translating row r's guest-physical address; cell (r, m) reads the guest entry (or, in the
 * last row, the data) from host memory. Each cell is numbered in access order and coloured by what it cost.
 *
 * @param title the chart title
 * @param guestLevels n, the guest's paging levels (4 or 5)
 * @param nestedLevels m, the nested (EPT/NPT) levels (4 or 5)
 * @param cells the visited cells in access order; cells not listed are drawn empty
 * @param caption the path, e.g. {@code GVA 0x7f0000001000 → GPA 0x3000 → HPA 0x1a2b3000}; lines split at {@code \n}
 */
public record WalkGrid(String title, int guestLevels, int nestedLevels, List<Cell> cells, String caption) {
    static final int CELL_WIDTH = 112;
    static final int CELL_HEIGHT = 54;
    static final int ROW_HEADER = 56;
    static final int COL_HEADER = 26;
    static final int MARGIN = 16;
    static final int TITLE = 40;
    static final int LINE = 18;

    /** What one cell of the walk cost. */
    public enum Kind {
        MEMORY("memory reference", "#f7b6b2", "#b2182b"),
        PWC_HIT("page-walk cache hit", "#b9d3ea", "#2166ac"),
        NESTED_TLB_HIT("nested TLB hit", "#c7e6c0", "#1b7837"),
        SKIPPED("skipped", "#eeeeee", "#777777"),
        /** The final access to the data itself, cell (n, m): not one of the (n+1)(m+1)-1 walk references. */
        DATA("data access", "#ffffff", "#1b1b1b");

        final String legend;
        final String fill;
        final String stroke;

        Kind(String legend, String fill, String stroke) {
            this.legend = legend;
            this.fill = fill;
            this.stroke = stroke;
        }
    }

    /**
     * One visited cell.
     *
     * @param row 0 for gL{n} down to n-1 for gL1, n for the final guest-physical address
     * @param col 0 for nL{m} across to m-1 for nL1, m for the host-physical access
     * @param kind what the access cost
     * @param label short text shown in the cell (e.g. the entry's address), may be empty
     */
    public record Cell(int row, int col, Kind kind, String label) {}

    public WalkGrid {
        cells = List.copyOf(cells);
        if (guestLevels < 1 || nestedLevels < 1) {
            throw new IllegalArgumentException("levels must be positive: " + guestLevels + "x" + nestedLevels);
        }
        boolean[] seen = new boolean[(guestLevels + 1) * (nestedLevels + 1)];
        for (Cell c : cells) {
            if (c.row() < 0 || c.row() > guestLevels || c.col() < 0 || c.col() > nestedLevels) {
                throw new IllegalArgumentException("cell (" + c.row() + ", " + c.col() + ") outside the "
                        + (guestLevels + 1) + "x" + (nestedLevels + 1) + " grid");
            }
            int i = c.row() * (nestedLevels + 1) + c.col();
            if (seen[i]) throw new IllegalArgumentException("cell (" + c.row() + ", " + c.col() + ") listed twice");
            seen[i] = true;
        }
    }

    /** The row header: gL4 .. gL1, then gPA. */
    public String rowName(int row) {
        return row < guestLevels ? "gL" + (guestLevels - row) : "gPA";
    }

    /** The column header: nL4 .. nL1, then hPA. */
    public String colName(int col) {
        return col < nestedLevels ? "nL" + (nestedLevels - col) : "hPA";
    }

    /** How many cells have {@code kind}. */
    public int count(Kind kind) {
        int n = 0;
        for (Cell c : cells) if (c.kind() == kind) n++;
        return n;
    }

    public String render() {
        String[] captionLines = caption.isEmpty() ? new String[0] : caption.split("\n");
        int gridWidth = ROW_HEADER + (nestedLevels + 1) * CELL_WIDTH;
        int width = 2 * MARGIN + gridWidth;
        int gridTop = TITLE + COL_HEADER;
        int gridBottom = gridTop + (guestLevels + 1) * CELL_HEIGHT;
        int height = gridBottom + 3 * LINE + 8 + captionLines.length * LINE + MARGIN;
        Svg svg = new Svg(width, height, title);
        svg.text(MARGIN, 22, "start", "font-size=\"15\" font-weight=\"bold\" fill=\"" + Palette.INK + "\"", title);
        headers(svg, gridTop);
        emptyCells(svg, gridTop);
        int order = 0;
        for (Cell c : cells) {
            if (c.kind() != Kind.SKIPPED) order++;
            cell(svg, gridTop, c, c.kind() == Kind.SKIPPED ? 0 : order);
        }
        legend(svg, gridBottom + LINE + 4, width);
        for (int i = 0; i < captionLines.length; i++) {
            svg.text(MARGIN, gridBottom + 3 * LINE + 14 + i * LINE, "start",
                    "class=\"caption\" font-family=\"DejaVu Sans Mono,monospace\" fill=\"" + Palette.INK + "\"",
                    captionLines[i]);
        }
        return svg.finish();
    }

    private double cellX(int col) {
        return MARGIN + ROW_HEADER + col * CELL_WIDTH;
    }

    private double cellY(int gridTop, int row) {
        return gridTop + row * CELL_HEIGHT;
    }

    private void headers(Svg svg, int gridTop) {
        svg.group("headers", null);
        String bold = "font-weight=\"bold\" fill=\"" + Palette.INK + "\"";
        for (int c = 0; c <= nestedLevels; c++) {
            svg.text(cellX(c) + CELL_WIDTH / 2.0, gridTop - 8, "middle", bold, colName(c));
        }
        for (int r = 0; r <= guestLevels; r++) {
            svg.text(MARGIN + ROW_HEADER - 10, cellY(gridTop, r) + CELL_HEIGHT / 2.0 + 4, "end", bold, rowName(r));
        }
        svg.end();
    }

    private void emptyCells(Svg svg, int gridTop) {
        svg.group("empty", null);
        for (int r = 0; r <= guestLevels; r++) {
            for (int c = 0; c <= nestedLevels; c++) {
                svg.rect(cellX(c) + 2, cellY(gridTop, r) + 2, CELL_WIDTH - 4, CELL_HEIGHT - 4,
                        "fill=\"#ffffff\" stroke=\"#cccccc\" stroke-dasharray=\"3 3\"");
            }
        }
        svg.end();
    }

    /** One visited cell: coloured box, its access number (none when skipped) and its label. */
    private void cell(Svg svg, int gridTop, Cell c, int order) {
        double x = cellX(c.col()) + 2;
        double y = cellY(gridTop, c.row()) + 2;
        String where = rowName(c.row()) + " × " + colName(c.col());
        String hover = (order > 0 ? "#" + order + " " : "") + c.kind().legend + ": " + where
                + (c.label().isEmpty() ? "" : ", " + c.label());
        svg.group("cell " + c.kind().name().toLowerCase(java.util.Locale.ROOT), hover);
        svg.rect(x, y, CELL_WIDTH - 4, CELL_HEIGHT - 4,
                "fill=\"" + c.kind().fill + "\" stroke=\"" + c.kind().stroke + "\" stroke-width=\"1.5\"");
        svg.text(x + (CELL_WIDTH - 4) / 2.0, y + 23, "middle", "font-size=\"17\" font-weight=\"bold\" fill=\""
                + (order > 0 ? Palette.INK : Palette.MUTED) + "\"", order > 0 ? Integer.toString(order) : "–");
        if (!c.label().isEmpty()) {
            svg.text(x + (CELL_WIDTH - 4) / 2.0, y + 41, "middle", "font-size=\"10\" fill=\"" + Palette.MUTED + "\"",
                    fit(c.label(), (CELL_WIDTH - 16) / 6));
        }
        svg.end();
    }

    /** Kinds with their counts, wrapping to a second line when the grid is narrow. */
    private void legend(Svg svg, double y, int width) {
        svg.group("legend", null);
        double x = MARGIN;
        for (Kind k : Kind.values()) {
            String text = k.legend + " (" + count(k) + ")";
            double itemWidth = 19 + text.length() * Frame.CHAR_WIDTH;
            if (x > MARGIN && x + itemWidth > width - MARGIN) {
                x = MARGIN;
                y += LINE;
            }
            svg.rect(x, y - 11, 14, 14, "fill=\"" + k.fill + "\" stroke=\"" + k.stroke + "\"");
            svg.text(x + 19, y, "start", "fill=\"" + Palette.INK + "\"", text);
            x += itemWidth + 14;
        }
        svg.end();
    }

    private static String fit(String s, int chars) {
        return s.length() <= chars ? s : s.substring(0, Math.max(1, chars - 1)) + "…";
    }
}
