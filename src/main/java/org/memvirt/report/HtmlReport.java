package org.memvirt.report;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import org.memvirt.engine.Counters;
import org.memvirt.host.FreeMemory;

/**
 * One self-contained HTML report: inline CSS and SVG, no script, no external URL of any kind (the SVG namespace is
 * the only URL-like text), readable on a laptop screen and printable. Built section by section, then written
 * atomically.
 */
public final class HtmlReport {
    private static final String CSS = """
            :root { color-scheme: light; }
            body { font-family: system-ui, "DejaVu Sans", Arial, sans-serif; color: #1b1b1b; background: #ffffff;
                   margin: 24px auto; max-width: 1100px; padding: 0 16px; line-height: 1.4; font-size: 15px; }
            h1 { font-size: 1.6em; margin: 0 0 0.4em; }
            h2 { font-size: 1.25em; margin: 1.6em 0 0.5em; border-bottom: 2px solid #dddddd; padding-bottom: 0.2em; }
            table { border-collapse: collapse; margin: 0.5em 0 1em; font-variant-numeric: tabular-nums; }
            caption { text-align: left; font-weight: bold; padding: 0.3em 0; }
            th, td { border: 1px solid #cccccc; padding: 3px 10px; vertical-align: top; }
            th { background: #f2f2f2; text-align: left; }
            td.num { text-align: right; white-space: nowrap; }
            tbody tr:nth-child(even) td { background: #fafafa; }
            pre { background: #f6f6f6; border: 1px solid #dddddd; padding: 8px 12px; overflow-x: auto;
                  font-family: "DejaVu Sans Mono", monospace; font-size: 13px; }
            figure { margin: 1em 0 1.5em; }
            figcaption { color: #5a5a5a; font-size: 0.9em; margin-top: 0.3em; }
            svg.chart { max-width: 100%; height: auto; display: block; background: #ffffff; }
            @media print {
              body { margin: 0; max-width: none; font-size: 10pt; }
              h2 { break-after: avoid; }
              table, figure, pre { break-inside: avoid; }
              tbody tr:nth-child(even) td { background: none; }
            }
            """;

    private final String title;
    private final StringBuilder body = new StringBuilder(16384);
    private boolean sectionOpen;

    public HtmlReport(String title) {
        this.title = title;
    }

    /** Starts a new section with a heading; the previous one ends here. */
    public HtmlReport section(String heading) {
        closeSection();
        body.append("<section>\n<h2>").append(Svg.escape(heading)).append("</h2>\n");
        sectionOpen = true;
        return this;
    }

    public HtmlReport paragraph(String text) {
        body.append("<p>").append(Svg.escape(text)).append("</p>\n");
        return this;
    }

    /** Text shown as is, in a fixed-width font. */
    public HtmlReport preformatted(String text) {
        body.append("<pre>").append(Svg.escape(text)).append("</pre>\n");
        return this;
    }

    /** A two-column table of settings, in the map's order. */
    public HtmlReport keyValues(String caption, Map<String, String> rows) {
        List<List<String>> r = new ArrayList<>(rows.size());
        rows.forEach((k, v) -> r.add(List.of(k, v)));
        return table(caption, List.of(), r);
    }

    /**
     * A table; {@code header} may be empty (then the first column is the row header). Cells that look like numbers
     * ({@code 1,234}, {@code -5}, {@code 12.5 ms}, {@code 1 GiB}) are right-aligned.
     */
    public HtmlReport table(String caption, List<String> header, List<List<String>> rows) {
        body.append("<table>\n");
        if (!caption.isEmpty()) body.append("<caption>").append(Svg.escape(caption)).append("</caption>\n");
        if (!header.isEmpty()) {
            body.append("<thead><tr>");
            for (String h : header) body.append("<th>").append(Svg.escape(h)).append("</th>");
            body.append("</tr></thead>\n");
        }
        body.append("<tbody>\n");
        for (List<String> row : rows) {
            body.append("<tr>");
            for (int i = 0; i < row.size(); i++) {
                String cell = Svg.escape(row.get(i));
                if (i == 0) body.append("<th>").append(cell).append("</th>");
                else body.append(numeric(row.get(i)) ? "<td class=\"num\">" : "<td>").append(cell).append("</td>");
            }
            body.append("</tr>\n");
        }
        body.append("</tbody>\n</table>\n");
        return this;
    }

