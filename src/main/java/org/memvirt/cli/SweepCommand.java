package org.memvirt.cli;

import java.io.File;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import org.memvirt.engine.Engines;
import org.memvirt.report.Json;
import org.memvirt.report.OutputFile;
import org.memvirt.report.Progress;
import org.memvirt.report.SweepHtml;
import org.memvirt.report.SweepText;
import org.memvirt.sweep.LocalRunner;
import org.memvirt.sweep.SparkSettings;
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
                + " ballooning, VM mix), on this machine's cores or on an Apache Spark cluster.")
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

    @Option(names = "--master", paramLabel = "URL", description = "Run on Apache Spark: spark://HOST:PORT (a"
            + " standalone cluster), local[N], or any master URL Spark takes.")
    String master;

    @Option(names = "--conf", paramLabel = "KEY=VALUE", description = "A Spark property (with --master), e.g."
            + " spark.executor.memory=4g; may be repeated.")
    List<String> conf = new ArrayList<>();

    @Option(names = "--hosts-per-task", paramLabel = "N", description = "Hosts one Spark task simulates (default:"
            + " about four tasks per executor core).")
    Integer hostsPerTask;

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
        if (master == null) {
            if (!conf.isEmpty() || hostsPerTask != null) throw new RunCommand.UsageError("--conf and --hosts-per-task go with --master");
            int n = threads == null ? Runtime.getRuntime().availableProcessors() : threads;
            if (n < 1 || n > 4096) throw new RunCommand.UsageError("--threads must be from 1 to 4096, not " + n);
            return new LocalRunner(n);
        }
        if (threads != null) throw new RunCommand.UsageError("--threads is for local runs; with --master, Spark's executors decide");
        if (master.isBlank()) throw new RunCommand.UsageError("--master must name a Spark master, e.g. spark://host:7077 or local[2]");
        Map<String, String> properties = new LinkedHashMap<>();
        for (String kv : conf) {
            int eq = kv.indexOf('=');
            if (eq <= 0) throw new RunCommand.UsageError("--conf must be KEY=VALUE, not '" + kv + "'");
            properties.put(kv.substring(0, eq), kv.substring(eq + 1));
        }
        int perTask = hostsPerTask == null ? 0 : hostsPerTask;
        if (perTask < 0 || hostsPerTask != null && perTask == 0) {
            throw new RunCommand.UsageError("--hosts-per-task must be at least 1, not " + perTask);
        }
        return new SparkSettings(master, properties, perTask, classPath()).runner();
    }

    /** This JVM's class path with absolute paths: what Spark executors on this machine load memvirt and Spark from. */
    private static List<String> classPath() {
        List<String> out = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path", "").split(File.pathSeparator)) {
            if (!entry.isEmpty()) out.add(Path.of(entry).toAbsolutePath().toString());
        }
        return out;
    }
}
