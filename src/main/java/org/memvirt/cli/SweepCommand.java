package org.memvirt.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;

import org.memvirt.engine.Engines;
import org.memvirt.report.Json;
import org.memvirt.report.OutputFile;
import org.memvirt.report.Progress;
import org.memvirt.report.SweepHtml;
import org.memvirt.report.SweepText;
import org.memvirt.sweep.LocalRunner;
import org.memvirt.sweep.Study;
import org.memvirt.sweep.StudyLoader;
import org.memvirt.sweep.Sweep;
import org.memvirt.sweep.SweepResult;
import org.memvirt.sweep.SweepRunner;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code memvirt sweep STUDY}: a study's grid of host settings, many simulated hosts per point, locally or on Spark. */
@Command(name = "sweep", mixinStandardHelpOptions = true,
        description = "Run a study: many simulated hosts per point of a grid of settings (overcommit, swap, KSM,"
                + " ballooning, VM mix), on this machine's cores.")
final class SweepCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "STUDY.yaml", description = "The study file (see examples/sweep-*.yaml).")
    Path file;

    @Option(names = "--json", description = "Print the result as JSON.")
    boolean json;

    @Option(names = "--report", paramLabel = "out.html", description = "Also write an HTML report with charts.")
    Path report;

    @Option(names = "--hosts", paramLabel = "N", description = "Hosts per point, instead of the study's 'hosts'.")
    Integer hosts;

    @Option(names = "--threads", paramLabel = "N", description = "Hosts simulated at once on this machine (default:"
            + " its cores).")
    Integer threads;

    @Override
    public Integer call() {
        OutputFile reportFile = report == null ? null : OutputFile.check("--report", report).notOver(file, "the study file");
        SweepRunner runner = runner();
        Study study = StudyLoader.load(file);
        if (hosts != null) study = study.withHostsPerPoint(hosts);
        Engines.Choice choice = Sweep.check(study);
        SweepResult r;
        try (Progress progress = Progress.forStderr(System.err, json)) {
            r = Sweep.run(study, choice, runner, progress);
        }
        if (reportFile != null) SweepHtml.build(r).write(reportFile);
        PrintWriter out = spec.commandLine().getOut();
        out.print(json ? Json.write(r) + "\n" : SweepText.render(r));
        out.flush();
        return 0;
    }

    private SweepRunner runner() {
        int n = threads == null ? Runtime.getRuntime().availableProcessors() : threads;
        if (n < 1 || n > 4096) throw new RunCommand.UsageError("--threads must be from 1 to 4096, not " + n);
        return new LocalRunner(n);
    }
}
