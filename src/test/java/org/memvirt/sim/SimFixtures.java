package org.memvirt.sim;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.memvirt.config.MachineConfig;
import org.memvirt.config.MemoryBackend;
import org.memvirt.config.MemoryLayout;
import org.memvirt.engine.Counter;
import org.memvirt.engine.RunListener;
import org.memvirt.engine.RunResult;
import org.memvirt.engine.RunSpec;
import org.memvirt.host.MmuMode;
import org.memvirt.workload.Op;
import org.memvirt.workload.Workload;

/** Small builders for sim-engine tests: machines without the config parser, workloads without the op parser. */
final class SimFixtures {
    static final long MIB = 1L << 20;
    static final long GIB = 1L << 30;

    /** A q35 machine of {@code ramBytes} below 4 GiB (at most 2 GiB) plus the rest above, like QEMU's split. */
    static MachineConfig machine(long ramBytes, int smp) {
        long below = ramBytes >= 0xB000_0000L ? 0x8000_0000L : ramBytes;
        long above = ramBytes - below;
        MemoryLayout layout = new MemoryLayout("q35", ramBytes, below, above, 1L << 32, ramBytes, 0, null, List.of());
        MemoryBackend backend = new MemoryBackend("pc.ram", "memory-backend-ram", ramBytes, false, false, false, true, null, null);
        return new MachineConfig(layout, backend, true, smp, List.of());
    }

    static Workload workload(Op... ops) {
        List<Workload.Step> steps = new ArrayList<>();
        for (Op op : ops) steps.add(new Workload.Step(op, op.toString(), Workload.Step.SPREAD));
        return new Workload(steps, "test");
    }

    static RunResult run(MachineConfig m, MmuMode mode, boolean vpid, Op... ops) {
        return new SimEngine().run(new RunSpec(m, workload(ops), mode, vpid, "zen5", Duration.ofMinutes(1), 1), RunListener.NONE);
    }

    static RunResult run(MmuMode mode, boolean vpid, Op... ops) {
        return run(machine(256 * MIB, 1), mode, vpid, ops);
    }

    /**
     * Runs {@code ops} on the golden-cove TLBs with seed 1 and, under shadow paging with {@code checkInvariants},
     * checks the shadow MMU's invariants after every step.
     */
    static RunResult runChecked(MachineConfig m, MmuMode mode, boolean vpid, List<Op> ops,
            boolean checkInvariants) {
        RunSpec spec = new RunSpec(m, workload(ops.toArray(Op[]::new)), mode, vpid, "golden-cove",
                Duration.ofMinutes(1), 1);
        return new SimEngine().run(spec, RunListener.NONE,
                vm -> { if (checkInvariants) ((ShadowMmu) vm.mmu).checkInvariants(); });
    }

    /** An op pinned to vCPU {@code vcpu}. */
    record On(int vcpu, Op op) {}

    static On on(int vcpu, Op op) {
        return new On(vcpu, op);
    }

    /** Runs steps pinned to vCPUs (zen5 TLBs, VPID on), checking the shadow MMU's invariants after every step. */
    static RunResult runPinned(MachineConfig m, MmuMode mode, On... steps) {
        List<Workload.Step> list = new ArrayList<>();
        for (On s : steps) list.add(new Workload.Step(s.op(), s.op().toString(), s.vcpu()));
        RunSpec spec = new RunSpec(m, new Workload(list, "test"), mode, true, "zen5", Duration.ofMinutes(1), 1);
        return new SimEngine().run(spec, RunListener.NONE,
                vm -> { if (vm.mmu instanceof ShadowMmu s) s.checkInvariants(); });
    }

    static long op(RunResult r, int index, Counter counter) {
        return r.ops().get(index).deltas().get(counter);
    }

    private SimFixtures() {}
}
