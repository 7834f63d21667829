package org.memvirt.sweep.spark;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;

import org.memvirt.engine.Engines;
import org.memvirt.engine.RunListener;
import org.memvirt.report.SweepHtml;
import org.memvirt.report.SweepText;
import org.memvirt.sweep.LocalRunner;
import org.memvirt.sweep.SparkSettings;
import org.memvirt.sweep.Study;
import org.memvirt.sweep.StudyLoader;
import org.memvirt.sweep.Sweep;
import org.memvirt.sweep.SweepResult;
import org.memvirt.sweep.SweepRunner;

/**
 * The scaling figure of docs/PERFORMANCE.md, "Sweeps": a study (default examples/sweep-64x16m.yaml) on one local
 * thread, on two, and on a standalone Spark cluster on loopback (a Master and two Workers of one core each, as in
 * {@link SparkSweepTest}), all in one run and {@code --repeat} times over; then Spark's cost per task, from a job of
 * empty tasks on the same cluster. Checks that every table is identical to the first.
 *
 * <p>CPU time, not wall time, is the figure (the machine is shared): for each run the CPU of the threads that simulated
 * the hosts ({@code HostResult.cpuSeconds}, summed), and the CPU of every process the run used: this JVM for the local
 * runs; for Spark this JVM (the driver) plus every JVM of the cluster, executors included (from
 * {@code /proc/PID/stat}: utime + stime + the reaped children's cutime + cstime, so an executor that ended is still
 * counted, in its Worker). Their difference on Spark, over the run's tasks, is Spark's cost per task in that run
 * (executor start-up included); the empty-task job gives it without start-up. Load averages are printed with each run.
 *
 * <pre>scripts/bench '^$' &amp;&amp; java -Xmx3g -cp target/test-classes:target/classes:$(cat target/bench.cp) \
 *     org.memvirt.sweep.spark.SweepScaling [--study FILE] [--hosts N] [--repeat N] [--no-warm-up]
 *     [--executor-memory 512m] [--report FILE.html] [--table FILE] [--outcomes FILE] [--runners 1,2,spark]</pre>
 */
public final class SweepScaling {
    static final int EMPTY_TASKS = 400;
    /** USER_HZ, the unit of /proc/PID/stat's times: 100 on x86-64 (include/asm-generic/param.h USER_HZ). */
    static final double CLOCK_TICKS = 100;

    private SweepScaling() {}

