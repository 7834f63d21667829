package org.memvirt.sweep.spark;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A real Apache Spark standalone cluster on loopback, built from the Maven jars alone: a Master and {@code workers}
 * Workers, each a JVM of its own, with one core each. Everything it creates lives under one temporary directory
 * (Spark's home with an empty {@code jars/}, logs, work and local dirs), and {@link #close()} stops the JVMs by PID
 * (Workers first, which ends their executors, then the Master) and deletes that directory. A watchdog process kills
 * the JVMs should this JVM die without closing the cluster.
 *
 * <p>What standalone Spark needs here (docs/commands/sweep.md, "A cluster from Maven jars"): {@code SPARK_LOCAL_IP},
 * {@code SPARK_SCALA_VERSION=2.13}, a {@code SPARK_HOME} with an empty {@code jars/}, the Master's REST server off
 * (it has a fixed port), every port 0.
 */
public final class LoopbackSparkCluster implements AutoCloseable {
    static final Pattern MASTER_URL = Pattern.compile("Starting Spark master at (spark://127\\.0\\.0\\.1:\\d+)");
    static final String REGISTERED = "Registering worker";
    static final long START_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(180);

    private final Path root;
    private final List<String> classpath;
    private final Process master;
    private final List<Process> workers = new ArrayList<>();
    private final Process watchdog;
    private final String url;
    private boolean closed;

    private LoopbackSparkCluster(Path root, List<String> classpath, int workerCount) throws IOException, InterruptedException {
        this.root = root;
        this.classpath = classpath;
        Files.createDirectories(root.resolve("spark-home/jars"));
        master = start("master", "org.apache.spark.deploy.master.Master", List.of("--host", "127.0.0.1", "--port", "0",
                "--webui-port", "0"));
        String found = null;
        try {
            found = await("master", m -> {
                Matcher x = MASTER_URL.matcher(m);
                return x.find() ? x.group(1) : null;
            });
            url = found;
            for (int i = 0; i < workerCount; i++) {
                Path work = Files.createDirectories(root.resolve("work-" + i));
                workers.add(start("worker-" + i, "org.apache.spark.deploy.worker.Worker", List.of("--host", "127.0.0.1",
                        "--port", "0", "--webui-port", "0", "--cores", "1", "--memory", "1g", "--work-dir",
                        work.toString(), url)));
            }
            await("master", m -> count(m, REGISTERED) >= workerCount ? "" : null);
            watchdog = watchdog();
        } catch (IOException | InterruptedException | RuntimeException | Error e) {
            stopAll();
            throw e;
        }
    }

    /**
     * Starts a Master and {@code workers} Workers under a new directory in {@code parent}; the JVMs run Spark from
     * {@code classpath} (absolute paths). Returns once every Worker has registered with the Master.
     */
    public static LoopbackSparkCluster start(Path parent, List<String> classpath, int workers)
            throws IOException, InterruptedException {
        Path root = Files.createTempDirectory(parent, "memvirt-spark-");
        try {
            return new LoopbackSparkCluster(root, classpath, workers);
        } catch (IOException | InterruptedException | RuntimeException | Error e) {
            delete(root);
            throw e;
        }
    }

    /** The master URL: {@code spark://127.0.0.1:PORT}. */
    public String url() {
        return url;
    }

    /** Where the driver keeps its scratch files, inside the cluster's directory. */
    public Path driverLocalDir() {
        try {
            return Files.createDirectories(root.resolve("driver-local"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The Master's and Workers' processes, and the executors the Workers have started. */
    public List<ProcessHandle> processes() {
        List<ProcessHandle> out = new ArrayList<>();
        out.add(master.toHandle());
        for (Process w : workers) {
            out.add(w.toHandle());
            w.toHandle().descendants().forEach(out::add);
        }
        return out;
    }

    public Path root() {
        return root;
    }

    /** Stops the Workers (SIGTERM; their executors end with them), then the Master, and deletes the directory. */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        stopAll();
        if (watchdog != null) watchdog.destroyForcibly();
        delete(root);
    }

    private void stopAll() {
        List<ProcessHandle> executors = new ArrayList<>();
        for (Process w : workers) w.toHandle().descendants().forEach(executors::add);
        for (Process w : workers) stop(w.toHandle());
        for (ProcessHandle e : executors) stop(e);
        if (master != null) stop(master.toHandle());
    }

    /** SIGTERM, then SIGKILL after 20 s; waits for the process to be gone. */
    private static void stop(ProcessHandle p) {
        if (!p.isAlive()) return;
        p.destroy();
        try {
            p.onExit().get(20, TimeUnit.SECONDS);
        } catch (Exception e) {
            p.destroyForcibly();
            try {
                p.onExit().get(10, TimeUnit.SECONDS);
            } catch (Exception ignored) {
                // reported by the caller's check that nothing is left alive
            }
        }
    }

    private Process start(String name, String mainClass, List<String> args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-XX:+UseSerialGC", "-Dspark.master.rest.enabled=false", "-cp",
                String.join(File.pathSeparator, classpath), mainClass));
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(root.resolve(name + ".log").toFile());
        Map<String, String> env = pb.environment();
        env.put("SPARK_LOCAL_IP", "127.0.0.1");
        env.put("SPARK_SCALA_VERSION", "2.13");
        env.put("SPARK_HOME", root.resolve("spark-home").toString());
        env.put("SPARK_LOCAL_DIRS", root.resolve("local-" + name).toString());
        env.put("SPARK_LOG_DIR", root.toString());
        return pb.start();
    }

    /** Kills the cluster's JVMs (SIGKILL) as soon as this JVM is gone; closing the cluster kills it first. */
    private Process watchdog() throws IOException {
        StringBuilder pids = new StringBuilder();
        for (ProcessHandle p : processes()) pids.append(' ').append(p.pid());
        String script = "while kill -0 " + ProcessHandle.current().pid() + " 2>/dev/null; do sleep 2; done; kill -9"
                + pids + " 2>/dev/null; rm -rf '" + root + "'";
        return new ProcessBuilder("sh", "-c", script).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    }

    private interface Probe {
        String find(String log);
    }

    /** Polls {@code name}'s log until {@code probe} finds something; fails with the log's tail after the timeout. */
    private String await(String name, Probe probe) throws IOException, InterruptedException {
        Path log = root.resolve(name + ".log");
        long deadline = System.nanoTime() + START_TIMEOUT_NANOS;
        while (true) {
            String text = Files.exists(log) ? Files.readString(log) : "";
            String found = probe.find(text);
            if (found != null) return found;
            for (Process p : alive()) {
                if (!p.isAlive()) throw new IllegalStateException(name + ": a Spark JVM exited: " + tail(text));
            }
            if (System.nanoTime() > deadline) throw new IllegalStateException(name + " not ready in 180 s: " + tail(text));
            Thread.sleep(200);
        }
    }

    private List<Process> alive() {
        List<Process> all = new ArrayList<>(workers);
        if (master != null) all.add(master);
        return all;
    }

    private static int count(String text, String what) {
        int n = 0;
        for (int i = text.indexOf(what); i >= 0; i = text.indexOf(what, i + 1)) n++;
        return n;
    }

    private static String tail(String text) {
        return text.length() <= 2000 ? text : text.substring(text.length() - 2000);
    }

    static void delete(Path root) {
        if (!Files.exists(root)) return;
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + root, e);
        }
    }
}
