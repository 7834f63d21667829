package org.memvirt.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.memvirt.config.E820Entry;
import org.memvirt.config.MemoryLayout;
import org.memvirt.engine.Counter;
import org.memvirt.engine.Counters;
import org.memvirt.engine.EngineKind;
import org.memvirt.engine.RunResult;

/** The HTML report of one run, or of several runs side by side ({@code --compare}). */
public final class RunReport {
    /** The counters the bar chart always shows, in this order; {@link #CHARTED_IF_REPORTED} follow. */
    static final List<Counter> MAIN_COUNTERS = List.of(Counter.EXITS, Counter.PF_FIXED, Counter.PF_GUEST,
            Counter.INVLPG, Counter.TLB_FLUSH);
    /** Charted after the main counters when any run reports them (the sim's page-walk references). */
    static final List<Counter> CHARTED_IF_REPORTED = List.of(Counter.WALK_REFS);
    /** Sim exit reasons that are not named {@code exit_*}, after the {@code exit_*} ones. */
    static final List<Counter> SIM_EXIT_REASONS = List.of(Counter.EPT_VIOLATIONS, Counter.EPT_MISCONFIGS, Counter.NPF);
    /** What a kvm run can tell about its exits (KVM's stat names and the VMM's own exit counts). */
    static final List<Counter> KVM_EXIT_REASONS = List.of(Counter.EXITS, Counter.USER_EXITS, Counter.IO_EXITS,
            Counter.MMIO_EXITS, Counter.HALT_EXITS, Counter.PF_TAKEN);
    /** One level of the TLB hit-rate chart: its label and its hits and misses counters. */
    record TlbLevel(String label, Counter hits, Counter misses) {}
    static final List<TlbLevel> TLB_LEVELS = List.of(new TlbLevel("dTLB", Counter.DTLB_HITS, Counter.DTLB_MISSES),
            new TlbLevel("STLB", Counter.STLB_HITS, Counter.STLB_MISSES));
    /** A bar chart switches to a log scale when its largest value exceeds its smallest non-zero one this often. */
    static final double LOG_SCALE_RATIO = 1000;

    /** The whole report as HTML; {@code layout} may be null when the run had no configured machine to show. */
    public static String render(List<RunResult> runs, MemoryLayout layout) {
        if (runs.isEmpty()) throw new IllegalArgumentException("a run report needs at least one run");
        List<String> names = runNames(runs);
        HtmlReport r = new HtmlReport(runs.size() == 1 ? "memvirt run: " + names.get(0)
                : "memvirt compare: " + String.join(" vs ", names));
        append(r, runs, layout);
        return r.html();
    }

    /** The sections of {@link #render} added to {@code r} (for a page that shows more than runs). */
    public static void append(HtmlReport r, List<RunResult> runs, MemoryLayout layout) {
        if (runs.isEmpty()) throw new IllegalArgumentException("a run report needs at least one run");
        List<String> names = runNames(runs);
        configuration(r, runs, names);
        if (layout != null) layout(r, layout);
        memory(r, runs, names);
        for (int i = 0; i < runs.size(); i++) guestRamOverTime(r, names.get(i), runs.get(i));
        r.section("Counters");
        List<Counters> totals = new ArrayList<>(runs.size());
        for (RunResult run : runs) totals.add(run.counters());
        r.counters("every counter, totals over the run", names, totals);
        List<String> chartNames = chartCounters(totals);
        r.chart("KVM stat names; hover a bar for its exact value", counterChart(names, totals, chartNames));
        exits(r, runs, names);
        tlb(r, runs, names);
        for (int i = 0; i < runs.size(); i++) perOp(r, names.get(i), runs.get(i), chartNames);
    }

    /** A short name per run: {@code sim ept}, {@code kvm shadow vpid}; repeated names get {@code #2}, {@code #3}. */
    static List<String> runNames(List<RunResult> runs) {
        List<String> names = new ArrayList<>(runs.size());
        for (RunResult run : runs) {
            String base = run.engine().key() + " " + run.mmuWord() + (run.vpid() ? " vpid" : "");
            String name = base;
            for (int n = 2; names.contains(name); n++) name = base + " #" + n;
            names.add(name);
        }
        return names;
    }

