package org.memvirt.sweep.spark;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.spark.launcher.JavaModuleOptions;
import org.junit.jupiter.api.Test;

/**
 * The JVM options {@code ./memvirt} gives a sweep with {@code --master} are the ones Spark's own launcher gives Java 17+
 * (its {@code JavaModuleOptions}), so that a Spark upgrade that changes them fails here rather than on a cluster.
 */
class SparkLauncherOptionsTest {
    /**
     * Left out on purpose: the incubating Vector API serves Spark SQL's vectorised code, which a sweep never runs, and
     * it prints "Using incubator modules" on every start; IgnoreUnrecognizedVMOptions would hide a misspelt option.
     * Jobs run without both (the cluster test's JVMs get neither).
     */
    static final Set<String> LEFT_OUT = Set.of("-XX:+IgnoreUnrecognizedVMOptions", "--add-modules=jdk.incubator.vector");
    /** Passed on every start by ./memvirt's own options, with or without Spark. */
    static final String NATIVE_ACCESS = "--enable-native-access=ALL-UNNAMED";
    private static final Pattern BLOCK = Pattern.compile("spark_opts=\\((.*?)\\)", Pattern.DOTALL);

    @Test
    void theLauncherPassesSparksOwnModuleOptions() throws Exception {
        String script = Files.readString(Path.of("memvirt"));
        Matcher m = BLOCK.matcher(script);
        assertThat(m.find()).as("spark_opts=(...) in ./memvirt").isTrue();
        List<String> launcher = new ArrayList<>(List.of(m.group(1).trim().split("\\s+")));
        assertThat(script).contains("opts=(" + NATIVE_ACCESS);
        launcher.add(NATIVE_ACCESS);
        List<String> spark = new ArrayList<>(List.of(JavaModuleOptions.defaultModuleOptionArray()));
        assertThat(spark).containsAll(LEFT_OUT);
        spark.removeAll(LEFT_OUT);
        assertThat(launcher).containsExactlyInAnyOrderElementsOf(spark);
    }
}
