package org.memvirt.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.memvirt.config.DeviceMemory;
import org.memvirt.config.E820Entry;
import org.memvirt.config.MemoryLayout;
import org.memvirt.engine.Counters;
import org.memvirt.engine.EngineKind;
import org.memvirt.engine.HostResult;
import org.memvirt.engine.RunResult;
import org.memvirt.host.FreeMemory;
import org.memvirt.host.MmuMode;

/** Realistic inputs for every chart and report, shared by the unit tests and the browser test. */
final class Samples {
    static final long MIB = 1L << 20;
    static final long GIB = 1L << 30;

    /** Three 1 GiB VMs on a 2 GiB host over 60 s: vm2 ballooned at 20 s, vm3 OOM-killed at 41 s. */
    static StackedAreaChart overcommit() {
        int n = 61;
        double[] t = new double[n];
        double[] r1 = new double[n], s1 = new double[n], r2 = new double[n], b2 = new double[n], sh2 = new double[n];
        double[] r3 = new double[n], free = new double[n], swap = new double[n];
        for (int i = 0; i < n; i++) {
            t[i] = i;
            r1[i] = Math.min(900, 30 * i) * MIB;
            s1[i] = i > 30 ? Math.min(200, (i - 30) * 12) * MIB : 0;
            r2[i] = (i < 20 ? Math.min(600, 40 * i) : 300) * MIB;
            b2[i] = i < 20 ? 0 : 512 * MIB;
            sh2[i] = Math.min(120, 4 * i) * MIB;
            r3[i] = i < 41 ? Math.min(700, 25 * i) * MIB : 0;
            double used = r1[i] + r2[i] + sh2[i] + r3[i];
            free[i] = Math.max(0, 2 * GIB - used);
            swap[i] = s1[i];
        }
        return new StackedAreaChart("Host memory: 3 × 1 GiB guests on a 2 GiB host", "memory", Quantity.BYTES, t,
                List.of(new Series("vm1 resident", r1), new Series("vm1 swapped", s1),
                        new Series("vm2 resident", r2), new Series("vm2 shared (KSM)", sh2),
                        new Series("vm2 ballooned", b2), new Series("vm3 resident", r3)),
                List.of(new Series("host free", free), new Series("swap used", swap)),
                List.of(new Marker(20, "balloon vm2 -512 MiB"), new Marker(41, "OOM kill vm3"),
                        new Marker(43, "ksmd full scan")));
    }

    static LineChart faultRates() {
        double[] t = {0, 0.5, 1, 1.5, 2, 2.5, 3};
        return new LineChart("Faults per second", "faults/s", Quantity.COUNT, t,
                List.of(new Series("pf_fixed (ept)", new double[] {0, 120_000, 180_000, 90_000, 40_000, 20_000, 5_000}),
                        new Series("pf_fixed (shadow)", new double[] {0, 60_000, 210_000, 240_000, 150_000, 80_000, 30_000}),
                        new Series("pf_guest (shadow)", new double[] {0, 5_000, 25_000, 40_000, 30_000, 12_000, 3_000})),
                List.of(new Marker(1.2, "swapoff")));
    }

    /** A cold 4-level walk under 4-level EPT: 24 memory references, then the data. */
    static WalkGrid coldWalk() {
        List<WalkGrid.Cell> cells = new ArrayList<>();
        for (int r = 0; r <= 4; r++) {
            for (int c = 0; c <= 4; c++) {
                boolean data = r == 4 && c == 4;
                cells.add(new WalkGrid.Cell(r, c, data ? WalkGrid.Kind.DATA : WalkGrid.Kind.MEMORY,
                        c == 4 ? (r < 4 ? "gPTE @ hpa 0x" + Integer.toHexString(0x1a000 + r * 0x1000) : "data") : ""));
            }
        }
        return new WalkGrid("Cold 2D walk, 4-level guest on 4-level EPT", 4, 4, cells,
                "GVA 0x00007f1234567000 → GPA 0x0000000012345000 → HPA 0x000000089abcd000\n"
                        + "(4+1)×(4+1)−1 = 24 memory references");
    }

