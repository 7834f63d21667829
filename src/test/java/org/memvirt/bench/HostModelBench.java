package org.memvirt.bench;

import java.util.concurrent.TimeUnit;

import org.memvirt.sim.HostConfig;
import org.memvirt.sim.HostModel;
import org.memvirt.engine.KsmConfig;
import org.memvirt.workload.Patterns;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The host model's hot paths on a 1 GiB guest (262,144 pages): a resident access at a random gfn against a baseline
 * that writes a long[] of the same size at the same random index; and ksmd processing unique, stable pages (one full
 * scan of the guest per invocation, smart scan off, unstable-tree inserts) against a baseline that only walks the page flags.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgs = {"-XX:+UseSerialGC", "-Xmx2g"})
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
public class HostModelBench {
    static final int PAGES = 1 << 18;
    static final int BATCH = 1 << 16;

    private HostModel host;
    private HostModel scanHost;
    private long[] baseline;
    private byte[] flags;
    private long seed;

    @Setup(Level.Trial)
    public void setup() {
        host = new HostModel(HostConfig.of(4L << 30, 0, 0));
        int vm = host.addVm("g", PAGES, false, 0);
        for (int g = 0; g < PAGES; g++) host.access(vm, g, true, g + 1);
        baseline = new long[PAGES];
        flags = new byte[PAGES];
        // smart_scan off: every page takes the checksum and unstable-tree path on every pass
        scanHost = new HostModel(HostConfig.of(4L << 30, 0, 0).withKsm(
                new KsmConfig(true, Integer.MAX_VALUE, 20, 256, false, false, true)));
        int s = scanHost.addVm("g", PAGES, true, 0);
        for (int g = 0; g < PAGES; g++) scanHost.access(s, g, true, Patterns.mix(g + 1));
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long baselineRandomArrayWrite() {
        long x = seed;
        long[] a = baseline;
        for (int i = 0; i < BATCH; i++) {
            x += Patterns.GOLDEN_GAMMA;
            int g = (int) (Patterns.mix(x) & (PAGES - 1));
            a[g] = x;
        }
        seed = x;
        return a[0];
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long residentAccess() {
        long x = seed;
        long r = 0;
        for (int i = 0; i < BATCH; i++) {
            x += Patterns.GOLDEN_GAMMA;
            long g = Patterns.mix(x) & (PAGES - 1);
            r += host.access(0, g, true, x);
        }
        seed = x;
        return r;
    }

    @Benchmark
    @OperationsPerInvocation(PAGES)
    public long baselineFlagWalk() {
        long n = 0;
        for (byte f : flags) n += f;
        return n;
    }

    @Benchmark
    @OperationsPerInvocation(PAGES)
    public long ksmFullScanOfUniquePages() {
        scanHost.advance(20_000_000L);   // one wake-up: one full scan (stops at the end of the pass)
        return scanHost.ksmCounters().pagesUnshared();
    }
}
