package org.memvirt.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;

import org.memvirt.report.Json;
import org.memvirt.scenario.Scenario;
import org.memvirt.scenario.ScenarioEngine;
import org.memvirt.scenario.ScenarioHtml;
import org.memvirt.scenario.ScenarioLoader;
import org.memvirt.scenario.ScenarioReport;
import org.memvirt.scenario.ScenarioText;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code memvirt scenario FILE.yaml}: several VMs on one overcommitted host (swap, KSM, balloon, OOM). */
@Command(name = "scenario", mixinStandardHelpOptions = true,
        description = "Run several VMs on one host with swap, KSM, ballooning and the OOM killer.")
final class ScenarioCommand implements Callable<Integer> {
    enum EngineChoice { sim, kvm, auto }

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
        ScenarioReport r = ScenarioEngine.choose(scenario, engine.name()).run(scenario);
        if (report != null) ScenarioHtml.build(r).write(report);
        System.out.print(json ? Json.write(r) + "\n" : ScenarioText.render(r));
        return 0;
    }
}