    /** A warm walk: nested TLB hits for the upper guest tables, page-walk cache hits, the rest skipped. */
    static WalkGrid warmWalk() {
        List<WalkGrid.Cell> cells = new ArrayList<>();
        for (int r = 0; r <= 4; r++) {
            for (int c = 0; c < 4; c++) {
                WalkGrid.Kind k = r < 3 ? (c == 3 ? WalkGrid.Kind.NESTED_TLB_HIT : WalkGrid.Kind.SKIPPED)
                        : (c < 2 ? WalkGrid.Kind.PWC_HIT : WalkGrid.Kind.MEMORY);
                cells.add(new WalkGrid.Cell(r, c, k, ""));
            }
            cells.add(new WalkGrid.Cell(r, 4, r == 4 ? WalkGrid.Kind.DATA : r < 2 ? WalkGrid.Kind.PWC_HIT
                    : WalkGrid.Kind.MEMORY, r == 4 ? "data" : "gL" + (4 - r) + " entry"));
        }
        return new WalkGrid("Warm 2D walk", 4, 4, cells, "GVA 0x7f1234568000 → GPA 0x12346000 → HPA 0x89abce000");
    }

    static RunResult run(String mmu, long exits, long pfFixed, long pfGuest, long invlpg, long tlbFlush) {
        Counters totals = counters("exits", exits, "pf_fixed", pfFixed, "pf_guest", pfGuest,
                "invlpg", invlpg, "tlb_flush", tlbFlush, "mmu_shadow_zapped", mmu.equals("shadow") ? 37L : 0L,
                "stlb_misses", 1_000_000L + exits, "walk_refs", 24L * pfFixed);
        List<RunResult.OpResult> ops = List.of(
                new RunResult.OpResult("touch 1G seq", 850_000_000L, counters("exits", exits / 2,
                        "pf_fixed", pfFixed, "stlb_misses", 262_144L)),
                new RunResult.OpResult("invlpg 0x7f0000000000 x 4096", 12_000_000L, counters(
                        "exits", exits / 2, "invlpg", invlpg, "pf_guest", pfGuest, "mmu_shadow_zapped", 3L)),
                new RunResult.OpResult("cr3-switch 64", 4_500L, counters("tlb_flush", tlbFlush)));
        return new RunResult(EngineKind.SIM, "--engine sim", MmuMode.valueOf(mmu.toUpperCase()), false,
                new RunResult.MemoryPicture(GIB, 1020 * MIB, 512 * MIB, 0, 0, 0, mmu.equals("shadow") ? 4 * MIB : 2 * MIB),
                totals, List.of(totals), ops);
    }

    /** Counters in the order given: name, value, name, value, ... */
    static Counters counters(Object... nameValue) {
        Map<String, Long> m = new java.util.LinkedHashMap<>();
        for (int i = 0; i < nameValue.length; i += 2) m.put((String) nameValue[i], ((Number) nameValue[i + 1]).longValue());
        return new Counters(m);
    }

    static List<RunResult> compare() {
        return List.of(run("shadow", 1_310_722, 262_144, 4_096, 4_096, 64), run("ept", 262_150, 262_144, 0, 0, 0));
    }

    static MemoryLayout q35TwoGiB() {
        return new MemoryLayout("q35", 2 * GIB, 2 * GIB, 0, 4 * GIB, 2 * GIB, 0, null,
                List.of(new E820Entry(0, 2 * GIB, E820Entry.RAM), new E820Entry(0xFEFFC000L, 0xFF000000L,
                        E820Entry.RESERVED)));
    }

    static MemoryLayout pcHotplug() {
        return new MemoryLayout("pc", 4 * GIB, 3 * GIB, GIB, 4 * GIB, 8 * GIB, 4, new DeviceMemory(5 * GIB, 5 * GIB),
                List.of(new E820Entry(0, 3 * GIB, E820Entry.RAM), new E820Entry(4 * GIB, 5 * GIB, E820Entry.RAM)));
    }

    static FreeMemory free() {
        return FreeMemory.fromMeminfo(2 * GIB, 300 * MIB, 420 * MIB, 10 * MIB, 200 * MIB, 20 * MIB, 8 * MIB, GIB, 800 * MIB);
    }

