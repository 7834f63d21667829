package org.memvirt.sweep.spark;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.memvirt.engine.Engines;
import org.memvirt.engine.RunListener;
import org.memvirt.report.SweepText;
import org.memvirt.sweep.LocalRunner;
import org.memvirt.sweep.SparkSettings;
import org.memvirt.sweep.Study;
import org.memvirt.sweep.StudyLoader;
import org.memvirt.sweep.Sweep;
import org.memvirt.sweep.SweepResult;

/**
 * The committed example study (examples/sweep-64x1g.yaml at 1/64 scale, examples/sweep-64x16m.yaml) gives the same
 * table on one local thread, on two, on Spark's {@code local[2]} and on a real standalone Spark cluster of three JVMs
 * on loopback (a Master and two Workers with one core each, started from the Maven jars alone). One cluster for the
 * class; it is stopped, and every JVM and file of it checked gone, after the last test.
 */
@Tag("spark")
class SparkSweepTest {
    static final Path EXAMPLE = Path.of("examples/sweep-64x16m.yaml");

    @TempDir
    static Path dir;

    static LoopbackSparkCluster cluster;
    static Study study;
    static Engines.Choice choice;
    static SweepResult oneThread;

    @BeforeAll
    static void startClusterAndRunLocally() throws Exception {
        study = StudyLoader.load(EXAMPLE);
        choice = Sweep.check(study);
        oneThread = Sweep.run(study, choice, new LocalRunner(1), RunListener.NONE);
        cluster = LoopbackSparkCluster.start(dir, sparkClasspath(), 2);
    }

    @AfterAll
    static void stopClusterAndCheckNothingIsLeft() {
        if (cluster == null) return;
        List<ProcessHandle> jvms = cluster.processes();
        Path root = cluster.root();
        cluster.close();
        for (ProcessHandle p : jvms) assertThat(p.isAlive()).as("Spark JVM " + p.pid() + " after close").isFalse();
        assertThat(root).doesNotExist();
    }

    @Test
    void twoLocalThreadsGiveTheTableOfOne() {
        SweepResult two = Sweep.run(study, choice, new LocalRunner(2), RunListener.NONE);
        assertSameTable(two, oneThread);
    }

    @Test
    void sparkLocalModeGivesTheLocalTable() {
        SweepResult spark = Sweep.run(study, choice, runner("local[2]", Map.of()), RunListener.NONE);
        assertThat(spark.run().runner()).startsWith("Spark local[2], ");
        assertSameTable(spark, oneThread);
    }

    @Test
    void aStandaloneClusterOfThreeJvmsGivesTheLocalTable() throws IOException {
        SparkSettings settings = clusterSettings(cluster);
        SweepResult spark = Sweep.run(study, choice, settings.runner(), RunListener.NONE);
        assertThat(spark.run().cores()).isEqualTo(2);
        assertThat(cluster.processes()).as("Master, 2 Workers and their executors").hasSizeGreaterThanOrEqualTo(3);
        assertSameTable(spark, oneThread);
    }

    /** Every figure of every host and point, and the printed tables, are the same; only the timing differs. */
    static void assertSameTable(SweepResult actual, SweepResult expected) {
        assertThat(actual.hosts()).isEqualTo(expected.hosts());
        assertThat(actual.points()).isEqualTo(expected.points());
        assertThat(SweepText.tables(actual)).isEqualTo(SweepText.tables(expected));
    }

    /**
     * A driver on this JVM for {@code cluster}: everything on loopback, scratch files in the cluster's directory, and
     * the job held until both executors have registered (so that both cores run hosts from the first task on).
     */
    static SparkSettings clusterSettings(LoopbackSparkCluster cluster) throws IOException {
        return clusterSettings(cluster, "512m");
    }

    /** The same, with {@code executorMemory} for each executor (at most the Workers' 1g). */
    static SparkSettings clusterSettings(LoopbackSparkCluster cluster, String executorMemory) throws IOException {
        return new SparkSettings(cluster.url(), Map.of(
                "spark.driver.host", "127.0.0.1",
                "spark.driver.bindAddress", "127.0.0.1",
                "spark.local.dir", cluster.driverLocalDir().toString(),
                "spark.executor.memory", executorMemory,
                "spark.scheduler.minRegisteredResourcesRatio", "1.0"), 0, executorClasspath());
    }

    private static org.memvirt.sweep.SweepRunner runner(String master, Map<String, String> conf) {
        return new SparkSettings(master, conf, 0, List.of()).runner();
    }

    /**
     * The Master's and Workers' class path: Spark's jars and the ones memvirt shares with Spark (Jackson, ...), which
     * the build lists under memvirt's runtime class path rather than Spark's.
     */
    static List<String> sparkClasspath() throws IOException {
        List<String> cp = new ArrayList<>(lines(Path.of("target/runtime.classpath")));
        cp.addAll(lines(Path.of("target/spark.classpath")));
        return cp;
    }

    private static List<String> lines(Path classpathFile) throws IOException {
        return List.of(Files.readString(classpathFile).strip().split(java.io.File.pathSeparator));
    }

    /** The executors': memvirt's classes, its runtime dependencies and Spark's jars, absolute. */
    static List<String> executorClasspath() throws IOException {
        List<String> cp = new ArrayList<>();
        cp.add(Path.of("target/classes").toAbsolutePath().toString());
        cp.addAll(sparkClasspath());
        return cp;
    }
}
