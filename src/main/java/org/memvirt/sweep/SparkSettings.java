package org.memvirt.sweep;

import java.util.List;
import java.util.Map;

/**
 * How to run a sweep on Apache Spark.
 *
 * @param master the master URL: {@code spark://HOST:PORT} (standalone), {@code local[N]}, or any master Spark takes
 * @param conf Spark properties ({@code --conf KEY=VALUE}), applied last
 * @param hostsPerTask hosts one task simulates (a Spark task costs 1 to 2 ms; a host at least tens of ms), or 0 for
 *        about four tasks per core
 * @param executorClasspath the class path executors load memvirt and Spark from, absolute paths; empty: the
 *        executors' own (a Spark distribution's jars plus {@code spark.jars})
 */
public record SparkSettings(String master, Map<String, String> conf, int hostsPerTask, List<String> executorClasspath) {
    public SparkSettings {
        conf = Map.copyOf(conf);
        executorClasspath = List.copyOf(executorClasspath);
        if (hostsPerTask < 0) throw new IllegalArgumentException("hosts per task must be >= 0");
    }

    /** The class that runs sweeps on Spark; loaded only when a master is given, so Spark stays off the CLI's path. */
    static final String RUNNER = "org.memvirt.sweep.spark.SparkRunner";

    /**
     * The Spark runner, loaded by name.
     *
     * @throws SweepException (exit status 3) when Spark's classes are not on the class path
     */
    public SweepRunner runner() {
        try {
            Class.forName("org.apache.spark.SparkContext", false, SparkSettings.class.getClassLoader());
            return (SweepRunner) Class.forName(RUNNER).getConstructor(SparkSettings.class).newInstance(this);
        } catch (ClassNotFoundException | NoClassDefFoundError e) {
            throw SweepException.host("--master needs Apache Spark's jars on the class path: run memvirt through"
                    + " ./memvirt, which adds target/spark.classpath (written by the build) for --master");
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot create " + RUNNER, e);
        }
    }
}
