package org.memvirt.report;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToLongFunction;

import org.memvirt.engine.HostResult;
import org.memvirt.engine.Units;
import org.memvirt.host.FreeMemory;

/** Builds the {@code --report} HTML page of a scenario run from the report package's charts and tables. */
public final class ScenarioHtml {
    static final int MAX_MARKERS = 24;
    static final int MAX_MARKERS_PER_KIND = 3;   // the rest are in the events table
    /** Event kinds drawn as markers, the most important first: they get the first label rows. */
    static final List<String> MARKER_KINDS = List.of("oom_kill", "guest_oom", "swap_full", "swap_in_storm",
            "balloon_target");
    static final int SMALL_WIDTH = 340;
    static final int SMALL_HEIGHT = 210;
    private static final long PAGE_BYTES = 4096;   // KSM's pages_shared counts 4 KiB pages (linux ksm.rst)

    private ScenarioHtml() {}

    public static HtmlReport build(HostResult r) {
        HtmlReport h = new HtmlReport("memvirt scenario " + r.scenario());
        append(h, r);
        return h;
    }

    /** The sections of {@link #build} added to {@code h} (for a page that shows more than one scenario). */
    public static void append(HtmlReport h, HostResult r) {
        List<HostResult.Sample> s = r.timeline();
        double[] t = new double[s.size()];
        for (int i = 0; i < t.length; i++) t[i] = s.get(i).t();

        h.lead(ScenarioText.summary(r.summary()));
        h.section("Host memory over virtual time");
        h.chart("What the host holds, stacked: RAM in use other than KSM pages (free's used: the guests' private pages "
                + "and the host's own), the KSM pages (pages_shared, one frame however many guests map it), and swap in "
                + "use (free's Swap used). Lines: the host's RAM, its free memory and, where a balloon took any, the "
                + "memory balloons took from the guests. Per-VM amounts, which count every mapping of a shared page, are "
                + "in the per-VM charts.", hostChart(r, t).render());
        h.free("host (free -m, before the first VM starts)", r.host().freeAtStart(), FreeUnit.MEBI);
        h.free("host (free -m, at the end)", r.host().free(), FreeUnit.MEBI);
        Map<String, String> ksm = new LinkedHashMap<>();
        r.host().ksm().forEach((k, v) -> ksm.put(k, Long.toString(v)));
        h.keyValues("/sys/kernel/mm/ksm at the end", ksm);
        Map<String, String> vmstat = new LinkedHashMap<>();
        r.host().vmstat().forEach((k, v) -> vmstat.put(k, Long.toString(v)));
        h.keyValues("host vmstat", vmstat);

        vms(h, r, t);

        h.section("Events");
        List<List<String>> ev = new ArrayList<>();
        for (HostResult.Event e : r.events()) {
            ev.add(List.of(String.format(Locale.ROOT, "%.3f s", e.t()), e.vm(), e.kind(), e.message()));
        }
        h.table("events in virtual-time order", List.of("t", "vm", "kind", "what"), ev, HtmlReport.Wrap.LAST_COLUMN);
        h.section("Text report");
        h.preformatted(ScenarioText.render(r));
    }

    /** RAM used apart from KSM pages, KSM pages and swap used, stacked; RAM size, free and ballooned as lines. */
    static StackedAreaChart hostChart(HostResult r, double[] t) {
        List<HostResult.Sample> s = r.timeline();
        double[] ram = new double[t.length], ksm = new double[t.length], swap = new double[t.length];
        double[] size = new double[t.length], free = new double[t.length];
        for (int i = 0; i < t.length; i++) {
            HostResult.Sample x = s.get(i);
            ksm[i] = Math.min(x.hostUsedBytes(), x.ksmPagesShared() * PAGE_BYTES);
            ram[i] = x.hostUsedBytes() - ksm[i];
            swap[i] = x.swapUsedBytes();
            size[i] = r.host().ramBytes();
            free[i] = x.hostFreeBytes();
        }
        List<Series> lines = new ArrayList<>(List.of(new Series("host RAM", size), new Series("host free", free)));
        Series ballooned = sum(s, HostResult.VmSample::ballooned, "ballooned (guests)", Palette.overlay(2));
        if (ballooned.max() > 0) lines.add(ballooned);
        return new StackedAreaChart("host " + Units.human(r.host().ramBytes()) + " RAM, "
                + Units.human(r.host().swapBytes()) + " swap", "memory", Quantity.BYTES, t,
                List.of(new Series("RAM used, not KSM", ram, Palette.series(0)),
                        new Series("KSM pages", ksm, Palette.series(2)),
                        new Series("swap used", swap, Palette.series(1))),
                lines, markers(r.events(), null));
    }

