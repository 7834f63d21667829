package org.memvirt.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.memvirt.MemvirtException;
import org.memvirt.config.E820Entry;
import org.memvirt.config.MachineConfig;
import org.memvirt.config.MemoryLayout;
import org.memvirt.config.QemuArgs;
import org.memvirt.config.SwapPlan;
import org.memvirt.engine.Availability;
import org.memvirt.engine.Counter;
import org.memvirt.engine.Counters;
import org.memvirt.engine.Engine;
import org.memvirt.engine.EngineKind;
import org.memvirt.engine.Engines;
import org.memvirt.engine.HostResult;
import org.memvirt.engine.HostSpec;
import org.memvirt.engine.RunListener;
import org.memvirt.engine.RunResult;
import org.memvirt.engine.RunSpec;
import org.memvirt.host.FreeMemory;
import org.memvirt.host.HostCapabilities;
import org.memvirt.host.HostEnv;
import org.memvirt.host.MemInfo;
import org.memvirt.host.MmuMode;
import org.memvirt.report.FreeTable;
import org.memvirt.report.FreeUnit;
import org.memvirt.report.HtmlReport;
import org.memvirt.report.Json;
import org.memvirt.report.OutputFile;
import org.memvirt.report.Progress;
import org.memvirt.report.RunReport;
import org.memvirt.report.ScenarioHtml;
import org.memvirt.scenario.ScenarioLoader;
import org.memvirt.workload.WorkloadParser;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code memvirt demo}: memvirt's story end to end, each step with real numbers, and one HTML report of it all. */
@Command(name = "demo", mixinStandardHelpOptions = true, sortOptions = false,
        footerHeading = Main.ENV_HEADING, footer = {Main.ENV_HOST_ROOT, Main.ENV_KVM, Main.ENV_QEMU},
        description = "KVM memory virtualization in seven steps: check this host, configure a 4 GiB guest, show lazy "
                + "allocation for real (the kvm engine where /dev/kvm is usable, else the qemu engine where QEMU and a "
                + "guest image are, else the sim engine's model), compare shadow paging with EPT on the "
                + "sim engine, plan swap for 64 x 1 GiB guests on 32 GiB, run a short overcommit scenario (swap, KSM, "
                + "OOM kills), and write an HTML report of it all.")
final class DemoCommand implements Runnable {
    static final String DEFAULT_REPORT = "memvirt-demo.html";
    static final List<String> GUEST_ARGS = List.of("-m", "4G");
    static final String LAZY_WORKLOAD = "touch 1G";
    static final String MMU_WORKLOAD = "demand on; touch 64M; processes 4; switch 2000; unmap 16M; remap 16M";
    static final long GIB = 1L << 30;
    static final long MIB = 1L << 20;

    /** Step 6: 14 guests of 1 GiB on an 8 GiB host with 1 GiB of swap; 384 MiB of each is the same OS image. */
    static final String SCENARIO_YAML = """
            name: demo-overcommit
            duration: 60s
            host:
              ram: 8G
              reserve: 1G
              swap: 1G
              swap_kind: ssd
              ksm: {run: 1, pages_to_scan: 5000, sleep_millisecs: 20}
            vms:
              - name: guest
                count: 14
                qemu: "-m 1G"
                start_stagger: 2s
                workload:
                  - fill 384M content=same:20000
                  - touch 600M at 384M
                  - sleep 30s
                  - random 100000 over 984M writes 20%
                  - verify
            """;

    @Spec
    CommandSpec spec;

    @Option(names = "--report", paramLabel = "FILE.html",
            description = "Where to write the HTML report (default: " + DEFAULT_REPORT + " in the current directory).")
    Path report;

    @Option(names = "--json", description = "Print every step's figures as JSON.")
    boolean json;

    /** Step 1. */
    record HostStep(boolean kvmUsable, String kvm, String mmuMode, String mmuSource, boolean pvm, String mmuNote,
            long memTotalBytes, long swapTotalBytes) {}

    /** Step 2. */
    record GuestStep(List<String> qemu, MemoryLayout layout) {}

    /** Step 3: the lazy guest; host {@code free} before and while the guest runs (kvm) or modelled (sim). */
    record LazyStep(String engine, String engineReason, String workload, long configuredBytes, long residentBytes,
            double seconds, FreeMemory hostBefore, FreeMemory hostDuring, Map<String, Long> counters) {}

    /** Step 4: one column of the comparison. */
    record MmuColumn(String mmu, Map<String, Long> counters, long pageTablePages, RunResult.Cost cost) {}

