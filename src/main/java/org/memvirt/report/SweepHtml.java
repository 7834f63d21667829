package org.memvirt.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.memvirt.engine.Units;
import org.memvirt.sweep.Metric;
import org.memvirt.sweep.Stats;
import org.memvirt.sweep.SweepResult;

/**
 * Builds the {@code --report} HTML page of a sweep: the trade-off between density and OOM kills (and memory pressure)
 * with its frontier, each metric against the first varied parameter (one line per combination of the others, each
 * point with its interval), and the per-point tables.
 */
public final class SweepHtml {
    private SweepHtml() {}

    public static HtmlReport build(SweepResult r) {
        HtmlReport h = new HtmlReport("memvirt sweep " + r.study());
        h.section("Study");
        h.paragraph(String.format(Locale.ROOT, "%d point%s x %d host%s = %d simulated hosts (seed %s), engine %s. "
                        + "Intervals: %.0f %%; means: %s; hosts with a kill: %s.", r.points().size(),
                r.points().size() == 1 ? "" : "s", r.hostsPerPoint(), r.hostsPerPoint() == 1 ? "" : "s",
                r.hosts().size(), Long.toUnsignedString(r.seed()), r.engine(), r.confidence().level() * 100,
                r.confidence().means(), r.confidence().shares()));
        h.paragraph(String.format(Locale.ROOT, "Ran on %s in %s; %.3g hosts per CPU-second of simulation.",
                r.run().runner(), Units.duration(r.run().wallSeconds()), r.run().hostsPerSimulationCpuSecond(r.hosts().size())));
        if (r.points().size() > 1) {
            h.section("Trade-off: density against risk");
            tradeOff(h, r, Metric.KILLS_PER_HOST_DAY);
            tradeOff(h, r, Metric.PRESSURE);
            h.section("Metrics against " + xParameter(r));
            for (Metric m : r.metrics()) h.chart("", metricChart(r, m).render());
        }
        h.section("Points");
        h.table("mean [95% interval] per point; hosts with an OOM kill: k/n [Wilson interval]", header(r), rows(r));
        h.section("Text report");
        h.preformatted(SweepText.render(r));
        return h;
    }

    /**
     * Density (guest RAM per byte of host RAM, the mean over the point's hosts) against {@code m}, one point per grid
     * point coloured by its series, and the frontier: the points no other point beats on both (denser and no worse).
     */
    static void tradeOff(HtmlReport h, SweepResult r, Metric m) {
        if (!r.metrics().contains(m)) return;
        Map<String, List<SweepResult.PointResult>> bySeries = series(r, null);
        List<XyChart.Line> lines = new ArrayList<>();
        for (Map.Entry<String, List<SweepResult.PointResult>> e : bySeries.entrySet()) {
            List<SweepResult.PointResult> pts = e.getValue();
            double[] x = new double[pts.size()];
            for (int i = 0; i < x.length; i++) x[i] = pts.get(i).overcommit();
            lines.add(line(e.getKey(), x, pts, m, XyChart.Style.POINTS));
        }
        List<SweepResult.PointResult> front = frontier(r.points(), m);
        double[] fx = new double[front.size()];
        double[] fy = new double[front.size()];
        for (int i = 0; i < fx.length; i++) {
            fx[i] = front.get(i).overcommit();
            fy[i] = y(m, front.get(i).metric(m).mean());
        }
        lines.add(new XyChart.Line("frontier", fx, fy, null, null, null, XyChart.Style.FRONTIER));
        h.chart("Each point of the grid at its mean density (guest RAM / host RAM) and mean " + m.title() + ", with the"
                + " 95% interval; the dashed frontier joins the points that no denser point beats.",
                new XyChart(m.title() + " against density", "overcommit (guest RAM / host RAM)", List.of(),
                        m.title(), quantity(m), lines).render());
    }

    /** The points not dominated: sorted by density, each kept if no denser-or-equal point has a lower or equal mean. */
    static List<SweepResult.PointResult> frontier(List<SweepResult.PointResult> points, Metric m) {
        List<SweepResult.PointResult> sorted = new ArrayList<>(points);
        sorted.sort((a, b) -> a.overcommit() != b.overcommit() ? Double.compare(b.overcommit(), a.overcommit())
                : Double.compare(a.metric(m).mean(), b.metric(m).mean()));
        List<SweepResult.PointResult> out = new ArrayList<>();
        double best = Double.POSITIVE_INFINITY;
        for (SweepResult.PointResult p : sorted) {
            if (p.metric(m).mean() < best) {
                out.addFirst(p);
                best = p.metric(m).mean();
            }
        }
        return out;
    }

