package org.memvirt.sweep.spark;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.spark.SparkConf;
import org.apache.spark.SparkException;
import org.apache.spark.SparkStageInfo;
import org.apache.spark.api.java.JavaFutureAction;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.FlatMapFunction;

import org.memvirt.MemvirtException;
import org.memvirt.engine.RunListener;
import org.memvirt.sweep.HostKey;
import org.memvirt.sweep.HostOutcome;
import org.memvirt.sweep.HostTask;
import org.memvirt.sweep.SparkSettings;
import org.memvirt.sweep.Study;
import org.memvirt.sweep.StudyLoader;
import org.memvirt.sweep.StudySource;
import org.memvirt.sweep.SweepException;
import org.memvirt.sweep.SweepRunner;

/**
 * Runs a study's hosts on Apache Spark: the study's texts go to the executors inside the task, each task builds and
 * simulates a batch of hosts ({@link HostTask}, as a local thread would), and the driver collects the outcomes. The
 * only class of memvirt that names Spark; loaded by {@link SparkSettings#runner()} when a master is given.
 */
public final class SparkRunner implements SweepRunner {
    /** Tasks per core when the study does not say how many hosts a task simulates: keeps cores busy to the end. */
    static final int TASKS_PER_CORE = 4;
    static final long POLL_MILLIS = 100;

    private final SparkSettings settings;
    private int cores = 1;
    private int tasks;
    private double setupSeconds;

    public SparkRunner(SparkSettings settings) {
        this.settings = settings;
    }

    @Override
    public List<HostOutcome> run(Study study, RunListener listener) {
        List<HostKey> keys = HostKey.all(study);
        quietLogging();
        long start = System.nanoTime();
        try (JavaSparkContext sc = new JavaSparkContext(conf(study))) {
            setupSeconds = (System.nanoTime() - start) / 1e9;
            cores = Math.max(1, sc.defaultParallelism());
            int perTask = settings.hostsPerTask() > 0 ? settings.hostsPerTask()
                    : Math.max(1, (int) Math.ceil(keys.size() / (double) (cores * TASKS_PER_CORE)));
            tasks = (int) Math.ceil(keys.size() / (double) perTask);
            listener.stepStarted(0, 1, "sweep " + study.name() + ": " + keys.size() + " hosts in " + tasks + " Spark tasks");
            JavaFutureAction<List<HostOutcome>> job = sc.parallelize(keys, tasks)
                    .mapPartitions(new HostBatch(study.source()))
                    .collectAsync();
            while (true) {
                try {
                    return new ArrayList<>(job.get(POLL_MILLIS, TimeUnit.MILLISECONDS));
                } catch (TimeoutException e) {
                    listener.stepProgress(done(sc));
                }
            }
        } catch (ExecutionException e) {
            throw failure(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private SparkConf conf(Study study) {
        SparkConf conf = new SparkConf()
                .setMaster(settings.master())
                .setAppName("memvirt sweep " + study.name())
                .set("spark.ui.enabled", "false")
                .set("spark.log.level", "WARN");
        if (settings.master().startsWith("local")) {
            // everything runs in this JVM: nothing needs an address other machines can reach
            conf.set("spark.driver.host", "127.0.0.1").set("spark.driver.bindAddress", "127.0.0.1");
        }
        if (!settings.executorClasspath().isEmpty()) {
            conf.set("spark.executor.extraClassPath", String.join(java.io.File.pathSeparator, settings.executorClasspath()));
        }
        for (Map.Entry<String, String> e : settings.conf().entrySet()) conf.set(e.getKey(), e.getValue());
        return conf;
    }

    /** Spark logs INFO to stderr by default; a sweep wants its progress bar there. Respects a configuration given. */
    private static void quietLogging() {
        if (System.getProperty("log4j2.configurationFile") == null) {
            System.setProperty("log4j2.configurationFile", "org/memvirt/sweep/spark/log4j2.properties");
        }
    }

    /** The share of the job's tasks done, from Spark's status tracker. */
    private double done(JavaSparkContext sc) {
        int done = 0;
        for (int stage : sc.statusTracker().getActiveStageIds()) {
            SparkStageInfo info = sc.statusTracker().getStageInfo(stage);
            if (info != null) done += info.numCompletedTasks();
        }
        return tasks == 0 ? 0 : (double) done / tasks;
    }

    /** The memvirt error a task failed with (Spark wraps it in a SparkException with the executor's text). */
    private static RuntimeException failure(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof MemvirtException m) return m;
        }
        String message = cause instanceof SparkException s ? s.getMessage() : String.valueOf(cause);
        return new SweepException("the Spark job failed: " + message.lines().findFirst().orElse(""));
    }

    @Override
    public String describe() {
        return "Spark " + settings.master() + ", " + tasks + " tasks";
    }

    /**
     * Seconds the last run took to get its Spark context: the driver started and, with
     * {@code spark.scheduler.minRegisteredResourcesRatio}, its executors registered.
     */
    public double setupSeconds() {
        return setupSeconds;
    }

    @Override
    public int cores() {
        return cores;
    }

    /** The Spark tasks the last run split its hosts into. */
    public int tasks() {
        return tasks;
    }

    /** A Spark task: the hosts of one partition, simulated one after the other with the study read once. */
    static final class HostBatch implements FlatMapFunction<Iterator<HostKey>, HostOutcome> {
        private static final long serialVersionUID = 1L;
        private final StudySource source;

        HostBatch(StudySource source) {
            this.source = source;
        }

        @Override
        public Iterator<HostOutcome> call(Iterator<HostKey> keys) {
            HostTask task = new HostTask(StudyLoader.parse(source));
            List<HostOutcome> out = new ArrayList<>();
            while (keys.hasNext()) out.add(task.run(keys.next()));
            return out.iterator();
        }
    }
}
