package org.memvirt.kvm;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntToLongFunction;

import org.memvirt.engine.Counter;
import org.memvirt.engine.Counters;

/**
 * Snapshots every KVM binary statistic of the VM and of each vCPU, plus the user-space exits the VMM counted, and
 * turns pairs of snapshots into {@link Counters} under KVM's names (vCPU statistics summed over vCPUs). A statistic
 * the engine.Counter table does not list (a kernel newer than the table) is left out: the table is the contract.
 */
final class StatsCollector {
    private final StatsReader vm;
    private final StatsReader[] vcpus;
    private final IntToLongFunction userExits;

    /** One moment: raw values in KVM's descriptor order. */
    record Snapshot(long[] vm, long[][] vcpus, long[] userExits) {}

    StatsCollector(KvmMachine machine) {
        this(machine.vmStats(), vcpuStats(machine), machine::userExits);
    }

    /** The VM's statistics, each vCPU's, and the VMM's count of user-space exits by vCPU. */
    StatsCollector(StatsReader vm, StatsReader[] vcpus, IntToLongFunction userExits) {
        this.vm = vm;
        this.vcpus = vcpus;
        this.userExits = userExits;
    }

    private static StatsReader[] vcpuStats(KvmMachine machine) {
        StatsReader[] r = new StatsReader[machine.vcpuCount()];
        for (int i = 0; i < r.length; i++) r[i] = machine.vcpuStats(i);
        return r;
    }

    /** Reads all statistics; call only while no vCPU is running an op. */
    Snapshot take() {
        long[] v = new long[vm.count()];
        vm.read(v);
        long[][] c = new long[vcpus.length][];
        long[] exits = new long[vcpus.length];
        for (int i = 0; i < vcpus.length; i++) {
            c[i] = new long[vcpus[i].count()];
            vcpus[i].read(c[i]);
            exits[i] = userExits.applyAsLong(i);
        }
        return new Snapshot(v, c, exits);
    }

    /** What changed between two snapshots, every statistic (instant ones give their change). */
    Counters delta(Snapshot a, Snapshot b) {
        return between(a, b, false);
    }

    /** Totals over a run: cumulative statistics as the change, instant and peak ones as the value at the end. */
    Counters totals(Snapshot a, Snapshot b) {
        return between(a, b, true);
    }

    /** Every VM and vCPU statistic from {@code a} to {@code b}, plus the VMM's user-space exits. */
    private Counters between(Snapshot a, Snapshot b, boolean endValueIfInstant) {
        Map<String, Long> out = ordered();
        addDelta(out, vm, a.vm, b.vm, endValueIfInstant);
        long exits = 0;
        for (int i = 0; i < vcpus.length; i++) {
            addDelta(out, vcpus[i], a.vcpus[i], b.vcpus[i], endValueIfInstant);
            exits += b.userExits[i] - a.userExits[i];
        }
        out.put(Counter.USER_EXITS.key(), exits);
        return new Counters(prune(out));
    }

    /** One vCPU's statistics over a run (as {@link #totals}). */
    Counters vcpuTotals(int cpu, Snapshot a, Snapshot b) {
        Map<String, Long> out = ordered();
        addDelta(out, vcpus[cpu], a.vcpus[cpu], b.vcpus[cpu], true);
        out.put(Counter.USER_EXITS.key(), b.userExits[cpu] - a.userExits[cpu]);
        return new Counters(prune(out));
    }

    private static void addDelta(Map<String, Long> out, StatsReader r, long[] a, long[] b, boolean endValueIfInstant) {
        List<String> names = r.names();
        for (int i = 0; i < names.size(); i++) {
            if (Counter.find(names.get(i)).isEmpty()) continue;
            boolean level = r.type(i) == StatsReader.TYPE_INSTANT || r.type(i) == StatsReader.TYPE_PEAK;
            long v = endValueIfInstant && level ? b[i] : b[i] - a[i];
            out.merge(names.get(i), v, Long::sum);
        }
    }

    /** The KVM statistics both engines report first (the table's order), then the rest in KVM's order. */
    private static Map<String, Long> ordered() {
        Map<String, Long> m = new LinkedHashMap<>();
        for (Counter c : Counter.values()) {
            if (c.group() == Counter.Group.KVM_STATS && c.engines().sim()) m.put(c.key(), null);
        }
        return m;
    }

    private static Map<String, Long> prune(Map<String, Long> m) {
        m.values().removeIf(v -> v == null);
        return m;
    }
}
