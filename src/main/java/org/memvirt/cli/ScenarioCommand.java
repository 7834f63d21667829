package org.memvirt.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;

import org.memvirt.report.Json;
import org.memvirt.report.Progress;
import org.memvirt.scenario.Scenario;
import org.memvirt.scenario.ScenarioEngine;
import org.memvirt.scenario.ScenarioHtml;
import org.memvirt.scenario.ScenarioLoader;
import org.memvirt.scenario.ScenarioReport;
import org.memvirt.scenario.ScenarioText;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code memvirt scenario FILE.yaml}: several VMs on one overcommitted host (swap, KSM, balloon, OOM). */
@Command(name = "scenario", mixinStandardHelpOptions = true,
        footerHeading = Main.ENV_HEADING, footer = {Main.ENV_HOST_ROOT, Main.ENV_KVM},
        description = "Run several VMs on one host with swap, KSM, ballooning and the OOM killer.")
final class ScenarioCommand implements Callable<Integer> {
    enum EngineChoice { sim, kvm, auto }

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "FILE.yaml", description = "The scenario file (see examples/).")
    Path file;

    @Option(names = "--engine", defaultValue = "auto", description = "sim, kvm (the VMs run for real on /dev/kvm), or"
            + " auto: kvm when /dev/kvm is usable and the scenario fits this host, else sim (default: ${DEFAULT-VALUE}).")
    EngineChoice engine;

    @Option(names = "--json", description = "Print the report as JSON.")
    boolean json;

    @Option(names = "--report", paramLabel = "out.html", description = "Also write an HTML report with charts.")
    Path report;

    @Override
    public Integer call() {
        Scenario scenario = ScenarioLoader.load(file);
        ScenarioReport r;
        try (Progress progress = Progress.forStderr(System.err, json)) {
            r = ScenarioEngine.choose(scenario, engine.name()).run(scenario, progress);
        }
        if (report != null) ScenarioHtml.build(r).write(report);
        PrintWriter out = spec.commandLine().getOut();
        out.print(json ? Json.write(r) + "\n" : ScenarioText.render(r));
        out.flush();
        return 0;
    }
}
