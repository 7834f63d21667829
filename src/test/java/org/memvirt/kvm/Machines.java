package org.memvirt.kvm;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.memvirt.config.E820Entry;
import org.memvirt.config.MachineConfig;
import org.memvirt.config.MemoryBackend;
import org.memvirt.config.MemoryLayout;
import org.memvirt.engine.RunSpec;
import org.memvirt.host.MmuMode;
import org.memvirt.workload.Op;
import org.memvirt.workload.Workload;

/** Test fixtures: pc machines laid out as QEMU does, and workloads built from ops. */
final class Machines {
    static final long MIB = 1L << 20, GIB = 1L << 30;

    /** {@code -m size -smp smp} on pc: below 4G = min(ram, 0xE0000000), capped at 0xC0000000 when ram >= 0xE0000000. */
    static MachineConfig pc(long size, int smp) {
        return pc(size, smp, new MemoryBackend("pc.ram", "memory-backend-ram", size, false, false, false, true, null, null));
    }

    static MachineConfig pc(long size, int smp, MemoryBackend backend) {
        long below = size >= 0xE000_0000L ? 0xC000_0000L : size;
        long above = size - below;
        List<E820Entry> e820 = new ArrayList<>();
        e820.add(new E820Entry(0, below, E820Entry.RAM));
        if (above > 0) e820.add(new E820Entry(4 * GIB, 4 * GIB + above, E820Entry.RAM));
        MemoryLayout layout = new MemoryLayout("pc", size, below, above, 4 * GIB, size, 0, null, e820);
        return new MachineConfig(layout, backend, backend.merge(), smp, List.of());
    }

    /** {@code size} bytes of private, lazily allocated guest RAM below 4 GiB (no KSM, no prealloc). */
    static MachineConfig ram(long size) {
        return pc(size, 1, new MemoryBackend("pc.ram", "memory-backend-ram", size, false, false, false, false, null, null));
    }

    static RunSpec spec(MachineConfig machine, Op... ops) {
        List<Workload.Step> steps = new ArrayList<>();
        for (Op op : ops) steps.add(new Workload.Step(op, text(op), Workload.Step.SPREAD));
        return new RunSpec(machine, new Workload(steps, "test"), MmuMode.SHADOW, false, "zen5", Duration.ofSeconds(60), 1);
    }

    static String text(Op op) {
        return switch (op) {
            case Op.Touch t -> "touch " + (t.bytes() >> 20) + "M";
            default -> op.getClass().getSimpleName().toLowerCase();
        };
    }

    static void assumeKvm() {
        org.memvirt.Skip.unlessKvm();
    }

    private Machines() {}
}
