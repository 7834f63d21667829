package org.memvirt.report;

import java.util.Locale;

/**
 * A minimal SVG writer: elements appended to one {@link StringBuilder}, numbers written with at most two decimals.
 * <p>
 * memvirt writes its own rather than using a library because a report is one self-contained HTML file with inline
 * SVG, no JavaScript and nothing fetched from a CDN, and the Java SVG libraries are the wrong size for that:
 * Batik is many megabytes of DOM and AWT, JFreeSVG renders through a {@code Graphics2D} (AWT). Charts here need a
 * few rectangles, paths and texts, which fit in this class.
 */
public final class Svg {
    /** The SVG namespace; the only URL-like text a memvirt report contains (SVG 1.1 §5.1.2). */
    public static final String XMLNS = "http://www.w3.org/2000/svg";

    private final StringBuilder sb;

    /** Starts an {@code <svg>} of {@code width} × {@code height} user units; {@code label} is its accessible name. */
    public Svg(int width, int height, String label) {
        sb = new StringBuilder(8192);
        sb.append("<svg xmlns=\"").append(XMLNS).append("\" class=\"chart\" width=\"").append(width)
                .append("\" height=\"").append(height).append("\" viewBox=\"0 0 ").append(width).append(' ')
                .append(height).append("\" font-family=\"system-ui,DejaVu Sans,Arial,sans-serif\" font-size=\"12\" role=\"img\" aria-label=\"").append(escape(label)).append("\">");
    }

    /** Opens a group with an optional CSS class and a {@code <title>} (hover text); null skips either. */
    public Svg group(String cssClass, String title) {
        sb.append("<g");
        if (cssClass != null) attr("class", cssClass);
        sb.append('>');
        if (title != null) sb.append("<title>").append(escape(title)).append("</title>");
        return this;
    }

    public Svg end() {
        sb.append("</g>");
        return this;
    }

    /** A rectangle; {@code style} is raw attributes such as {@code fill="#4e79a7"}, or empty. */
    public Svg rect(double x, double y, double w, double h, String style) {
        sb.append("<rect x=\"").append(num(x)).append("\" y=\"").append(num(y)).append("\" width=\"")
                .append(num(Math.max(0, w))).append("\" height=\"").append(num(Math.max(0, h))).append('"');
        return close(style);
    }

    /** A rectangle carrying its own hover text. */
    public Svg rect(double x, double y, double w, double h, String style, String title) {
        sb.append("<rect x=\"").append(num(x)).append("\" y=\"").append(num(y)).append("\" width=\"")
                .append(num(Math.max(0, w))).append("\" height=\"").append(num(Math.max(0, h))).append('"');
        if (!style.isEmpty()) sb.append(' ').append(style);
        sb.append("><title>").append(escape(title)).append("</title></rect>");
        return this;
    }

    public Svg line(double x1, double y1, double x2, double y2, String style) {
        sb.append("<line x1=\"").append(num(x1)).append("\" y1=\"").append(num(y1)).append("\" x2=\"")
                .append(num(x2)).append("\" y2=\"").append(num(y2)).append('"');
        return close(style);
    }

    /** A path with data {@code d} (see {@link PathData}). */
    public Svg path(String d, String style) {
        sb.append("<path d=\"").append(d).append('"');
        return close(style);
    }

    /** A text; {@code anchor} is {@code start}, {@code middle} or {@code end}. */
    public Svg text(double x, double y, String anchor, String style, String text) {
        sb.append("<text x=\"").append(num(x)).append("\" y=\"").append(num(y)).append('"');
        if (!"start".equals(anchor)) attr("text-anchor", anchor);
        if (!style.isEmpty()) sb.append(' ').append(style);
        sb.append('>').append(escape(text)).append("</text>");
        return this;
    }

    /** Raw markup, for callers that build an element this class lacks. Must be well-formed and escaped. */
    public Svg raw(String markup) {
        sb.append(markup);
        return this;
    }

    /** Closes the {@code <svg>} and returns the markup. */
    public String finish() {
        return sb.append("</svg>").toString();
    }

    private Svg close(String style) {
        if (!style.isEmpty()) sb.append(' ').append(style);
        sb.append("/>");
        return this;
    }

    private void attr(String name, String value) {
        sb.append(' ').append(name).append("=\"").append(escape(value)).append('"');
    }

    /**
     * {@code v} rounded to two decimals, without trailing zeros or a negative zero: 12, 12.5, 12.25.
     */
    public static String num(double v) {
        long hundredths = Math.round(v * 100);
        if (hundredths == 0) return "0";
        String sign = hundredths < 0 ? "-" : "";
        long a = Math.abs(hundredths);
        long whole = a / 100;
        int frac = (int) (a % 100);
        if (frac == 0) return sign + whole;
        if (frac % 10 == 0) return sign + whole + "." + frac / 10;
        return sign + whole + "." + String.format(Locale.ROOT, "%02d", frac);
    }

    /**
     * Text escaped for XML and HTML content and attributes. A double slash is broken up ({@code /&#47;}) so that no
     * user-supplied text can look like a URL reference in a report.
     */
    public static String escape(String s) {
        StringBuilder out = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            String rep = switch (c) {
                case '&' -> "&amp;";
                case '<' -> "&lt;";
                case '>' -> "&gt;";
                case '"' -> "&quot;";
                case '\'' -> "&#39;";
                case '/' -> i > 0 && s.charAt(i - 1) == '/' ? "&#47;" : null;
                default -> null;
            };
            if (rep != null && out == null) out = new StringBuilder(s.length() + 16).append(s, 0, i);
            if (out != null) {
                if (rep != null) out.append(rep);
                else out.append(c);
            }
        }
        return out == null ? s : out.toString();
    }
}