    /** The main counters, then those of {@link #CHARTED_IF_REPORTED} that any run reports. */
    static List<String> chartCounters(List<Counters> totals) {
        Set<String> names = new LinkedHashSet<>();
        for (Counter c : MAIN_COUNTERS) names.add(c.key());
        for (Counter extra : CHARTED_IF_REPORTED) {
            for (Counters c : totals) if (c.has(extra)) names.add(extra.key());
        }
        return List.copyOf(names);
    }

    static String counterChart(List<String> runNames, List<Counters> totals, List<String> counters) {
        return countChart("Main counters", runNames, totals, counters).render();
    }

    /** One bar per run for each counter, on a log scale when the values span more than {@link #LOG_SCALE_RATIO}. */
    private static BarChart countChart(String title, List<String> runNames, List<Counters> totals, List<String> counters) {
        List<Series> series = new ArrayList<>(totals.size());
        double max = 0;
        double minPositive = Double.MAX_VALUE;
        for (int i = 0; i < totals.size(); i++) {
            double[] v = new double[counters.size()];
            for (int c = 0; c < counters.size(); c++) {
                v[c] = totals.get(i).values().getOrDefault(counters.get(c), 0L);   // not reported: no bar
                max = Math.max(max, v[c]);
                if (v[c] > 0) minPositive = Math.min(minPositive, v[c]);
            }
            series.add(new Series(runNames.get(i), v));
        }
        boolean log = max > LOG_SCALE_RATIO * minPositive;
        return new BarChart(title, "count", Quantity.COUNT, counters, series, log);
    }

    /**
     * The exit reasons any run reports: every {@code exit_*} counter, then {@code ept_violations},
     * {@code ept_misconfigs} and {@code npf} (sim runs), then {@link #KVM_EXIT_REASONS} (kvm runs).
     */
    static List<String> exitReasons(List<RunResult> runs) {
        Set<String> reasons = new LinkedHashSet<>();
        for (RunResult run : runs) {
            for (String name : run.counters().values().keySet()) if (name.startsWith("exit_")) reasons.add(name);
        }
        for (RunResult run : runs) {
            if (run.engine() == EngineKind.SIM) addPresent(reasons, run.counters(), SIM_EXIT_REASONS);
        }
        for (RunResult run : runs) {
            if (run.engine() == EngineKind.KVM) addPresent(reasons, run.counters(), KVM_EXIT_REASONS);
        }
        return List.copyOf(reasons);
    }

    private static void addPresent(Set<String> into, Counters c, List<Counter> counters) {
        for (Counter counter : counters) if (c.has(counter)) into.add(counter.key());
    }

    /** The "Exits by reason" chart, or null when no run reports an exit reason. */
    static BarChart exitChart(List<String> runNames, List<RunResult> runs) {
        List<String> reasons = exitReasons(runs);
        if (reasons.isEmpty()) return null;
        List<Counters> totals = new ArrayList<>(runs.size());
        for (RunResult run : runs) totals.add(run.counters());
        return countChart("Exits by reason", runNames, totals, reasons);
    }

    /** The "TLB hit rates" chart of the runs that count TLB hits and misses, or null when none does. */
    static BarChart tlbChart(List<String> runNames, List<RunResult> runs) {
        List<Series> series = new ArrayList<>(runs.size());
        List<String> levels = new ArrayList<>(TLB_LEVELS.size());
        for (TlbLevel level : TLB_LEVELS) levels.add(level.label());
        for (int i = 0; i < runs.size(); i++) {
            if (!countsTlb(runs.get(i))) continue;
            Counters c = runs.get(i).counters();
            double[] v = new double[TLB_LEVELS.size()];
            for (int l = 0; l < v.length; l++) v[l] = hitRatePercent(c.get(TLB_LEVELS.get(l).hits()), c.get(TLB_LEVELS.get(l).misses()));
            series.add(new Series(runNames.get(i), v, Palette.series(i)));
        }
        if (series.isEmpty()) return null;
        return new BarChart("TLB hit rates", "hit rate", Quantity.PERCENT, levels, series, false);
    }

