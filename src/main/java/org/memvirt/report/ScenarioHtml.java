package org.memvirt.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToLongFunction;

import org.memvirt.engine.HostResult;
import org.memvirt.engine.Units;

/** Builds the {@code --report} HTML page of a scenario run from the report package's charts and tables. */
public final class ScenarioHtml {
    static final int MAX_MARKERS = 24;
    static final int MAX_VM_CHARTS = 8;
    static final int MAX_MARKERS_PER_KIND = 3;   // the rest are in the events table

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
        List<Marker> markers = markers(r.events(), null);

        h.section("Host memory over virtual time");
        List<Series> hostStack = stack(s, -1);
        Series ballooned = hostStack.removeLast();   // not host memory: shown as a line, not stacked on it
        h.chart("Guest memory the host backs (resident, swapped, KSM-shared mappings), summed over all VMs; host free"
                + " memory, swap used and the ballooned total as lines.", new StackedAreaChart(
                "host " + Units.human(r.host().ramBytes()) + " RAM, " + Units.human(r.host().swapBytes()) + " swap",
                "memory", Quantity.BYTES, t, hostStack, List.of(
                        new Series("host free", values(s, HostResult.Sample::hostFreeBytes)),
                        new Series("swap used", values(s, HostResult.Sample::swapUsedBytes)),
                        new Series("ballooned", ballooned.values())), markers).render());
        h.free("host (free -m, before the first VM starts)", r.host().freeAtStart(), FreeUnit.MEBI);
        h.free("host (free -m, at the end)", r.host().free(), FreeUnit.MEBI);
        Map<String, String> ksm = new LinkedHashMap<>();
        r.host().ksm().forEach((k, v) -> ksm.put(k, Long.toString(v)));
        h.keyValues("/sys/kernel/mm/ksm at the end", ksm);
        Map<String, String> vmstat = new LinkedHashMap<>();
        r.host().vmstat().forEach((k, v) -> vmstat.put(k, Long.toString(v)));
        h.keyValues("host vmstat", vmstat);

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
        for (int i = 0; i < Math.min(MAX_VM_CHARTS, r.vms().size()); i++) {
            HostResult.Vm v = r.vms().get(i);
            h.chart("", new StackedAreaChart(v.name() + " (" + Units.human(v.configuredBytes()) + ")", "memory",
                    Quantity.BYTES, t, stack(s, i), List.of(), markers(r.events(), v.name())).render());
            h.free(v.name() + " (free -m inside the guest, at the end)", v.free(), FreeUnit.MEBI);
        }

        h.section("Events");
        List<List<String>> ev = new ArrayList<>();
        for (HostResult.Event e : r.events()) {
            ev.add(List.of(String.format(Locale.ROOT, "%.3f s", e.t()), e.vm(), e.kind(), e.message()));
        }
        h.table("events in virtual-time order", List.of("t", "vm", "kind", "what"), ev);
        h.section("Text report");
        h.preformatted(ScenarioText.render(r));
    }

    /** Resident, swapped, shared, ballooned: summed over VMs ({@code vm < 0}) or of one VM. */
    private static List<Series> stack(List<HostResult.Sample> s, int vm) {
        List<ToLongFunction<HostResult.VmSample>> fields = List.of(HostResult.VmSample::resident,
                HostResult.VmSample::swapped, HostResult.VmSample::shared, HostResult.VmSample::ballooned);
        String[] names = {"resident", "swapped", "shared (KSM)", "ballooned"};
        List<Series> out = new ArrayList<>();
        for (int f = 0; f < fields.size(); f++) {
            double[] v = new double[s.size()];
            for (int i = 0; i < v.length; i++) {
                List<HostResult.VmSample> vms = s.get(i).vms();
                if (vm >= 0) {
                    v[i] = fields.get(f).applyAsLong(vms.get(vm));
                } else {
                    long sum = 0;
                    for (HostResult.VmSample x : vms) sum += fields.get(f).applyAsLong(x);
                    v[i] = sum;
                }
            }
            out.add(new Series(names[f], v));
        }
        return out;
    }

    private static double[] values(List<HostResult.Sample> s, ToLongFunction<HostResult.Sample> f) {
        double[] v = new double[s.size()];
        for (int i = 0; i < v.length; i++) v[i] = f.applyAsLong(s.get(i));
        return v;
    }

    /** OOM kills, swap-in storms, swap full and balloon targets as chart markers (for one VM, or all). */
    private static List<Marker> markers(List<HostResult.Event> events, String vm) {
        List<Marker> m = new ArrayList<>();
        Map<String, Integer> perKind = new LinkedHashMap<>();
        for (HostResult.Event e : events) {
            if (vm != null && !e.vm().equals(vm)) continue;
            String label = switch (e.kind()) {
                case "oom_kill" -> "OOM kill " + e.vm();
                case "swap_full" -> "swap full";
                case "swap_in_storm" -> vm == null ? null : "swap-in storm";
                case "balloon_target" -> vm == null ? null : "balloon";
                case "guest_oom" -> "guest OOM " + e.vm();
                default -> null;
            };
            if (label == null) continue;
            int n = perKind.merge(e.kind(), 1, Integer::sum);
            if (n <= MAX_MARKERS_PER_KIND && m.size() < MAX_MARKERS) m.add(new Marker(e.t(), label));
        }
        return m;
    }
}
