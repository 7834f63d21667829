package org.memvirt.bench;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.memvirt.config.MachineConfig;
import org.memvirt.config.MemoryBackend;
import org.memvirt.config.MemoryLayout;
import org.memvirt.engine.RunListener;
import org.memvirt.engine.RunResult;
import org.memvirt.engine.RunSpec;
import org.memvirt.host.MmuMode;
import org.memvirt.sim.SimEngine;
import org.memvirt.workload.AccessStream;
import org.memvirt.workload.Op;
import org.memvirt.workload.Workload;
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
 * Simulated guest memory accesses per second, end to end (boot, prefault, accesses): a TLB-friendly workload (random
 * reads over 64 pages, all first-level DTLB hits) and a TLB-hostile one (random reads over 64 Ki pages, nearly all
 * walks), against a baseline that only draws the same access stream. Each invocation simulates {@link #ACCESSES}
 * accesses, so accesses/s = ops/s x 4,000,000.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgs = {"-XX:+UseSerialGC", "-Xmx2g"})
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
public class SimEngineBench {
    static final long ACCESSES = 4_000_000;

    @Param({"ept", "shadow"})
    String mmu;

    /** {@code zen5}: the x86 package's TLB structures; {@code file}: the same sizes in the engine's own SimTlb. */
    @Param({"zen5", "file"})
    String tlb;

    private RunSpec friendly;
    private RunSpec hostile;

    @Setup
    public void setup() {
        long ram = 1L << 30;
        MemoryLayout layout = new MemoryLayout("q35", ram, ram, 0, 1L << 32, ram, 0, null, List.of());
        MachineConfig machine = new MachineConfig(layout,
                new MemoryBackend("pc.ram", "memory-backend-ram", ram, false, false, false, true, null, null), true, 1,
                List.of());
        MmuMode mode = MmuMode.valueOf(mmu.toUpperCase(java.util.Locale.ROOT));
        String tlbSpec = tlb;
        if (tlb.equals("file")) {
            try {
                java.nio.file.Path f = java.nio.file.Files.createTempFile("zen5-", ".tlb");
                java.nio.file.Files.writeString(f, "l1.entries=96\nl1.ways=6\nl2.entries=4096\nl2.ways=16\n");
                f.toFile().deleteOnExit();
                tlbSpec = f.toString();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        friendly = spec(machine, mode, 256L << 10, tlbSpec);
        hostile = spec(machine, mode, 256L << 20, tlbSpec);
    }

    private static RunSpec spec(MachineConfig machine, MmuMode mode, long over, String tlb) {
        Op op = new Op.Random(ACCESSES, over, 0, new Op.Distribution.Uniform(), 1);
        Workload w = new Workload(List.of(new Workload.Step(op, "random", Workload.Step.SPREAD)), "bench");
        return new RunSpec(machine, w, mode, true, tlb, Duration.ofMinutes(10), 1);
    }

    @Benchmark
    public RunResult tlbFriendly() {
        return new SimEngine().run(friendly, RunListener.NONE);
    }

    @Benchmark
    public RunResult tlbHostile() {
        return new SimEngine().run(hostile, RunListener.NONE);
    }

    /** The floor: drawing the same 4,000,000 page indices without simulating anything. */
    @Benchmark
    public long streamOnly() {
        AccessStream s = new AccessStream(64, 0, new Op.Distribution.Uniform(), 1);
        long x = 0;
        for (long i = 0; i < ACCESSES; i++) x += s.next();
        return x;
    }
}