    /** Whether a run reports every hits and misses counter of {@link #TLB_LEVELS} (sim runs do, kvm runs do not). */
    static boolean countsTlb(RunResult run) {
        for (TlbLevel level : TLB_LEVELS) {
            if (!run.counters().has(level.hits()) || !run.counters().has(level.misses())) return false;
        }
        return true;
    }

    /** {@code 100 * hits / (hits + misses)}; 0 when there were no lookups. */
    static double hitRatePercent(long hits, long misses) {
        long lookups = hits + misses;
        return lookups == 0 ? 0 : 100.0 * hits / lookups;
    }

    private static void exits(HtmlReport r, List<RunResult> runs, List<String> names) {
        BarChart chart = exitChart(names, runs);
        if (chart == null) return;
        r.section("Exits by reason");
        r.chart("sim: exit_* counters, EPT violations and misconfigurations, NPT faults; kvm: KVM's exit counts",
                chart.render());
    }

    private static void tlb(HtmlReport r, List<RunResult> runs, List<String> names) {
        r.section("TLB hit rates");
        BarChart chart = tlbChart(names, runs);
        if (chart != null) r.chart("hits / (hits + misses) per TLB level, in percent", chart.render());
        List<String> skipped = new ArrayList<>();
        for (int i = 0; i < runs.size(); i++) if (!countsTlb(runs.get(i))) skipped.add(names.get(i));
        if (!skipped.isEmpty()) {
            r.paragraph(String.join(", ", skipped) + ": no TLB hit and miss counters (the kvm engine cannot see the "
                    + "hardware TLB), so no bar.");
        }
    }

    private static void configuration(HtmlReport r, List<RunResult> runs, List<String> names) {
        r.section("Configuration");
        List<String> header = new ArrayList<>(names);
        header.addFirst("");
        List<List<String>> rows = new ArrayList<>();
        rows.add(row("engine", runs, run -> run.engine().key()));
        rows.add(row("why this engine", runs, RunResult::engineReason));
        rows.add(row("mmu", runs, RunResult::mmuWord));
        rows.add(row("vpid", runs, run -> run.vpid() ? "on" : "off"));
        rows.add(row("vCPUs", runs, run -> Integer.toString(Math.max(1, run.vcpus().size()))));
        rows.add(row("ops", runs, run -> Integer.toString(run.ops().size())));
        r.table("", header, rows);
    }

    private static void layout(HtmlReport r, MemoryLayout layout) {
        Map<String, String> kv = new LinkedHashMap<>();
        kv.put("machine", layout.machine());
        kv.put("ram size", bytes(layout.ramSize()));
        kv.put("below 4G", bytes(layout.belowFourG()));
        kv.put("above 4G", bytes(layout.aboveFourG()));
        if (layout.aboveFourG() > 0) kv.put("above 4G starts at", hex(layout.aboveFourGStart()));
        kv.put("maxmem", bytes(layout.maxram()));
        kv.put("slots", Long.toString(layout.slots()));
        if (layout.deviceMemory() != null) {
            kv.put("device memory", hex(layout.deviceMemory().base()) + " + " + bytes(layout.deviceMemory().size()));
        }
        r.keyValues("memory layout", kv);
        List<List<String>> e820 = new ArrayList<>(layout.e820().size());
        for (E820Entry e : layout.e820()) {
            e820.add(List.of(hex(e.start()), hex(e.end() - 1), e.type(), bytes(e.end() - e.start())));
        }
        r.table("e820 map", List.of("start", "end (inclusive)", "type", "size"), e820);
    }

    private static void memory(HtmlReport r, List<RunResult> runs, List<String> names) {
        r.section("Guest memory at the end");
        List<String> header = new ArrayList<>(names);
        header.addFirst("");
        List<List<String>> rows = new ArrayList<>();
        rows.add(row("configured", runs, run -> bytes(run.memory().configuredBytes())));
        rows.add(row("resident", runs, run -> bytes(run.memory().residentBytes())));
        rows.add(row("of which THP", runs, run -> bytes(run.memory().anonHugePagesBytes())));
        rows.add(row("swapped", runs, run -> bytes(run.memory().swappedBytes())));
        rows.add(row("shared (KSM)", runs, run -> bytes(run.memory().sharedBytes())));
        rows.add(row("ballooned", runs, run -> bytes(run.memory().balloonedBytes())));
        rows.add(row("page tables", runs, run -> bytes(run.memory().pageTableBytes())));
        r.table("", header, rows);
    }

