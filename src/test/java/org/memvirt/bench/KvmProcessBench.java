package org.memvirt.bench;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.memvirt.config.E820Entry;
import org.memvirt.config.MachineConfig;
import org.memvirt.config.MemoryBackend;
import org.memvirt.config.MemoryLayout;
import org.memvirt.engine.Counter;
import org.memvirt.engine.RunListener;
import org.memvirt.engine.RunResult;
import org.memvirt.engine.RunSpec;
import org.memvirt.host.MmuMode;
import org.memvirt.kvm.KvmEngine;
import org.memvirt.workload.Op;
import org.memvirt.workload.Workload;

/**
 * Whole-process measurements of the kvm engine for scripts/bench-kvm, printed as key=value lines beside the C harness
 * (src/test/c/kvm_touch_harness.c) that boots the same guest runtime.
 * <ul>
 *   <li>{@code start}: a one-step workload on -m 1G; prints the epoch time when the first step starts (every vCPU
 *       has run the guest runtime's boot and reported ready), for "process start to first guest instruction".</li>
 *   <li>{@code touch RAM_MIB TOUCH_MIB}: first touch of TOUCH_MIB, the median of 9 re-touches, then the VMM's RSS
 *       beyond guest RAM.</li>
 * </ul>
 */
public final class KvmProcessBench {
    private static final int RETOUCHES = 9;   // as the C harness: the re-touch figure is the median of 9 rounds

    public static void main(String[] args) {
        switch (args[0]) {
            case "start" -> {
                Instant[] ready = new Instant[1];
                RunListener atFirstStep = new RunListener() {
                    @Override
                    public void stepStarted(int index, int total, String text) {
                        if (ready[0] == null) ready[0] = Instant.now();
                    }
                };
                new KvmEngine().run(spec(1024, List.of(new Op.Demand(false))), atFirstStep);
                System.out.println("ready_epoch_ns=" + (ready[0].getEpochSecond() * 1_000_000_000L + ready[0].getNano()));
            }
            case "touch" -> {
                long touch = Long.parseLong(args[2]) << 20;
                List<Op> ops = new ArrayList<>();
                for (int i = 0; i < 1 + RETOUCHES; i++) ops.add(new Op.Touch(touch, 0));
                RunResult r = new KvmEngine().run(spec(Long.parseLong(args[1]), ops), RunListener.NONE);
                long[] re = new long[RETOUCHES];
                for (int i = 0; i < RETOUCHES; i++) re[i] = r.ops().get(1 + i).nanos();
                java.util.Arrays.sort(re);
                System.out.println("first_touch_ns=" + r.ops().get(0).nanos());
                System.out.println("retouch_ns=" + re[RETOUCHES / 2]);
                System.out.println("guest_rss_kb=" + r.counters().get(Counter.GUEST_RAM_RSS_KB));
                System.out.println("vmm_rss_kb=" + r.counters().get(Counter.VMM_RSS_KB));
            }
            default -> throw new IllegalArgumentException(args[0]);
        }
    }

    public static RunSpec spec(long ramMib, List<Op> ops) {
        long size = ramMib << 20;
        long below = size >= 0xE000_0000L ? 0xC000_0000L : size;
        MemoryLayout layout = new MemoryLayout("pc", size, below, size - below, 1L << 32, size, 0, null,
                List.of(new E820Entry(0, below, E820Entry.RAM)));
        MachineConfig m = new MachineConfig(layout,
                new MemoryBackend("pc.ram", "memory-backend-ram", size, false, false, false, true, null, null), true, 1,
                List.of());
        List<Workload.Step> steps = new ArrayList<>();
        for (Op op : ops) steps.add(new Workload.Step(op, op.toString(), Workload.Step.SPREAD));
        return new RunSpec(m, new Workload(steps, "bench"), MmuMode.SHADOW, false, "zen5", Duration.ofMinutes(5), 1);
    }

    private KvmProcessBench() {}
}
