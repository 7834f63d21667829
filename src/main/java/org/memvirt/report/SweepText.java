package org.memvirt.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.memvirt.engine.Units;
import org.memvirt.sweep.Metric;
import org.memvirt.sweep.Stats;
import org.memvirt.sweep.SweepResult;

/**
 * Renders a {@link SweepResult}: a header saying how the hosts ran, an overview with one line per point, then a table
 * per point with every metric's mean and interval. {@link #tables} is the part fixed by the study and its seed.
 */
public final class SweepText {
    private SweepText() {}

    public static String render(SweepResult r) {
        StringBuilder sb = new StringBuilder();
        SweepResult.Run run = r.run();
        sb.append(String.format(Locale.ROOT, "ran on %s (%d core%s): %d hosts in %s, %s of CPU in the simulations"
                + " (%.3g hosts per simulation CPU-second)%n", run.runner(), run.cores(), run.cores() == 1 ? "" : "s",
                r.hosts().size(), Units.duration(run.wallSeconds()), Units.duration(run.simulationCpuSeconds()),
                run.hostsPerSimulationCpuSecond(r.hosts().size())));
        return tables(r) + sb;
    }

    /** Everything but how the run went: the same for the same study and seed wherever the hosts ran. */
    public static String tables(SweepResult r) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "sweep %s: %d point%s x %d host%s = %d hosts (seed %s), engine %s (%s)%n",
                r.study(), r.points().size(), r.points().size() == 1 ? "" : "s", r.hostsPerPoint(),
                r.hostsPerPoint() == 1 ? "" : "s", r.hosts().size(), Long.toUnsignedString(r.seed()), r.engine(),
                r.engineReason()));
        sb.append(String.format(Locale.ROOT, "intervals: %.0f%%; means: %s; hosts with a kill: %s%n%n",
                r.confidence().level() * 100, r.confidence().means(), r.confidence().shares()));
        overview(sb, r);
        for (SweepResult.PointResult p : r.points()) point(sb, r, p);
        return sb.toString();
    }

    private static void overview(StringBuilder sb, SweepResult r) {
        List<String> header = new ArrayList<>(List.of("point"));
        header.addAll(r.parameters());
        header.addAll(List.of("VMs", "guest/RAM", "swap", "hosts killing"));
        for (Metric m : r.metrics()) header.add(m.key());
        List<List<String>> rows = new ArrayList<>();
        rows.add(header);
        for (SweepResult.PointResult p : r.points()) {
            List<String> row = new ArrayList<>(List.of(Integer.toString(p.index() + 1)));
            row.addAll(p.parameters().values());
            row.add(String.format(Locale.ROOT, "%.1f", p.vms()));
            row.add(String.format(Locale.ROOT, "%.2f", p.overcommit()));
            row.add(Units.human((long) p.swapBytes()));
            row.add(p.hostsWithKill().count() + "/" + p.hostsWithKill().n());
            for (Metric m : r.metrics()) row.add(value(m, p.metric(m).mean()));
            rows.add(row);
        }
        sb.append("means per point (intervals in the tables below):\n");
        columns(sb, rows);
        sb.append('\n');
    }

    private static void point(StringBuilder sb, SweepResult r, SweepResult.PointResult p) {
        sb.append(String.format(Locale.ROOT, "point %d of %d: %s%n", p.index() + 1, r.points().size(), p.label()));
        sb.append(String.format(Locale.ROOT, "  %d host%s: %.1f VMs, %s of guests on %s (overcommit %.2f), swap %s; %.3g"
                + " host-days%n", p.hosts(), p.hosts() == 1 ? "" : "s", p.vms(), Units.human((long) p.guestBytes()),
                Units.human(p.hostRamBytes()), p.overcommit(), Units.human((long) p.swapBytes()), p.hostDays()));
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of("  metric", "mean", "95% interval"));
        Stats.Share k = p.hostsWithKill();
        rows.add(List.of("  hosts with an OOM kill", k.count() + " of " + k.n(),
                String.format(Locale.ROOT, "[%s, %s]", percent(k.lo()), percent(k.hi()))));
        for (Metric m : r.metrics()) {
            Stats.Estimate e = p.metric(m);
            rows.add(List.of("  " + m.title(), value(m, e.mean()),
                    e.lo() == null ? "(one host)" : "[" + value(m, e.lo()) + ", " + value(m, e.hi()) + "]"));
        }
        columns(sb, rows);
        if (p.eventsCut() > 0) {
            sb.append(String.format(Locale.ROOT, "  note: %d host%s filled the engine's event log; their storm counts are"
                    + " lower bounds%n", p.eventsCut(), p.eventsCut() == 1 ? "" : "s"));
        }
        sb.append('\n');
    }

    /** A metric's value in its unit: a rate with up to three significant digits, bytes in MiB or GiB, a share in %. */
    static String value(Metric m, double v) {
        return switch (m.unit()) {
            case RATE -> rate(v);
            case BYTES -> Units.human(Math.round(v));
            case SHARE -> percent(v);
        };
    }

    static String rate(double v) {
        if (v == 0) return "0";
        if (Math.abs(v) >= 100) return String.format(Locale.ROOT, "%.0f", v);
        if (Math.abs(v) >= 10) return String.format(Locale.ROOT, "%.1f", v);
        if (Math.abs(v) >= 1) return String.format(Locale.ROOT, "%.2f", v);
        return String.format(Locale.ROOT, "%.3g", v);
    }

    static String percent(double share) {
        return String.format(Locale.ROOT, "%.1f%%", share * 100);
    }

    /** Rows as left-aligned columns, two spaces apart; the first row is the header. */
    private static void columns(StringBuilder sb, List<List<String>> rows) {
        int[] width = new int[rows.getFirst().size()];
        for (List<String> row : rows) for (int i = 0; i < row.size(); i++) width[i] = Math.max(width[i], row.get(i).length());
        for (List<String> row : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < row.size(); i++) {
                line.append(row.get(i));
                if (i + 1 < row.size()) line.append(" ".repeat(width[i] - row.get(i).length() + 2));
            }
            sb.append(line.toString().stripTrailing()).append('\n');
        }
    }
}