    /**
     * The guest-RAM mapping's Rss and Pss and the balloon over wall time, ops and events as markers, for a run that
     * sampled them (qemu engine); nothing for the others.
     */
    private static void guestRamOverTime(HtmlReport r, String runName, RunResult run) {
        RunResult.Timeline tl = run.timeline();
        if (tl == null || tl.samples().isEmpty()) return;
        r.section("Guest RAM over time: " + runName);
        r.chart(guestRamCaption(tl), guestRamChart(runName, tl).render());
    }

    static String guestRamCaption(RunResult.Timeline tl) {
        return "The guest-RAM mapping of the VMM process (/proc/PID/smaps), sampled every " + tl.periodMillis()
                + " ms: Rss, Pss (below Rss where KSM shares pages) and the balloon as the guest's driver reports it.";
    }

    static LineChart guestRamChart(String runName, RunResult.Timeline tl) {
        List<RunResult.Timeline.Sample> s = tl.samples();
        double[] t = new double[s.size()];
        double[] rss = new double[t.length], pss = new double[t.length], balloon = new double[t.length];
        for (int i = 0; i < t.length; i++) {
            RunResult.Timeline.Sample x = s.get(i);
            t[i] = x.t();
            rss[i] = x.residentBytes();
            pss[i] = x.pssBytes();
            balloon[i] = x.balloonBytes();
        }
        List<Marker> markers = new ArrayList<>(tl.marks().size());
        for (RunResult.Timeline.Mark m : tl.marks()) markers.add(new Marker(m.t(), m.label()));
        return new LineChart(runName + ": guest RAM", "memory", Quantity.BYTES, t, List.of(new Series("Rss", rss),
                new Series("Pss", pss), new Series("balloon", balloon)), markers);
    }

    /** One row per op: its text, its time, the chart's counters, then any other counter it changed. */
    private static void perOp(HtmlReport r, String runName, RunResult run, List<String> chartNames) {
        r.section("Per op: " + runName);
        if (run.ops().isEmpty()) {
            r.paragraph("no ops");
            return;
        }
        List<String> header = new ArrayList<>(List.of("#", "op", "time"));
        header.addAll(chartNames);
        header.add("other changes");
        List<List<String>> rows = new ArrayList<>(run.ops().size());
        int index = 1;
        for (RunResult.OpResult op : run.ops()) {
            List<String> row = new ArrayList<>(header.size());
            row.add(Integer.toString(index++));
            row.add(op.op());
            row.add(Quantity.SECONDS.format(op.nanos() / 1e9));
            for (String c : chartNames) row.add(HtmlReport.count(op.deltas().values().get(c)));
            StringBuilder other = new StringBuilder();
            op.deltas().values().forEach((name, delta) -> {
                if (delta != 0 && !chartNames.contains(name)) {
                    other.append(other.isEmpty() ? "" : ", ").append(name).append(' ')
                            .append(delta > 0 ? "+" : "").append(HtmlReport.count(delta));
                }
            });
            row.add(other.toString());
            rows.add(row);
        }
        r.table(run.engine().key() + " (" + (run.engine().virtualTime() ? "virtual" : "wall") + " time)", header, rows);
    }

    private static List<String> row(String name, List<RunResult> runs, java.util.function.Function<RunResult, String> f) {
        List<String> row = new ArrayList<>(runs.size() + 1);
        row.add(name);
        for (RunResult run : runs) row.add(f.apply(run));
        return row;
    }

    /** {@code 1 GiB (1,073,741,824 B)}; exact bytes alone below 1 KiB. */
    static String bytes(long b) {
        return b < 1024 ? b + " B" : Quantity.BYTES.format(b) + " (" + HtmlReport.count(b) + " B)";
    }

    static String hex(long v) {
        return "0x" + Long.toHexString(v);
    }

    private RunReport() {}
}