    /**
     * The per-VM table, then a full chart with its {@code free -m} view for every VM that was killed or swapped, then
     * the other VMs as small charts with one legend and one table of their {@code free -m}.
     */
    private static void vms(HtmlReport h, HostResult r, double[] t) {
        h.section("VMs");
        List<List<String>> rows = new ArrayList<>();
        for (HostResult.Vm v : r.vms()) {
            rows.add(List.of(v.name(), Units.human(v.configuredBytes()), Units.human(v.peakResidentBytes()),
                    Units.human(v.peakSwappedBytes()), Units.human(v.sharedBytes()), Units.human(v.balloonedBytes()),
                    Long.toString(v.swapIns()), v.status(),
                    v.killedAt() == null ? "" : String.format(Locale.ROOT, "%.3f s", v.killedAt())));
        }
        h.table("per VM at the end", List.of("vm", "memory", "peak resident", "peak swapped", "shared", "ballooned",
                "swap-ins", "status", "killed at"), rows);
        String counted = "Per VM as the host's smaps counts it: resident (Rss, KSM-shared pages included), swapped "
                + "(every swapped mapping) and ballooned, stacked; the KSM-shared part of resident as a line.";
        List<Integer> small = new ArrayList<>();
        boolean first = true;
        for (int i = 0; i < r.vms().size(); i++) {
            HostResult.Vm v = r.vms().get(i);
            if (!v.killed() && v.peakSwappedBytes() == 0) {
                small.add(i);
                continue;
            }
            if (first) h.paragraph("Killed or swapped: " + counted);
            first = false;
            h.chart("", vmChart(r, t, i).render());
            h.free(v.name() + " (free -m inside the guest, at the end)", v.free(), FreeUnit.MEBI);
        }
        if (small.isEmpty()) return;
        List<String> charts = new ArrayList<>(small.size());
        List<List<String>> free = new ArrayList<>(small.size());
        for (int i : small) {
            charts.add(vmChart(r, t, i).renderSmall(SMALL_WIDTH, SMALL_HEIGHT));
            FreeMemory f = r.vms().get(i).free();
            free.add(List.of(r.vms().get(i).name(), mib(f.total()), mib(f.used()), mib(f.free()), mib(f.available())));
        }
        h.smallCharts((first ? "" : "Neither killed nor swapped. ") + counted, vmChart(r, t, small.getFirst()).legendRow(),
                charts);
        h.table("free -m inside these guests, at the end", List.of("vm", "total", "used", "free", "available"), free);
    }

    private static String mib(long bytes) {
        return Long.toString(bytes >> 20);
    }

    /** One VM: resident (Rss), swapped and ballooned stacked, its KSM-shared part as a line, its own events. */
    static StackedAreaChart vmChart(HostResult r, double[] t, int vm) {
        HostResult.Vm v = r.vms().get(vm);
        List<HostResult.Sample> s = r.timeline();
        return new StackedAreaChart(v.name() + " (" + Units.human(v.configuredBytes()) + ")", "memory", Quantity.BYTES,
                t, List.of(one(s, vm, HostResult.VmSample::resident, "resident", Palette.series(0)),
                        one(s, vm, HostResult.VmSample::swapped, "swapped", Palette.series(1)),
                        one(s, vm, HostResult.VmSample::ballooned, "ballooned", Palette.series(3))),
                List.of(one(s, vm, HostResult.VmSample::shared, "of resident: KSM-shared", Palette.series(2))),
                markers(r.events(), v.name()));
    }

    private static Series one(List<HostResult.Sample> s, int vm, ToLongFunction<HostResult.VmSample> f, String name,
            String color) {
        double[] v = new double[s.size()];
        for (int i = 0; i < v.length; i++) v[i] = f.applyAsLong(s.get(i).vms().get(vm));
        return new Series(name, v, color);
    }

    private static Series sum(List<HostResult.Sample> s, ToLongFunction<HostResult.VmSample> f, String name,
            String color) {
        double[] v = new double[s.size()];
        for (int i = 0; i < v.length; i++) {
            long total = 0;
            for (HostResult.VmSample x : s.get(i).vms()) total += f.applyAsLong(x);
            v[i] = total;
        }
        return new Series(name, v, color);
    }

    /**
     * OOM kills, swap full, swap-in storms and balloon targets as chart markers (for one VM, or all), the most
     * important kinds first ({@link #MARKER_KINDS}), at most {@link #MAX_MARKERS_PER_KIND} of a kind.
     */
    static List<Marker> markers(List<HostResult.Event> events, String vm) {
        List<HostResult.Event> chosen = new ArrayList<>();
        Map<String, Integer> perKind = new LinkedHashMap<>();
        for (HostResult.Event e : events) {
            if (vm != null && !e.vm().equals(vm)) continue;
            if (label(e, vm) == null) continue;
            if (perKind.merge(e.kind(), 1, Integer::sum) <= MAX_MARKERS_PER_KIND) chosen.add(e);
        }
        chosen.sort(Comparator.comparingInt(e -> MARKER_KINDS.indexOf(e.kind())));   // stable: time order within a kind
        List<Marker> m = new ArrayList<>();
        for (HostResult.Event e : chosen) {
            if (m.size() < MAX_MARKERS) m.add(new Marker(e.t(), label(e, vm)));
        }
        return m;
    }

    private static String label(HostResult.Event e, String vm) {
        return switch (e.kind()) {
            case "oom_kill" -> "OOM kill " + e.vm();
            case "swap_full" -> "swap full";
            case "swap_in_storm" -> vm == null ? null : "swap-in storm";
            case "balloon_target" -> vm == null ? null : "balloon";
            case "guest_oom" -> "guest OOM " + e.vm();
            default -> null;
        };
    }
}
