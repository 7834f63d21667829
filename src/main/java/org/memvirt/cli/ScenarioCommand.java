package org.memvirt.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;

import org.memvirt.engine.Engines;
import org.memvirt.engine.HostResult;
import org.memvirt.engine.HostSpec;
import org.memvirt.report.OutputFile;
import org.memvirt.report.Progress;
import org.memvirt.report.ScenarioHtml;
import org.memvirt.report.ScenarioJson;
import org.memvirt.report.ScenarioText;
import org.memvirt.scenario.ScenarioLoader;
import org.memvirt.workload.WorkloadUnits;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code memvirt scenario FILE.yaml}: several VMs on one overcommitted host (swap, KSM, balloon, OOM). */
@Command(name = "scenario", mixinStandardHelpOptions = true,
        footerHeading = Main.ENV_HEADING, footer = {Main.ENV_HOST_ROOT, Main.ENV_KVM, Main.ENV_QEMU},
        description = "Run several VMs on one host with swap, KSM, ballooning and the OOM killer.")
final class ScenarioCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "FILE.yaml", description = "The scenario file (see examples/).")
    Path file;

    @Option(names = "--engine", defaultValue = "auto", paramLabel = "sim|kvm|qemu|auto", description = "sim, kvm (the VMs run"
            + " for real on /dev/kvm), qemu (real QEMU with a Linux guest per VM, in a memory cgroup of the scenario's"
            + " host; root), or auto: kvm when /dev/kvm is usable and the scenario fits this host, else sim"
            + " (default: ${DEFAULT-VALUE}).")
    String engine;

    @Option(names = "--json", description = "Print the report as JSON.")
    boolean json;

    @Option(names = "--report", paramLabel = "FILE.html", description = "Also write an HTML report with charts.")
    Path report;

    @Option(names = "--max-wall", paramLabel = "DURATION", defaultValue = "1h", description = "Wall-clock time the sim"
            + " engine may take (default: ${DEFAULT-VALUE}): a scenario expected to take longer is refused before it"
            + " starts, one that takes longer is stopped.")
    String maxWall;

    @Override
    public Integer call() {
        Engines.Request request = Engines.Request.parse(engine);      // the word first, as run checks it
        OutputFile reportFile = report == null ? null : OutputFile.check("--report", report).notOver(file, "the scenario file");
        HostSpec scenario = ScenarioLoader.load(file).withMaxWall(maxWallNanos());
        Engines.Choice choice = Engines.forHost(request, scenario);
        HostResult r;
        try (Progress progress = Progress.forStderr(System.err, json)) {
            r = choice.engine().run(scenario, progress).withEngineReason(choice.reason());
        }
        if (reportFile != null) ScenarioHtml.build(r).write(reportFile);
        PrintWriter out = spec.commandLine().getOut();
        out.print(json ? ScenarioJson.write(r) + "\n" : ScenarioText.render(r));
        out.flush();
        return 0;
    }

    private long maxWallNanos() {
        long nanos;
        try {
            nanos = WorkloadUnits.parseDuration(maxWall);
        } catch (IllegalArgumentException e) {
            nanos = -1;
        }
        if (nanos <= 0) throw new RunCommand.UsageError("--max-wall must be a duration with its unit, e.g. 30m or 2h, not '" + maxWall + "'");
        return nanos;
    }
}