    /** {@code m} against the x parameter: one line per combination of the other varied parameters. */
    static XyChart metricChart(SweepResult r, Metric m) {
        String xName = xParameter(r);
        boolean numeric = xName.equals("overcommit") || xName.equals("host_ram");
        List<String> categories = new ArrayList<>();
        if (!numeric) {
            for (SweepResult.PointResult p : r.points()) {
                String v = p.parameters().get(xName);
                if (!categories.contains(v)) categories.add(v);
            }
        }
        List<XyChart.Line> lines = new ArrayList<>();
        for (Map.Entry<String, List<SweepResult.PointResult>> e : series(r, xName).entrySet()) {
            List<SweepResult.PointResult> pts = e.getValue();
            double[] x = new double[pts.size()];
            for (int i = 0; i < x.length; i++) {
                SweepResult.PointResult p = pts.get(i);
                x[i] = !numeric ? categories.indexOf(p.parameters().get(xName))
                        : xName.equals("overcommit") ? p.overcommit() : p.hostRamBytes() / (double) (1L << 30);
            }
            lines.add(line(e.getKey(), x, pts, m, XyChart.Style.LINE));
        }
        String xTitle = switch (xName) {
            case "overcommit" -> "overcommit (guest RAM / host RAM, mean over hosts)";
            case "host_ram" -> "host RAM (GiB)";
            default -> xName;
        };
        return new XyChart(m.title(), xTitle, categories, m.title(), quantity(m), lines);
    }

    private static XyChart.Line line(String name, double[] x, List<SweepResult.PointResult> pts, Metric m, XyChart.Style style) {
        double[] y = new double[pts.size()];
        double[] lo = new double[pts.size()];
        double[] hi = new double[pts.size()];
        List<String> hover = new ArrayList<>();
        for (int i = 0; i < y.length; i++) {
            Stats.Estimate e = pts.get(i).metric(m);
            y[i] = y(m, e.mean());
            lo[i] = e.lo() == null ? Double.NaN : y(m, e.lo());
            hi[i] = e.hi() == null ? Double.NaN : y(m, e.hi());
            hover.add("point " + (pts.get(i).index() + 1) + ": " + pts.get(i).label() + ": " + SweepText.value(m, e.mean())
                    + (e.lo() == null ? "" : " [" + SweepText.value(m, e.lo()) + ", " + SweepText.value(m, e.hi()) + "]"));
        }
        return new XyChart.Line(name, x, y, lo, hi, hover, style);
    }

    /**
     * The points grouped by the values of every varied parameter but {@code x} (all of them when x is null), in grid
     * order; a group's name lists those values, or is {@code all points} when there are none.
     */
    static Map<String, List<SweepResult.PointResult>> series(SweepResult r, String x) {
        Map<String, List<SweepResult.PointResult>> out = new LinkedHashMap<>();
        for (SweepResult.PointResult p : r.points()) {
            StringBuilder name = new StringBuilder();
            for (Map.Entry<String, String> e : p.parameters().entrySet()) {
                if (x == null && e.getKey().equals("overcommit") || e.getKey().equals(x)) continue;
                name.append(name.isEmpty() ? "" : ", ").append(e.getKey()).append(' ').append(e.getValue());
            }
            out.computeIfAbsent(name.isEmpty() ? "all points" : name.toString(), k -> new ArrayList<>()).add(p);
        }
        for (List<SweepResult.PointResult> pts : out.values()) pts.sort((a, b) -> Double.compare(a.overcommit(), b.overcommit()));
        return out;
    }

    /** The x parameter of the metric charts: overcommit or host RAM if varied, else the first varied parameter. */
    static String xParameter(SweepResult r) {
        if (r.parameters().contains("overcommit")) return "overcommit";
        if (r.parameters().contains("host_ram")) return "host_ram";
        return r.parameters().isEmpty() ? "point" : r.parameters().getFirst();
    }

    private static Quantity quantity(Metric m) {
        return switch (m.unit()) {
            case RATE -> Quantity.COUNT;
            case BYTES -> Quantity.BYTES;
            case SHARE -> Quantity.PERCENT;
        };
    }

    /** A value on its chart's scale: shares in percent. */
    private static double y(Metric m, double v) {
        return m.unit() == Metric.Unit.SHARE ? v * 100 : v;
    }

    private static List<String> header(SweepResult r) {
        List<String> header = new ArrayList<>(List.of("point"));
        header.addAll(r.parameters());
        header.addAll(List.of("hosts", "VMs", "overcommit", "swap", "hosts with a kill"));
        for (Metric m : r.metrics()) header.add(m.title());
        return header;
    }

    private static List<List<String>> rows(SweepResult r) {
        List<List<String>> rows = new ArrayList<>();
        for (SweepResult.PointResult p : r.points()) {
            List<String> row = new ArrayList<>(List.of(Integer.toString(p.index() + 1)));
            row.addAll(p.parameters().values());
            row.add(Integer.toString(p.hosts()));
            row.add(String.format(Locale.ROOT, "%.1f", p.vms()));
            row.add(String.format(Locale.ROOT, "%.2f", p.overcommit()));
            row.add(Units.human((long) p.swapBytes()));
            Stats.Share k = p.hostsWithKill();
            row.add(k.count() + "/" + k.n() + " [" + SweepText.percent(k.lo()) + ", " + SweepText.percent(k.hi()) + "]");
            for (Metric m : r.metrics()) {
                Stats.Estimate e = p.metric(m);
                row.add(SweepText.value(m, e.mean()) + (e.lo() == null ? ""
                        : " [" + SweepText.value(m, e.lo()) + ", " + SweepText.value(m, e.hi()) + "]"));
            }
            rows.add(row);
        }
        return rows;
    }
}
