package org.memvirt.kvm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.memvirt.kvm.Machines.MIB;

import java.time.Duration;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.memvirt.config.QemuArgs;
import org.memvirt.engine.Counter;
import org.memvirt.engine.RunListener;
import org.memvirt.engine.RunResult;
import org.memvirt.engine.RunSpec;
import org.memvirt.host.MmuMode;
import org.memvirt.workload.WorkloadParser;

/** The guest's balloon on /dev/kvm: host RSS drops by what the balloon takes, deflated pages come back as zeros. */
@Tag("kvm")
class BalloonTest {
    @BeforeEach
    void needsKvm() {
        Machines.assumeKvm();
    }

    private static RunResult run(String ram, String workload) {
        return new KvmEngine().run(new RunSpec(QemuArgs.parse(java.util.List.of("-m", ram)),
                WorkloadParser.parseShorthand(workload), MmuMode.SHADOW, false, "zen5", Duration.ofMinutes(2), 1),
                RunListener.NONE);
    }

    @Test
    void inflatingFreeFramesTakesNeverUsedFramesAndCostsNothing() {
        RunResult r = run("1G", "touch 64M; balloon inflate 256M; verify");
        assertThat(r.counters().get(Counter.BALLOON_ACTUAL_PAGES)).isEqualTo(65_536);
        assertThat(r.counters().get(Counter.BALLOON_INFLATED_PAGES)).isEqualTo(65_536);
        assertThat(r.counters().get(Counter.BALLOON_RECLAIMED_PAGES)).isZero();
        assertThat(r.counters().get(Counter.BALLOON_BATCHES)).isEqualTo(256);
        // 42 register accesses to bring the device up (3 queues), 1 read of num_pages, per batch a notify and an
        // actual write, the final actual write after the loop, and the stats queue's notify
        assertThat(r.counters().get(Counter.BALLOON_MMIO_EXITS)).isEqualTo(42 + 1 + 2 * 256 + 1 + 1);
        // virtio stats after the op: MemTotal shrank by the balloon (no DEFLATE_ON_OOM); free = RAM - runtime - page stack (1 MiB) - used
        assertThat(r.counters().get(Counter.BALLOON_STAT_TOTAL_MEMORY)).isEqualTo((1024 - 256) * MIB);
        assertThat(r.counters().get(Counter.BALLOON_STAT_FREE_MEMORY))
                .isEqualTo(1024 * MIB - 2 * MIB - MIB - r.counters().get(Counter.GUEST_FRAMES) * 4096 - 256 * MIB);
        assertThat(r.counters().get(Counter.BALLOON_STAT_AVAILABLE_MEMORY)).isEqualTo(r.counters().get(Counter.BALLOON_STAT_FREE_MEMORY));
        assertThat(r.memory().balloonedBytes()).isEqualTo(256 * MIB);
        assertThat(r.counters().get(Counter.VERIFY_MISMATCHES)).isZero();
    }

    @Test
    void inflatingAfterTouchingAlmostAllRamGivesTheHostBackWhatTheBalloonTook() {
        // -m 516M: runtime 2 MiB + page stack 516 KiB + 512 MiB data + 259 table pages leaves 125 free frames
        long before = run("516M", "touch 512M").memory().residentBytes();
        RunResult r = run("516M", "touch 512M; balloon inflate 256M");
        long after = r.memory().residentBytes();
        long reclaimed = r.counters().get(Counter.BALLOON_RECLAIMED_PAGES);
        System.out.printf("balloon: RSS %d -> %d bytes (drop %d = %.2f MiB), actual %d, reclaimed %d, batches %d, "
                        + "inflate %d ms, user_exits %d%n", before, after, before - after, (before - after) / (double) MIB,
                r.counters().get(Counter.BALLOON_ACTUAL_PAGES), reclaimed, r.counters().get(Counter.BALLOON_BATCHES),
                r.ops().get(1).nanos() / 1_000_000, r.ops().get(1).deltas().get(Counter.USER_EXITS));
        assertThat(r.counters().get(Counter.BALLOON_ACTUAL_PAGES)).isEqualTo(65_536);
        assertThat(reclaimed).isEqualTo(65_536 - 125);
        // the host drops exactly the reclaimed pages; the inflate itself can make resident only pages of the runtime
        // area (below RUNTIME_END, 2 MiB) and the page-stack entries of the inflated frames (65,536 x 4 bytes =
        // 256 KiB); the frames the balloon takes are never written
        assertThat(before - after).isBetween(reclaimed * 4096 - 2 * MIB - 256 * 1024, reclaimed * 4096);
    }

    @Test
    void deflatedFramesAreReusedLastInFirstOutAndReadZero() {
        RunResult r = run("516M", "touch 512M; balloon inflate 256M; balloon deflate 256M; read 256M at 256M; verify");
        assertThat(r.counters().get(Counter.BALLOON_ACTUAL_PAGES)).isZero();
        assertThat(r.counters().get(Counter.BALLOON_DEFLATED_PAGES)).isEqualTo(65_536);
        assertThat(r.counters().get(Counter.VERIFY_PAGES)).isEqualTo(131_072);
        assertThat(r.counters().get(Counter.VERIFY_MISMATCHES)).isZero();
        RunResult t = run("516M", "touch 512M; balloon to 256M; balloon to 0; touch 256M at 256M; verify");
        System.out.println("balloon stats after 'balloon to 0': free " + t.counters().get(Counter.BALLOON_STAT_FREE_MEMORY)
                + ", total " + t.counters().get(Counter.BALLOON_STAT_TOTAL_MEMORY));
        assertThat(t.counters().get(Counter.BALLOON_STAT_TOTAL_MEMORY)).isEqualTo(516 * MIB);
        assertThat(t.counters().get(Counter.VERIFY_MISMATCHES)).isZero();
        assertThat(t.counters().get(Counter.BALLOON_INFLATED_PAGES)).isEqualTo(65_536);
        assertThat(t.memory().residentBytes()).isGreaterThan(512 * MIB);
    }

    @Test
    void aBalloonLargerThanTheGuestCanGiveStopsShort() {
        RunResult r = run("64M", "touch 16M; balloon inflate 63M");
        System.out.println("out of puff: num_pages " + r.counters().get(Counter.BALLOON_NUM_PAGES) + ", actual "
                + r.counters().get(Counter.BALLOON_ACTUAL_PAGES));
        assertThat(r.counters().get(Counter.BALLOON_NUM_PAGES)).isEqualTo(63 * 256);
        assertThat(r.counters().get(Counter.BALLOON_ACTUAL_PAGES)).isLessThan(63 * 256);
    }
}
