package org.memvirt.bench;

import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The shadow MMU's fault path (sim.ShadowFaultLoop: one round = 256 addresses faulted in over 128 frames mapped twice,
 * then every frame invalidated), in this build and in a baseline build loaded beside it ({@link SimBuilds}); rounds/s.
 * Run both in one invocation: {@code scripts/bench ShadowFaultBench -jvmArgsAppend -Dmemvirt.baseline.classes=DIR}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgs = {"-XX:+UseSerialGC", "-Xmx512m"})   // -jvmArgsAppend adds the baseline property
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class ShadowFaultBench {
    @Param({"baseline", "current"})
    String build;

    private LongSupplier loop;

    @Setup
    public void setup() {
        loop = SimBuilds.load(build, "org.memvirt.sim.ShadowFaultLoop");
    }

    @Benchmark
    public long faultRound() {
        return loop.getAsLong();
    }
}