    /** A row of the step 4 table: a counter, and what it shows. */
    record MmuRow(Counter counter, String shows) {}

    /** Step 4. */
    record MmuStep(String workload, List<MmuColumn> modes) {}

    /** Step 5. */
    record PlanStep(long guestTotalBytes, long hostRamBytes, long hostReserveBytes, long swapForGuestsBytes,
            long recommendedHostSwapBytes, long totalSwapBytes, double overcommitRatio) {
        static PlanStep of(SwapPlan p) {
            return new PlanStep(p.guestTotal(), p.hostRam(), p.hostReserve(), p.swapForGuests(),
                    p.recommendedHostSwap(), p.totalSwap(), p.overcommitRatio());
        }
    }

    /** The JSON document of {@code memvirt demo --json}. */
    record Report(HostStep host, GuestStep guest, LazyStep lazy, MmuStep mmu, PlanStep plan, HostResult.Summary scenario,
            String report) {}

    /** The rows of the step 4 table. */
    static final List<MmuRow> MMU_ROWS = List.of(
            new MmuRow(Counter.EXITS, "VM exits"),
            new MmuRow(Counter.PF_FIXED, "sptes installed by KVM's fault handler"),
            new MmuRow(Counter.PF_GUEST, "#PFs KVM reflected into the guest"),
            new MmuRow(Counter.INVLPG, "INVLPGs KVM handled"),
            new MmuRow(Counter.EXIT_CR_ACCESS, "MOV CR3 exits"),
            new MmuRow(Counter.EPT_VIOLATIONS, "EPT violation exits"),
            new MmuRow(Counter.TLB_FLUSH, "TLB flushes KVM requested"),
            new MmuRow(Counter.WALK_REFS, "page-walk memory references"),
            new MmuRow(Counter.SHADOW_PAGES, "shadow-table pages"),
            new MmuRow(Counter.TDP_PAGES, "EPT-table pages"));
    /** The counters step 3 prints, those the run reports. */
    static final List<Counter> LAZY_COUNTERS = List.of(Counter.EXITS, Counter.PF_FIXED, Counter.PAGES_4K,
            Counter.USER_EXITS, Counter.GUEST_RAM_RSS_KB, Counter.HOST_PAGES_ZEROED);

    @Override
    public void run() {
        OutputFile file = OutputFile.check("--report", report != null ? report : Path.of(DEFAULT_REPORT));
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter text = json ? new PrintWriter(java.io.Writer.nullWriter()) : out;
        text.println("memvirt demo: KVM memory virtualization, real and modelled, in seven steps");
        HostCapabilities host = HostCapabilities.read();
        HostStep hostStep = host(text, host);
        MachineConfig guest = QemuArgs.parse(GUEST_ARGS);
        GuestStep guestStep = guest(text, guest);
        LazyStep lazy = lazy(text, guest, host);
        List<RunResult> mmuRuns = new ArrayList<>();
        MmuStep mmu = mmu(text, guest, mmuRuns);
        SwapPlan plan = plan(text);
        HostResult scenario = scenario(text);
        HostResult.Summary scenarioStep = scenario.summary();
        printScenario(text, scenarioStep, scenario);
        Path written = html(hostStep, guestStep, lazy, mmu, mmuRuns, guest, plan, scenario).write(file);
        heading(text, 7, "The HTML report");
        text.printf("written to %s%n", written);
        text.println("  (host, guest layout, lazy allocation, shadow vs EPT with every counter, the swap plan, and the "
                + "scenario's charts)");
        if (json) {
            out.println(Json.write(new Report(hostStep, guestStep, lazy, mmu, PlanStep.of(plan), scenarioStep, written.toString())));
        }
        out.flush();
    }

    private static void heading(PrintWriter out, int step, String title) {
        out.printf(Locale.ROOT, "%n== %d. %s%n", step, title);
    }

    private static HostStep host(PrintWriter out, HostCapabilities host) {
        heading(out, 1, "This host: is KVM usable, and what MMU do guests get?");
        Availability u = Engines.of(EngineKind.KVM).availability();
        String mode = host.mmuMode().word();
        boolean pvm = host.virtualization().pvm();
        String note = pvm ? "kvm_pvm is software virtualization (PVM, nested): no EPT/NPT, so KVM runs guests on "
                + "shadow page tables" : host.mmuMode().twoDimensional()
                ? "two-dimensional paging: the CPU walks guest and " + mode.toUpperCase(Locale.ROOT) + " tables itself"
                : "no EPT/NPT: KVM shadows the guest page tables";
        out.printf(Locale.ROOT, "KVM:       %s%n", (u.usable() ? "usable: " : "not usable: ") + u.reason());
        out.printf(Locale.ROOT, "MMU mode:  %s (%s)%n", mode, host.mmu().source());
        out.printf(Locale.ROOT, "           %s%n", note);
        out.printf(Locale.ROOT, "host RAM:  %d MiB, swap %d MiB%n", host.memTotalBytes() / MIB, host.swapTotalBytes() / MIB);
        return new HostStep(u.usable(), u.reason(), mode, host.mmu().source(), pvm, note, host.memTotalBytes(),
                host.swapTotalBytes());
    }

