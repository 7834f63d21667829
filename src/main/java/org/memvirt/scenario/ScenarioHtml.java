package org.memvirt.scenario;

import java.util.List;
import java.util.Locale;
import java.util.function.ToLongFunction;

/** Renders a {@link ScenarioReport} as one self-contained HTML page with inline SVG charts over virtual time. */
public final class ScenarioHtml {
    private static final int W = 900, H = 260, PAD = 50;
    private static final String[] COLOURS = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"};

    private ScenarioHtml() {}

    public static String render(ScenarioReport r) {
        StringBuilder sb = new StringBuilder();
        sb.append("<!doctype html><html><head><meta charset=\"utf-8\"><title>memvirt scenario ")
                .append(esc(r.scenario())).append("</title><style>body{font-family:sans-serif;margin:2em}"
                        + "pre{background:#f6f6f6;padding:1em;overflow:auto}svg{border:1px solid #ccc}</style></head><body>");
        sb.append("<h1>Scenario ").append(esc(r.scenario())).append("</h1>");
        List<ScenarioReport.Sample> s = r.timeline();
        sb.append("<h2>Host memory (MiB)</h2>");
        chart(sb, s, new String[] {"host used", "swap used", "KSM pages_sharing x4 KiB"},
                List.of(ScenarioReport.Sample::hostUsedBytes, ScenarioReport.Sample::swapUsedBytes,
                        x -> x.ksmPagesSharing() * 4096));
        sb.append("<h2>Guests, summed (MiB)</h2>");
        chart(sb, s, new String[] {"resident", "swapped", "shared", "ballooned"},
                List.of(x -> sum(x, ScenarioReport.VmSample::resident), x -> sum(x, ScenarioReport.VmSample::swapped),
                        x -> sum(x, ScenarioReport.VmSample::shared), x -> sum(x, ScenarioReport.VmSample::ballooned)));
        sb.append("<h2>Report</h2><pre>").append(esc(ScenarioText.render(r))).append("</pre></body></html>\n");
        return sb.toString();
    }

    private static long sum(ScenarioReport.Sample s, ToLongFunction<ScenarioReport.VmSample> f) {
        long t = 0;
        for (ScenarioReport.VmSample v : s.vms()) t += f.applyAsLong(v);
        return t;
    }

    private static void chart(StringBuilder sb, List<ScenarioReport.Sample> s, String[] names,
            List<ToLongFunction<ScenarioReport.Sample>> series) {
        double tMax = Math.max(1e-9, s.getLast().t());
        long yMax = 1;
        for (ToLongFunction<ScenarioReport.Sample> f : series) for (ScenarioReport.Sample x : s) yMax = Math.max(yMax, f.applyAsLong(x));
        sb.append(String.format(Locale.ROOT, "<svg width=\"%d\" height=\"%d\" xmlns=\"http://www.w3.org/2000/svg\">", W, H + 40));
        sb.append(String.format(Locale.ROOT, "<text x=\"5\" y=\"15\" font-size=\"11\">%d MiB</text>", yMax >> 20));
        sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"11\">%.1f s</text>", W - PAD, H + 15, tMax));
        for (int i = 0; i < series.size(); i++) {
            StringBuilder pts = new StringBuilder();
            for (ScenarioReport.Sample x : s) {
                double px = PAD + (W - 2 * PAD) * x.t() / tMax;
                double py = H - (H - 20) * (double) series.get(i).applyAsLong(x) / yMax;
                pts.append(String.format(Locale.ROOT, "%.1f,%.1f ", px, py));
            }
            String c = COLOURS[i % COLOURS.length];
            sb.append("<polyline fill=\"none\" stroke=\"").append(c).append("\" stroke-width=\"1.5\" points=\"").append(pts).append("\"/>");
            sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"12\" fill=\"%s\">%s</text>", PAD + 180 * i, H + 35, c, esc(names[i])));
        }
        sb.append("</svg>");
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
