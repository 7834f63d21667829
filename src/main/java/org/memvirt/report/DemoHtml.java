package org.memvirt.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.memvirt.config.SwapPlan;
import org.memvirt.engine.HostResult;
import org.memvirt.engine.RunResult;

import static org.memvirt.report.DemoText.GIB;
import static org.memvirt.report.DemoText.MIB;
import static org.memvirt.report.DemoText.count;
import static org.memvirt.report.DemoText.ms;

/** The HTML report of {@code memvirt demo}: every step's figures, step 4's runs and step 6's scenario with its charts. */
public final class DemoHtml {
    private DemoHtml() {}

    /**
     * @param mmuRuns      step 4's runs, shadow then EPT
     * @param scenarioYaml the scenario file step 6 ran, shown as it is
     */
    public static HtmlReport render(DemoSteps.Host host, DemoSteps.Guest guest, DemoSteps.Lazy lazy, DemoSteps.Mmu mmu,
            List<RunResult> mmuRuns, SwapPlan plan, String scenarioYaml, HostResult scenario) {
        HtmlReport h = new HtmlReport("memvirt demo");
        h.numbered(1, "This host");
        Map<String, String> kv = new LinkedHashMap<>();
        kv.put("KVM", (host.kvmUsable() ? "usable: " : "not usable: ") + host.kvm());
        kv.put("MMU mode", host.mmuMode() + " (" + host.mmuSource() + ")");
        kv.put("why", host.mmuNote());
        kv.put("host RAM", host.memTotalBytes() / MIB + " MiB");
        kv.put("swap", host.swapTotalBytes() / MIB + " MiB");
        h.keyValues("", kv);
        h.numbered(2, "A 4 GiB guest");
        h.paragraph("QEMU options: " + String.join(" ", guest.qemu()));
        RunReport.layout(h, guest.layout());
        lazy(h, lazy);
        h.numbered(4, "Shadow paging vs EPT (sim engine): " + mmu.workload());
        mmu(h, mmu);
        RunReport.append(h, mmuRuns, null);   // the guest's layout is step 2's
        h.numbered(5, "Swap plan: 64 x 1 GiB on 32 GiB, 4 GiB reserve");
        h.paragraph(String.format(Locale.ROOT, "swap for guests %d GiB + recommended host swap %d GiB = %d GiB",
                plan.swapForGuests() / GIB, plan.recommendedHostSwap() / GIB, plan.totalSwap() / GIB));
        h.numbered(6, "Overcommit scenario: " + scenario.scenario());
        h.preformatted(scenarioYaml);
        ScenarioHtml.append(h, scenario);
        return h;
    }

    private static void lazy(HtmlReport h, DemoSteps.Lazy lazy) {
        h.numbered(3, "Lazy allocation: " + lazy.workload() + " on the " + lazy.engine() + " engine");
        h.paragraph(lazy.engineReason());
        Map<String, String> mem = new LinkedHashMap<>();
        mem.put("configured", lazy.configuredBytes() / MIB + " MiB");
        mem.put("resident", String.format(Locale.ROOT, "%.1f MiB", lazy.residentBytes() / (double) MIB));
        lazy.counters().forEach((k, v) -> mem.put(k, count(v)));
        h.keyValues("guest RAM", mem);
        h.free("host, free -m before", lazy.hostBefore(), FreeUnit.MEBI);
        h.free("host, free -m with the guest", lazy.hostDuring(), FreeUnit.MEBI);
    }

    /** The side-by-side table of step 4. */
    private static void mmu(HtmlReport h, DemoSteps.Mmu mmu) {
        List<List<String>> rows = new ArrayList<>();
        DemoSteps.MmuColumn s = mmu.modes().get(0), e = mmu.modes().get(1);
        for (DemoSteps.MmuRow row : DemoSteps.MmuRow.ALL) {
            String key = row.counter().key();
            rows.add(List.of(key, count(s.counters().get(key)), count(e.counters().get(key)), row.shows()));
        }
        rows.add(List.of("cost estimate", ms(s.cost().vmNanos()), ms(e.cost().vmNanos()), "modelled time"));
        rows.add(List.of("slowdown", String.format(Locale.ROOT, "%.2fx", s.cost().slowdown()),
                String.format(Locale.ROOT, "%.2fx", e.cost().slowdown()), "vs the same work native"));
        h.table("side by side", List.of("counter", s.mmu(), e.mmu(), "what it counts"), rows);
    }
}