    private static GuestStep guest(PrintWriter out, MachineConfig config) {
        heading(out, 2, "A 4 GiB guest: QEMU's " + String.join(" ", GUEST_ARGS) + " on the pc machine");
        MemoryLayout l = config.layout();
        out.printf(Locale.ROOT, "ram_size %s: below_4g %s at 0x0, above_4g %s at 0x%x%n", size(l.ramSize()), size(l.belowFourG()),
                size(l.aboveFourG()), l.aboveFourGStart());
        out.println("  (the pc machine puts 3 GiB below 4 GiB once RAM reaches 3.5 GiB, below the PCI hole; the rest "
                + "moves above 4 GiB)");
        out.println("e820 map QEMU hands the firmware:");
        int i = 0;
        for (E820Entry e : l.e820()) {
            out.printf(Locale.ROOT, "  %d: %016x - %016x %-8s %s%n", i++, e.start(), e.end(), e.type(), size(e.end() - e.start()));
        }
        return new GuestStep(GUEST_ARGS, l);
    }

    private LazyStep lazy(PrintWriter out, MachineConfig guest, HostCapabilities host) {
        RunSpec spec = new RunSpec(guest, WorkloadParser.parseShorthand(LAZY_WORKLOAD), host.mmuMode(), null, null,
                Duration.ofMinutes(1), 1);
        Engines.Choice choice = Engines.preferReal(spec);
        Engine engine = choice.engine();
        String reason = choice.reason();
        heading(out, 3, "Lazy allocation: '" + LAZY_WORKLOAD + "' in the 4 GiB guest, on the " + engine.kind().key()
                + " engine");
        out.printf(Locale.ROOT, "engine:    %s%n", reason);
        out.flush();
        FreeMemory before = MemInfo.read(HostEnv.root()).free();
        long t0 = System.nanoTime();
        RunResult r;
        try {
            r = runWithProgress(engine, spec);
        } catch (MemvirtException e) {
            Engine last = Engines.all().getLast();
            if (engine == last) throw e;
            reason = last.kind().key() + " engine: " + engine.kind().description() + " failed (" + e.getMessage() + ")";
            out.printf(Locale.ROOT, "engine:    %s%n", reason);
            r = runWithProgress(last, spec);
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        Counters c = r.counters();
        boolean real = !r.engine().virtualTime();
        FreeMemory during = r.hostFreeDuring(before);
        long resident = r.memory().residentBytes();
        out.printf(Locale.ROOT, "guest RAM: configured %d MiB, resident %.1f MiB (%.1f%% of it) after %.1f s%n",
                r.memory().configuredBytes() / MIB, resident / (double) MIB,
                100.0 * resident / r.memory().configuredBytes(), seconds);
        Map<String, Long> shown = new LinkedHashMap<>();
        for (Counter counter : LAZY_COUNTERS) {
            if (c.has(counter)) shown.put(counter.key(), c.get(counter));
        }
        out.printf(Locale.ROOT, "counters:  %s%n", shown.toString().replaceAll("[{}]", "").replace("=", " "));
        out.println("host, free -m before the guest started:");
        out.print(indent(FreeTable.render(before, FreeUnit.MEBI)));
        out.println(real ? "host, free -m while the guest ran (after its touch):"
                : "host, free -m with the simulated guest's resident memory added:");
        out.print(indent(FreeTable.render(during, FreeUnit.MEBI)));
        out.printf(Locale.ROOT, "used grew by %d MiB for a guest configured with %d MiB: host memory follows what the guest "
                + "touches, not -m%n", (during.used() - before.used()) / MIB, r.memory().configuredBytes() / MIB);
        return new LazyStep(r.engine().key(), reason, LAZY_WORKLOAD, r.memory().configuredBytes(), resident, seconds, before,
                during, shown);
    }

    private RunResult runWithProgress(Engine engine, RunSpec spec) {
        try (Progress progress = Progress.forStderr(System.err, json)) {
            return engine.run(spec, progress);
        }
    }

    private static MmuStep mmu(PrintWriter out, MachineConfig guest, List<RunResult> runs) {
        heading(out, 4, "Shadow paging vs EPT, same workload on the sim engine");
        out.printf(Locale.ROOT, "workload:  %s%n", MMU_WORKLOAD);
        List<MmuColumn> columns = new ArrayList<>();
        for (MmuMode mode : List.of(MmuMode.SHADOW, MmuMode.EPT)) {
            RunSpec spec = new RunSpec(guest, WorkloadParser.parseShorthand(MMU_WORKLOAD), mode, true, "zen5",
                    Duration.ofMinutes(1), 1);
            RunResult r = Engines.of(EngineKind.SIM).run(spec, RunListener.NONE)
                    .withEngineReason("demo: --mmu " + mode.word());
            runs.add(r);
            Map<String, Long> values = new LinkedHashMap<>();
            for (MmuRow row : MMU_ROWS) values.put(row.counter().key(), r.counters().get(row.counter()));
            columns.add(new MmuColumn(r.mmu().word(), values,
                    r.counters().get(Counter.SHADOW_PAGES) + r.counters().get(Counter.TDP_PAGES), r.cost()));
        }
        out.printf(Locale.ROOT, "%-16s %14s %14s  %s%n", "counter", columns.get(0).mmu(), columns.get(1).mmu(), "");
        for (MmuRow row : MMU_ROWS) {
            String key = row.counter().key();
            out.printf(Locale.ROOT, "%-16s %,14d %,14d  %s%n", key, columns.get(0).counters().get(key),
                    columns.get(1).counters().get(key), row.shows());
        }
        RunResult.Cost s = columns.get(0).cost();
        RunResult.Cost e = columns.get(1).cost();
        out.printf(Locale.ROOT, "%-16s %14s %14s  %s%n", "cost estimate", ms(s.vmNanos()), ms(e.vmNanos()),
                "modelled time (docs/sim-engine.md)");
        out.printf(Locale.ROOT, "%-16s %13.2fx %13.2fx  %s%n", "slowdown", s.slowdown(), e.slowdown(), "vs the same work native");
        out.println("Shadow paging exits on every guest #PF, INVLPG and MOV CR3 and keeps shadow tables in sync; EPT "
                + "pays instead with 2D walks of up to 24 references on a TLB miss.");
        return new MmuStep(MMU_WORKLOAD, columns);
    }

    private static SwapPlan plan(PrintWriter out) {
        heading(out, 5, "Swap for 64 guests x 1 GiB on a 32 GiB host with a 4 GiB reserve");
        SwapPlan p = new SwapPlan(List.of(new SwapPlan.Guests(64, GIB)), 32 * GIB, 4 * GIB, -1);
        out.printf(Locale.ROOT, "guests %d GiB + reserve %d GiB - RAM %d GiB = %d GiB of swap for the guests (overcommit %.2f)%n",
                p.guestTotal() / GIB, p.hostReserve() / GIB, p.hostRam() / GIB, p.swapForGuests() / GIB,
                p.overcommitRatio());
        out.printf(Locale.ROOT, "swap for guests %d GiB + recommended host swap %d GiB (RHEL 7 table) = %d GiB%n",
                p.swapForGuests() / GIB, p.recommendedHostSwap() / GIB, p.totalSwap() / GIB);
        return p;
    }

    private HostResult scenario(PrintWriter out) {
        HostSpec s = ScenarioLoader.parse(SCENARIO_YAML, "demo-overcommit");
        heading(out, 6, "Overcommit: " + s.vms().size() + " guests x 1 GiB on an 8 GiB host, 1 GiB swap, KSM "
                + "(sim engine)");
        out.println("each guest fills 384 MiB with the same OS image (KSM merges it), touches 600 MiB of its own, "
                + "then writes at random");
        out.flush();
        try (Progress progress = Progress.forStderr(System.err, json)) {
            return Engines.of(EngineKind.SIM).run(s, progress).withEngineReason("demo: scenarios run on the sim engine");
        }
    }


    private static void printScenario(PrintWriter out, HostResult.Summary s, HostResult r) {
        out.printf(Locale.ROOT, "%.0f s of virtual time in %.1f s%n", s.virtualSeconds(), s.wallSeconds());
        out.printf(Locale.ROOT, "swap:      peak %d MiB used of %d MiB; %,d pages read back (swap-ins)%n",
                s.peakSwapUsedBytes() / MIB, s.swapBytes() / MIB, s.swapIns());
        out.printf(Locale.ROOT, "KSM:       pages_shared %,d, pages_sharing %,d at the end (%d MiB saved)%n", s.ksmPagesShared(),
                s.ksmPagesSharing(), s.ksmPagesSharing() * 4096 / MIB);
        out.printf(Locale.ROOT, "OOM:       %d of %d guests killed by the host OOM killer%s%n", s.oomKills(), s.vms(),
                s.killed().isEmpty() ? "" : ": " + String.join(", ", s.killed()));
        int shown = 0;
        for (HostResult.Event e : r.events()) {
            if (!e.kind().equals("oom_kill") || shown++ == 3) continue;
            out.printf(Locale.ROOT, "  %7.3fs  %s%n", e.t(), e.message());
        }
        SwapPlan plan = r.swapPlan();
        out.printf(Locale.ROOT, "RAM + swap - reserve = %s for %s of guests: %s%n", size(plan.roomForGuests()),
                size(plan.guestTotal()), s.oomKills() > 0
                ? "KSM and swap were not enough; step 5's rule sizes swap so that they are"
                : "KSM and swap were enough this time");
    }

    private static HtmlReport html(HostStep host, GuestStep guest, LazyStep lazy, MmuStep mmu, List<RunResult> mmuRuns,
            MachineConfig config, SwapPlan plan, HostResult scenario) {
        HtmlReport h = new HtmlReport("memvirt demo");
        h.section("1. This host");
        Map<String, String> kv = new LinkedHashMap<>();
        kv.put("KVM", (host.kvmUsable() ? "usable: " : "not usable: ") + host.kvm());
        kv.put("MMU mode", host.mmuMode() + " (" + host.mmuSource() + ")");
        kv.put("why", host.mmuNote());
        kv.put("host RAM", host.memTotalBytes() / MIB + " MiB");
        kv.put("swap", host.swapTotalBytes() / MIB + " MiB");
        h.keyValues("", kv);
        h.section("2. A 4 GiB guest");
        h.paragraph("QEMU options: " + String.join(" ", guest.qemu()) + " (the layout is in section 4's report)");
        htmlLazy(h, lazy);
        h.section("4. Shadow paging vs EPT (sim engine): " + MMU_WORKLOAD);
        htmlMmu(h, mmu);
        RunReport.append(h, mmuRuns, config.layout());
        h.section("5. Swap plan: 64 x 1 GiB on 32 GiB, 4 GiB reserve");
        h.paragraph(String.format(Locale.ROOT, "swap for guests %d GiB + recommended host swap %d GiB = %d GiB",
                plan.swapForGuests() / GIB, plan.recommendedHostSwap() / GIB, plan.totalSwap() / GIB));
        h.section("6. Overcommit scenario: " + scenario.scenario());
        h.preformatted(SCENARIO_YAML);
        ScenarioHtml.append(h, scenario);
        return h;
    }

    private static void htmlLazy(HtmlReport h, LazyStep lazy) {
        h.section("3. Lazy allocation: " + lazy.workload() + " on the " + lazy.engine() + " engine");
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
    private static void htmlMmu(HtmlReport h, MmuStep mmu) {
        List<List<String>> rows = new ArrayList<>();
        MmuColumn s = mmu.modes().get(0), e = mmu.modes().get(1);
        for (MmuRow row : MMU_ROWS) {
            String key = row.counter().key();
            rows.add(List.of(key, count(s.counters().get(key)), count(e.counters().get(key)), row.shows()));
        }
        rows.add(List.of("cost estimate", ms(s.cost().vmNanos()), ms(e.cost().vmNanos()), "modelled time"));
        rows.add(List.of("slowdown", String.format(Locale.ROOT, "%.2fx", s.cost().slowdown()),
                String.format(Locale.ROOT, "%.2fx", e.cost().slowdown()), "vs the same work native"));
        h.table("side by side", List.of("counter", s.mmu(), e.mmu(), "what it counts"), rows);
    }

    private static String size(long bytes) {
        return bytes % GIB == 0 ? bytes / GIB + " GiB" : bytes % MIB == 0 ? bytes / MIB + " MiB"
                : bytes >= MIB ? String.format(Locale.ROOT, "%.2f MiB", bytes / (double) MIB)
                : String.format(Locale.ROOT, "%d KiB", bytes >> 10);
    }

    private static String count(long v) {
        return String.format(Locale.ROOT, "%,d", v);
    }

    private static String ms(long nanos) {
        return String.format(Locale.ROOT, "%.1f ms", nanos / 1e6);
    }

    private static String indent(String lines) {
        return lines.replaceAll("(?m)^", "  ");
    }
}
