package org.memvirt.sweep.spark;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;

import org.memvirt.engine.Engines;
import org.memvirt.engine.RunListener;
import org.memvirt.report.SweepText;
import org.memvirt.sweep.LocalRunner;
import org.memvirt.sweep.SparkSettings;
import org.memvirt.sweep.Study;
import org.memvirt.sweep.StudyLoader;
import org.memvirt.sweep.Sweep;
import org.memvirt.sweep.SweepResult;
import org.memvirt.sweep.SweepRunner;

/**
 * The scaling figure of docs/PERFORMANCE.md, "Sweeps": the example study (examples/sweep-64x16m.yaml, {@code HOSTS}
 * hosts per point) on one local thread, on two, and on a standalone Spark cluster on loopback (a Master and two
 * Workers of one core each, as in {@link SparkSweepTest}), all in one run; then Spark's overhead per task, from a job
 * of empty tasks on the same cluster. Checks that the three tables are identical.
 *
 * <pre>scripts/bench '^$' &amp;&amp; java -cp target/test-classes:target/classes:$(cat target/bench.cp) \
 *     org.memvirt.sweep.spark.SweepScaling [HOSTS]</pre>
 */
public final class SweepScaling {
    static final int EMPTY_TASKS = 400;

    private SweepScaling() {}

    public static void main(String[] args) throws Exception {
        int hosts = args.length > 0 ? Integer.parseInt(args[0]) : 4;
        Study study = StudyLoader.load(SparkSweepTest.EXAMPLE).withHostsPerPoint(hosts);
        Engines.Choice choice = Sweep.check(study);
        Study warm = study.withHostsPerPoint(1);
        Sweep.run(warm, choice, new LocalRunner(2), RunListener.NONE);             // JIT warm-up, not measured
        List<String> rows = new ArrayList<>();
        SweepResult one = measure(rows, study, choice, new LocalRunner(1));
        SweepResult two = measure(rows, study, choice, new LocalRunner(2));
        Path dir = Files.createTempDirectory("memvirt-sweep-scaling-");
        try (LoopbackSparkCluster cluster = LoopbackSparkCluster.start(dir, SparkSweepTest.sparkClasspath(), 2)) {
            SparkSettings settings = SparkSweepTest.clusterSettings(cluster);
            SparkRunner runner = (SparkRunner) settings.runner();
            SweepResult spark = measure(rows, study, choice, runner);
            String same = SweepText.tables(spark).equals(SweepText.tables(one))
                    && SweepText.tables(two).equals(SweepText.tables(one)) ? "identical" : "DIFFERENT";
            double perTask = emptyTaskMillis(cluster, settings);
            System.out.printf(Locale.ROOT, "study %s, %d hosts; tables on 1 thread, 2 threads and the cluster: %s%n",
                    study.name(), study.hosts(), same);
            System.out.printf(Locale.ROOT, "%-36s %5s %9s %9s %14s %14s %10s%n", "runner", "cores", "wall s", "setup s",
                    "hosts/core-s", "w/o setup", "sim hosts/cpu-s");
            rows.forEach(System.out::println);
            System.out.printf(Locale.ROOT, "Spark overhead per task: %.2f ms of a core (%d empty tasks on 2 executor"
                    + " cores; a host of this study costs %.0f ms of a core on 1 local thread)%n", perTask, EMPTY_TASKS,
                    1000 * one.run().wallSeconds() / study.hosts());
        } finally {
            LoopbackSparkCluster.delete(dir);
        }
    }

    private static SweepResult measure(List<String> rows, Study study, Engines.Choice choice, SweepRunner runner) {
        long cpu0 = processCpuNanos();
        SweepResult r = Sweep.run(study, choice, runner, RunListener.NONE);
        double processCpu = (processCpuNanos() - cpu0) / 1e9;
        double setup = runner instanceof SparkRunner s ? s.setupSeconds() : 0;
        int cores = r.run().cores();
        double wall = r.run().wallSeconds();
        rows.add(String.format(Locale.ROOT, "%-36s %5d %9.2f %9.2f %14.2f %14.2f %10.2f", r.run().runner(), cores,
                wall, setup, study.hosts() / (cores * wall), study.hosts() / (cores * (wall - setup)),
                r.run().hostsPerSimulationCpuSecond(study.hosts())));
        if (!(runner instanceof SparkRunner)) {
            rows.add(String.format(Locale.ROOT, "%-36s %5s %9s %9s %14s %14s %10s   (this JVM's CPU: %.2f s)", "", "",
                    "", "", "", "", "", processCpu));
        }
        return r;
    }

    /** Milliseconds of an executor core per empty task: a warmed-up job of {@link #EMPTY_TASKS} tasks doing nothing. */
    static double emptyTaskMillis(LoopbackSparkCluster cluster, SparkSettings settings) {
        SparkConf conf = new SparkConf().setMaster(cluster.url()).setAppName("memvirt empty tasks")
                .set("spark.ui.enabled", "false")
                .set("spark.executor.extraClassPath", String.join(":", settings.executorClasspath()));
        for (Map.Entry<String, String> e : settings.conf().entrySet()) conf.set(e.getKey(), e.getValue());
        List<Integer> items = new ArrayList<>();
        for (int i = 0; i < EMPTY_TASKS; i++) items.add(i);
        try (JavaSparkContext sc = new JavaSparkContext(conf)) {
            sc.parallelize(items, EMPTY_TASKS).count();                               // warm-up
            long t0 = System.nanoTime();
            sc.parallelize(items, EMPTY_TASKS).count();
            double wall = (System.nanoTime() - t0) / 1e6;
            return wall * Math.max(1, sc.defaultParallelism()) / EMPTY_TASKS;
        }
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }
}