    /**
     * Ten 1 GiB guests on a 6 GiB host with 1 GiB of swap over 30 s: guest-0 and guest-1 swap (4 KSM-shared mappings
     * swapped as one: per-VM swapped sums to more than the host's swap), guest-8 and guest-9 are OOM-killed 0.2 s
     * apart, right after swap fills (labels that would print over each other), the rest neither.
     */
    static HostResult scenario() {
        int vms = 10, n = 31;
        long ram = 6 * GIB, swap = GIB, reserve = GIB / 2;
        List<HostResult.Sample> samples = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            List<HostResult.VmSample> vs = new ArrayList<>();
            for (int v = 0; v < vms; v++) {
                boolean dead = (v == 8 || v == 9) && i > 20;
                long resident = dead ? 0 : Math.min(900 * MIB, i * 60 * MIB);
                long swapped = v < 2 && i > 20 ? (i - 20) * 100 * MIB : 0;
                vs.add(new HostResult.VmSample(GIB, resident - Math.min(resident, swapped), swapped,
                        Math.min(resident, 200 * MIB), 0));
            }
            long used = Math.min(ram, reserve + i * 250 * MIB);
            samples.add(new HostResult.Sample(i, used, ram - used, i > 20 ? Math.min(swap, (i - 20) * 150 * MIB) : 0,
                    Math.min(i, 20) * 1000L, Math.min(i, 20) * 8000L, vs));
        }
        List<HostResult.Vm> vmList = new ArrayList<>();
        for (int v = 0; v < vms; v++) {
            boolean killed = v == 8 || v == 9;
            vmList.add(new HostResult.Vm("guest-" + v, GIB, true, MmuMode.EPT, killed ? "killed" : "finished", killed,
                    killed ? 20.0 + (v - 8) * 0.2 : null, killed ? 0 : 900 * MIB, 900 * MIB, v < 2 ? GIB : 0,
                    v < 2 ? GIB : 0, 200 * MIB, 0, 0, 0, 0, 0, 0, 0, FreeMemory.ofUsed(GIB, 900 * MIB), null, List.of()));
        }
        List<HostResult.Event> events = List.of(new HostResult.Event(19.9, "host", "swap_full", "swap is full"),
                new HostResult.Event(20.0, "guest-8", "oom_kill", "Out of memory: killed guest-8"),
                new HostResult.Event(20.2, "guest-9", "oom_kill", "Out of memory: killed guest-9"),
                new HostResult.Event(24.0, "guest-0", "swap_in_storm", "swap-in storm"));
        Map<String, Long> ksm = new java.util.LinkedHashMap<>();
        ksm.put("pages_shared", 20_000L);
        ksm.put("pages_sharing", 160_000L);
        ksm.put("ksm_zero_pages", 2_000L);
        HostResult.Host host = new HostResult.Host(ram, reserve, swap, "ssd", ram, ram, swap, swap, 20_000L * 4096,
                FreeMemory.ofUsed(ram, reserve), FreeMemory.ofUsed(ram, ram), ksm, Map.of("oom_kill", 2L), "none");
        return new HostResult("ten-guests", EngineKind.SIM, "--engine sim", 30, 1.5, 1.2, 40, host, vmList, events,
                samples, List.of());
    }

    /** One page per chart kind plus the run report, as {@code name -> html}. */
    static Map<String, String> pages() {
        Map<String, String> pages = new java.util.LinkedHashMap<>();
        pages.put("stacked-area", page("Overcommit timeline", overcommit().render()));
        pages.put("line", page("Fault rates", faultRates().render()));
        pages.put("bar", page("Counters", RunReport.counterChart(List.of("sim shadow", "sim ept"),
                List.of(compare().get(0).counters(), compare().get(1).counters()),
                RunReport.chartCounters(List.of(compare().get(0).counters())))));
        pages.put("walk-grid", new HtmlReport("translate").section("Walks").chart("cold", coldWalk().render())
                .chart("warm", warmWalk().render()).html());
        pages.put("run-report", RunReport.render(compare(), q35TwoGiB()));
        pages.put("scenario", ScenarioHtml.build(scenario()).html());
        return pages;
    }

    private static String page(String title, String svg) {
        return new HtmlReport(title).section(title).chart("", svg).html();
    }

    private Samples() {}
}
