package org.memvirt.bench;

import java.util.List;
import java.util.concurrent.TimeUnit;

import org.memvirt.engine.RunListener;
import org.memvirt.engine.RunResult;
import org.memvirt.kvm.KvmEngine;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * VM setup cost against configured RAM: create VM, map and register guest RAM, load and boot the guest runtime, read
 * the stats, tear down; for -m 64M (the baseline) and -m 64G. Lazy allocation makes the ratio about 1.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class KvmSetupBench {
    @Param({"64", "65536"})
    public long ramMib;

    @Benchmark
    public RunResult setupAndTeardown() {
        return new KvmEngine().run(KvmProcessBench.spec(ramMib, List.of()), RunListener.NONE);
    }
}
