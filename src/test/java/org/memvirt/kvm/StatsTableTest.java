package org.memvirt.kvm;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.memvirt.engine.Counter;

/**
 * Every statistic this host's KVM offers (KVM_GET_STATS_FD of a VM and of a vCPU) is in the engine.Counter table with
 * KVM's scope and kind; a kernel newer than the table fails here, so the table is updated rather than the statistic
 * silently dropped. Needs /dev/kvm; skipped with the reason where it is not usable.
 */
class StatsTableTest {
    @Test
    void everyKvmStatisticIsInTheTableWithItsScopeAndKind() {
        Machines.assumeKvm();
        try (KvmMachine m = KvmMachine.boot(Machines.pc(8 * Machines.MIB, 1), System.nanoTime() + 60_000_000_000L, 0)) {
            check(m.vmStats(), Counter.Scope.VM);
            check(m.vcpuStats(0), Counter.Scope.VCPU);
        }
    }

    private static void check(StatsReader r, Counter.Scope scope) {
        for (int i = 0; i < r.count(); i++) {
            String name = r.names().get(i);
            assertThat(Counter.find(name)).as("KVM statistic %s in engine.Counter", name).isPresent();
            Counter c = Counter.of(name);
            boolean level = r.type(i) == StatsReader.TYPE_INSTANT || r.type(i) == StatsReader.TYPE_PEAK;
            assertThat(c.group()).as(name).isEqualTo(Counter.Group.KVM_STATS);
            assertThat(c.scope()).as(name).isEqualTo(scope);
            assertThat(c.kind()).as(name).isEqualTo(level ? Counter.Kind.GAUGE : Counter.Kind.COUNTER);
        }
    }
}
