package org.memvirt.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.memvirt.MemvirtException;
import org.memvirt.config.MachineConfig;
import org.memvirt.config.QemuArgs;
import org.memvirt.config.SwapPlan;
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
import org.memvirt.report.DemoHtml;
import org.memvirt.report.DemoSteps;
import org.memvirt.report.DemoText;
import org.memvirt.report.Json;
import org.memvirt.report.OutputFile;
import org.memvirt.report.Progress;
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

    @Override
    public void run() {
        OutputFile file = OutputFile.check("--report", report != null ? report : Path.of(DEFAULT_REPORT));
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter text = json ? new PrintWriter(java.io.Writer.nullWriter()) : out;
        DemoText.title(text);
        HostCapabilities host = HostCapabilities.read();
        DemoSteps.Host hostStep = DemoSteps.Host.of(Engines.of(EngineKind.KVM).availability(), host);
        DemoText.host(text, hostStep);
        MachineConfig guest = QemuArgs.parse(GUEST_ARGS);
        DemoSteps.Guest guestStep = new DemoSteps.Guest(GUEST_ARGS, guest.layout());
        DemoText.guest(text, guestStep);
        DemoSteps.Lazy lazy = lazy(text, guest, host);
        List<RunResult> mmuRuns = mmuRuns(guest);
        List<DemoSteps.MmuColumn> columns = new ArrayList<>();
        for (RunResult r : mmuRuns) columns.add(DemoSteps.MmuColumn.of(r));
        DemoSteps.Mmu mmu = new DemoSteps.Mmu(MMU_WORKLOAD, columns);
        DemoText.mmu(text, mmu);
        SwapPlan plan = new SwapPlan(List.of(new SwapPlan.Guests(64, GIB)), 32 * GIB, 4 * GIB, -1);
        DemoText.plan(text, plan);
        HostResult scenario = scenario(text);
        DemoText.scenario(text, scenario);
        Path written = DemoHtml.render(hostStep, guestStep, lazy, mmu, mmuRuns, plan, SCENARIO_YAML, scenario)
                .write(file);
        DemoText.written(text, written);
        if (json) {
            out.println(Json.write(new DemoSteps.Document(hostStep, guestStep, lazy, mmu, DemoSteps.Plan.of(plan),
                    scenario.summary(), written.toString())));
        }
        out.flush();
    }

    private DemoSteps.Lazy lazy(PrintWriter out, MachineConfig guest, HostCapabilities host) {
        RunSpec spec = new RunSpec(guest, WorkloadParser.parseShorthand(LAZY_WORKLOAD), host.mmuMode(), null, null,
                Duration.ofMinutes(1), 1);
        Engines.Choice choice = Engines.preferReal(spec);
        Engine engine = choice.engine();
        String reason = choice.reason();
        DemoText.lazyStart(out, LAZY_WORKLOAD, engine.kind().key(), reason);
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
            DemoText.engine(out, reason);
            r = runWithProgress(last, spec);
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        DemoSteps.Lazy lazy = DemoSteps.Lazy.of(r, reason, LAZY_WORKLOAD, seconds, before);
        DemoText.lazy(out, lazy, !r.engine().virtualTime());
        return lazy;
    }

    private RunResult runWithProgress(Engine engine, RunSpec spec) {
        try (Progress progress = Progress.forStderr(System.err, json)) {
            return engine.run(spec, progress);
        }
    }

    /** Step 4's runs: the same workload on the sim engine with shadow paging, then with EPT. */
    private static List<RunResult> mmuRuns(MachineConfig guest) {
        List<RunResult> runs = new ArrayList<>();
        for (MmuMode mode : List.of(MmuMode.SHADOW, MmuMode.EPT)) {
            RunSpec spec = new RunSpec(guest, WorkloadParser.parseShorthand(MMU_WORKLOAD), mode, true, "zen5",
                    Duration.ofMinutes(1), 1);
            runs.add(Engines.of(EngineKind.SIM).run(spec, RunListener.NONE)
                    .withEngineReason("demo: --mmu " + mode.word()));
        }
        return runs;
    }

    private HostResult scenario(PrintWriter out) {
        HostSpec s = ScenarioLoader.parse(SCENARIO_YAML, "demo-overcommit");
        DemoText.scenarioStart(out, s.vms().size());
        out.flush();
        try (Progress progress = Progress.forStderr(System.err, json)) {
            return Engines.of(EngineKind.SIM).run(s, progress).withEngineReason("demo: scenarios run on the sim engine");
        }
    }
}
