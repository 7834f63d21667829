package org.memvirt.kvm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.memvirt.kvm.Machines.MIB;
import static org.memvirt.kvm.NativeResources.mappings;
import static org.memvirt.kvm.NativeResources.openFds;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.memvirt.engine.Counter;
import org.memvirt.engine.RunListener;
import org.memvirt.engine.RunResult;
import org.memvirt.host.ProcessMemory;
import org.memvirt.workload.Op;

/** Native resources: 1,000 VM create/run/destroy cycles leave no fd and no mapping behind. */
@Tag("kvm")
class VmLifecycleTest {
    @Test
    void thousandCyclesLeakNoFdsAndNoMappings() {
        Machines.assumeKvm();
        KvmEngine engine = new KvmEngine();
        var spec = Machines.spec(Machines.pc(8 * MIB, 1), new Op.Touch(64 * 1024, 0));
        engine.run(spec, RunListener.NONE);                            // warm: links, classes, thread-locals
        long fds = openFds(), maps = mappings(), rss = ProcessMemory.self().status().rssAnon() / 1024;
        for (int i = 0; i < 1000; i++) {
            RunResult r = engine.run(spec, RunListener.NONE);
            assertThat(r.ops().getFirst().deltas().get(Counter.USER_EXITS)).isEqualTo(1);
        }
        long rssAfter = ProcessMemory.self().status().rssAnon() / 1024;
        System.out.println("after 1000 cycles: fds " + fds + " -> " + openFds() + ", mappings " + maps + " -> " + mappings()
                + ", RssAnon " + rss + " -> " + rssAfter + " kB");
        assertThat(openFds()).isEqualTo(fds);
        // a mapping leaked per cycle would add 1,000; the JVM's own mappings (code cache, GC regions, thread stacks)
        // move by a few between two reads, so any bound well below 1,000 tells the two apart: 8 either way
        assertThat(mappings()).isBetween(maps - 8, maps + 8);
        // (RssAnon is printed, not asserted: it is dominated by the Java heap growing before a GC)
    }

    @Test
    void failedRunsReleaseEverythingToo() {
        Machines.assumeKvm();
        KvmEngine engine = new KvmEngine();
        var oom = Machines.spec(Machines.pc(4 * MIB, 1), new Op.Touch(4 * MIB, 0));
        try {
            engine.run(oom, RunListener.NONE);
        } catch (GuestFailure expected) {
            // warm-up
        }
        long fds = openFds();
        for (int i = 0; i < 50; i++) {
            try {
                engine.run(oom, RunListener.NONE);
            } catch (GuestFailure expected) {
                assertThat(expected.getMessage()).contains("guest out of memory");
            }
        }
        assertThat(openFds()).isEqualTo(fds);
    }

}