    /**
     * Counters side by side: one row per counter name (first-seen order over all columns), one column per snapshot,
     * e.g. the totals of several runs, or a run's total followed by each op's deltas.
     */
    public HtmlReport counters(String caption, List<String> columnNames, List<Counters> columns) {
        if (columnNames.size() != columns.size()) {
            throw new IllegalArgumentException(columnNames.size() + " column names for " + columns.size() + " columns");
        }
        Set<String> names = new LinkedHashSet<>();
        for (Counters c : columns) names.addAll(c.values().keySet());
        List<String> header = new ArrayList<>(columns.size() + 1);
        header.add("counter");
        header.addAll(columnNames);
        List<List<String>> rows = new ArrayList<>(names.size());
        for (String name : names) {
            List<String> row = new ArrayList<>(columns.size() + 1);
            row.add(name);
            for (Counters c : columns) row.add(count(c.values().get(name)));
            rows.add(row);
        }
        return table(caption, header, rows);
    }

    /** A {@code free}-style block in {@code unit} (procps-ng layout, see {@link FreeTable}). */
    public HtmlReport free(String caption, FreeMemory table, FreeUnit unit) {
        if (!caption.isEmpty()) body.append("<p><strong>").append(Svg.escape(caption)).append("</strong></p>\n");
        return preformatted(FreeTable.render(table, unit));
    }

    /** An inline SVG chart (from this package's charts) with a caption under it; {@code caption} may be empty. */
    public HtmlReport chart(String caption, String svg) {
        body.append("<figure>\n").append(svg).append('\n');
        if (!caption.isEmpty()) body.append("<figcaption>").append(Svg.escape(caption)).append("</figcaption>\n");
        body.append("</figure>\n");
        return this;
    }

    /** The whole document. */
    public String html() {
        StringBuilder out = new StringBuilder(body.length() + CSS.length() + 512);
        out.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
                .append("<title>").append(Svg.escape(title)).append("</title>\n<style>\n").append(CSS)
                .append("</style>\n</head>\n<body>\n<h1>").append(Svg.escape(title)).append("</h1>\n")
                .append(body);
        if (sectionOpen) out.append("</section>\n");
        return out.append("</body>\n</html>\n").toString();
    }

    /**
     * Writes {@link #html()} to {@code file} as {@link OutputFile} does: whole or not at all, and only onto a regular
     * file or a new path.
     */
    public Path write(Path file) {
        return write(OutputFile.check("report", file));
    }

    /** Writes {@link #html()} to a file checked when the command started. */
    public Path write(OutputFile file) {
        return file.write(html());
    }

    static Path writeAtomically(Path file, String content) {
        return OutputFile.check("report", file).write(content);
    }

    private void closeSection() {
        if (sectionOpen) body.append("</section>\n");
        sectionOpen = false;
    }

    /** A counter value with thousands separators: {@code 1,234,567}. */
    static String count(long v) {
        return String.format(Locale.ROOT, "%,d", v);
    }

    /** {@link #count(long)}, or {@value #NOT_REPORTED} for a counter the snapshot does not have (null). */
    static String count(Long v) {
        return v == null ? NOT_REPORTED : count(v.longValue());
    }

    /** The cell of a counter a run does not report (e.g. a TLB counter on the kvm engine): never a made-up 0. */
    static final String NOT_REPORTED = "–";

    private static boolean numeric(String cell) {
        return cell.matches("[-+]?[0-9][0-9,]*(\\.[0-9]+)?( ?[a-zA-Zµ%]{1,3})?( \\(.*\\))?");
    }
}