    public static void main(String[] args) throws Exception {
        Path file = SparkSweepTest.EXAMPLE;
        int hosts = 0, repeat = 1;
        boolean warmUp = true;
        String executorMemory = "512m";
        Path report = null, table = null, outcomes = null;
        String runners = "1,2,spark";
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--study" -> file = Path.of(args[++i]);
                case "--hosts" -> hosts = Integer.parseInt(args[++i]);
                case "--repeat" -> repeat = Integer.parseInt(args[++i]);
                case "--no-warm-up" -> warmUp = false;
                case "--executor-memory" -> executorMemory = args[++i];
                case "--report" -> report = Path.of(args[++i]);
                case "--table" -> table = Path.of(args[++i]);
                case "--outcomes" -> outcomes = Path.of(args[++i]);
                case "--runners" -> runners = args[++i];
                default -> hosts = Integer.parseInt(args[i]);          // the old form: SweepScaling HOSTS
            }
        }
        Study loaded = StudyLoader.load(file);
        Study study = hosts > 0 ? loaded.withHostsPerPoint(hosts) : loaded;
        Engines.Choice choice = Sweep.check(study);
        if (warmUp) Sweep.run(study.withHostsPerPoint(1), choice, new LocalRunner(2), RunListener.NONE);   // JIT
        System.out.printf(Locale.ROOT, "study %s (%s), %d hosts, %d repeat(s); load average at start %s%n",
                study.name(), file, study.hosts(), repeat, loadAverage());
        System.out.printf(Locale.ROOT, "%-28s %5s %9s %8s %9s %9s %11s %11s %9s  %s%n", "runner", "cores", "wall s",
                "setup s", "sim cpu s", "all cpu s", "hosts/sim-s", "hosts/all-s", "s/task", "load 1-min before, after");
        List<SweepResult> all = new ArrayList<>();
        boolean spark = List.of(runners.split(",")).contains("spark");
        Path dir = Files.createTempDirectory("memvirt-sweep-scaling-");
        try (LoopbackSparkCluster cluster = spark ? LoopbackSparkCluster.start(dir, SparkSweepTest.sparkClasspath(), 2) : null) {
            SparkSettings settings = spark ? SparkSweepTest.clusterSettings(cluster, executorMemory) : null;
            for (int r = 0; r < repeat; r++) {
                for (String runner : runners.split(",")) {
                    all.add(runner.equals("spark") ? measure(study, choice, settings.runner(), cluster)
                            : measure(study, choice, new LocalRunner(Integer.parseInt(runner)), null));
                }
            }
            String first = SweepText.tables(all.getFirst());
            boolean same = true;
            for (SweepResult s : all) same &= s.hosts().equals(all.getFirst().hosts()) && SweepText.tables(s).equals(first);
            System.out.printf(Locale.ROOT, "tables of all %d runs: %s%n", all.size(), same ? "identical" : "DIFFERENT");
            if (table != null) Files.writeString(table, SweepText.render(all.getFirst()));
            if (outcomes != null) Files.writeString(outcomes, outcomes(all.getFirst()));
            if (report != null) Files.writeString(report, SweepHtml.build(all.getFirst()).html());
            if (spark) {
                double[] empty = emptyTasks(cluster, settings);
                System.out.printf(Locale.ROOT, "Spark cost per task, %d empty tasks on 2 executor cores (warmed up): %.2f"
                        + " ms of CPU (all JVMs), %.2f ms of a core (wall x cores / tasks); load average %s%n",
                        EMPTY_TASKS, empty[0], empty[1], loadAverage());
            }
            if (!same) System.exit(1);
        } finally {
            LoopbackSparkCluster.delete(dir);
        }
    }

    private static SweepResult measure(Study study, Engines.Choice choice, SweepRunner runner, LoopbackSparkCluster cluster)
            throws InterruptedException {
        String before = loadOne();
        double cpu0 = processCpuSeconds() + (cluster == null ? 0 : clusterCpuSeconds(cluster));
        SweepResult r = Sweep.run(study, choice, runner, RunListener.NONE);
        if (cluster != null) awaitExecutorsGone(cluster);
        double allCpu = processCpuSeconds() + (cluster == null ? 0 : clusterCpuSeconds(cluster)) - cpu0;
        double sim = r.run().simulationCpuSeconds();
        double setup = runner instanceof SparkRunner s ? s.setupSeconds() : 0;
        String perTask = runner instanceof SparkRunner s ? String.format(Locale.ROOT, "%.3f", (allCpu - sim) / s.tasks()) : "";
        System.out.printf(Locale.ROOT, "%-28s %5d %9.1f %8.1f %9.1f %9.1f %11.3f %11.3f %9s  %s, %s%n",
                r.run().runner(), r.run().cores(), r.run().wallSeconds(), setup, sim, allCpu,
                study.hosts() / sim, study.hosts() / allCpu, perTask, before, loadOne());
        return r;
    }

    /** Every host's figures at full precision (Double.toString), a line each, for comparing runs of other processes. */
    static String outcomes(SweepResult r) {
        StringBuilder sb = new StringBuilder();
        for (org.memvirt.sweep.HostOutcome h : r.hosts()) {
            sb.append(h.point()).append(' ').append(h.host()).append(' ').append(h.vms()).append(' ').append(h.guestBytes())
                    .append(' ').append(h.swapBytes()).append(' ').append(h.virtualSeconds()).append(' ').append(h.kills())
                    .append(' ').append(h.eventsCut());
            for (double v : h.values()) sb.append(' ').append(v);
            sb.append('\n');
        }
        return sb.toString();
    }

    /**
     * Milliseconds of CPU (every JVM: driver and cluster) and of an executor core (wall) per empty task: the second of
     * two jobs of {@link #EMPTY_TASKS} tasks doing nothing, on one Spark context (its executors already up).
     */
    static double[] emptyTasks(LoopbackSparkCluster cluster, SparkSettings settings) throws InterruptedException {
        SparkConf conf = new SparkConf().setMaster(cluster.url()).setAppName("memvirt empty tasks")
                .set("spark.ui.enabled", "false")
                .set("spark.executor.extraClassPath", String.join(":", settings.executorClasspath()));
        for (Map.Entry<String, String> e : settings.conf().entrySet()) conf.set(e.getKey(), e.getValue());
        List<Integer> items = new ArrayList<>();
        for (int i = 0; i < EMPTY_TASKS; i++) items.add(i);
        double[] out = new double[2];
        try (JavaSparkContext sc = new JavaSparkContext(conf)) {
            sc.parallelize(items, EMPTY_TASKS).count();                               // warm-up
            double cpu0 = processCpuSeconds() + clusterCpuSeconds(cluster);
            long t0 = System.nanoTime();
            sc.parallelize(items, EMPTY_TASKS).count();
            double wall = (System.nanoTime() - t0) / 1e6;
            out[0] = 1000 * (processCpuSeconds() + clusterCpuSeconds(cluster) - cpu0) / EMPTY_TASKS;
            out[1] = wall * Math.max(1, sc.defaultParallelism()) / EMPTY_TASKS;
        }
        awaitExecutorsGone(cluster);
        return out;
    }

    /** Waits (at most 60 s) until the Workers have no executor left, so that its CPU shows in their cutime. */
    private static void awaitExecutorsGone(LoopbackSparkCluster cluster) throws InterruptedException {
        long end = System.nanoTime() + 60_000_000_000L;
        while (System.nanoTime() < end && cluster.processes().size() > 3) Thread.sleep(100);
    }

    /** CPU seconds of the cluster's JVMs and their children, ended ones included (/proc/PID/stat fields 14-17). */
    static double clusterCpuSeconds(LoopbackSparkCluster cluster) {
        Set<Long> seen = new HashSet<>();
        double ticks = 0;
        for (ProcessHandle p : cluster.processes()) {
            if (!seen.add(p.pid())) continue;
            try {
                String stat = Files.readString(Path.of("/proc/" + p.pid() + "/stat"));
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                // after "(comm) ": f[0] is field 3 (state); utime, stime, cutime, cstime are fields 14-17 (proc(5))
                for (int i = 11; i <= 14; i++) ticks += Long.parseLong(f[i]);
            } catch (IOException e) {
                // ended between the listing and the read: a Worker's reaped child, counted in the Worker's cutime
            }
        }
        return ticks / CLOCK_TICKS;
    }

    private static double processCpuSeconds() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime() / 1e9;
    }

    private static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException e) {
            return "?";
        }
    }

    private static String loadOne() {
        return loadAverage().split(" ")[0];
    }
}
