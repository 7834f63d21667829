package org.memvirt.kvm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;
import static org.memvirt.kvm.StatsFile.*;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.memvirt.engine.Counters;

/**
 * {@link StatsCollector} over one VM and two vCPUs whose stats files (as KVM_GET_STATS_FD lays them out) change
 * between two snapshots: cumulative statistics give their change, instant and peak ones their change or their end
 * value, vCPU statistics are summed, and KVM's common names come first.
 */
class StatsCollectorTest {
    private final Arena arena = Arena.ofShared();
    private final long[] userExits = new long[2];
    private StatsFile vmFile, cpu0File, cpu1File;
    private int vmFd, cpu0Fd, cpu1Fd;
    private StatsReader vm, cpu0, cpu1;
    private StatsCollector collector;

    private static long[] hist(long... firstBuckets) {
        long[] h = new long[32];
        System.arraycopy(firstBuckets, 0, h, 0, firstBuckets.length);
        return h;
    }

    private static StatsFile vcpu(long exits, long pfFixed, long[] haltWait, long guestMode) {
        return new StatsFile("kvm-1/vcpu", KVM_STATS_NAME_SIZE)
                .stat("halt_wait_hist", LOG_HIST, SECONDS, POW10, -9, 0x100, 0, haltWait)
                .stat("guest_mode", INSTANT, BOOLEAN, POW10, 0, 0x08, 0, guestMode)
                .stat("pf_fixed", CUMULATIVE, NONE, POW10, 0, 0x20, 0, pfFixed)
                .stat("exits", CUMULATIVE, NONE, POW10, 0, 0x00, 0, exits);
    }

    @BeforeEach
    void firstMoment() {
        vmFile = new StatsFile("kvm-1", KVM_STATS_NAME_SIZE)
                .stat("remote_tlb_flush", CUMULATIVE, NONE, POW10, 0, 0x00, 0, 5)
                .stat("max_mmu_page_hash_collisions", PEAK, NONE, POW10, 0, 0x18, 0, 3)
                .stat("pages_4k", INSTANT, NONE, POW10, 0, 0x08, 0, 100)
                .stat("nx_lpage_splits", CUMULATIVE, NONE, POW10, 0, 0x10, 0, 0);
        cpu0File = vcpu(10, 1, hist(1), 1);
        cpu1File = vcpu(0, 0, hist(), 0);
        vmFd = NativeResources.memfdWith(vmFile.kernelLayout(arena));
        vm = new StatsReader(vmFd);
        cpu0Fd = NativeResources.memfdWith(cpu0File.kernelLayout(arena));
        cpu0 = new StatsReader(cpu0Fd);
        cpu1Fd = NativeResources.memfdWith(cpu1File.kernelLayout(arena));
        cpu1 = new StatsReader(cpu1Fd);
        userExits[0] = 3;
        collector = new StatsCollector(vm, new StatsReader[] {cpu0, cpu1}, cpu -> userExits[cpu]);
    }

    @AfterEach
    void release() {
        cpu1.close();
        cpu0.close();
        vm.close();
        arena.close();
    }

    private static void rewrite(int fd, MemorySegment file) {
        Libc.pwriteFully(fd, file.address(), file.byteSize(), 0);
    }

    /** The second moment: every statistic of the first has moved. */
    private StatsCollector.Snapshot[] twoMoments() {
        StatsCollector.Snapshot a = collector.take();
        rewrite(vmFd, vmFile.values("remote_tlb_flush", 12).values("max_mmu_page_hash_collisions", 4)
                .values("pages_4k", 80).values("nx_lpage_splits", 2).kernelLayout(arena));
        rewrite(cpu0Fd, vcpu(30, 6, hist(1, 2, 1), 0).kernelLayout(arena));
        rewrite(cpu1Fd, vcpu(7, 2, hist(0, 0, 0, 2), 1).kernelLayout(arena));
        userExits[0] = 13;
        userExits[1] = 5;
        return new StatsCollector.Snapshot[] {a, collector.take()};
    }

    @Test
    void deltaGivesEveryStatisticsChangeCommonNamesFirst() {
        StatsCollector.Snapshot[] s = twoMoments();
        Counters d = collector.delta(s[0], s[1]);
        assertThat(d.values()).containsExactly(entry("exits", 27L), entry("pf_fixed", 7L), entry("pages_4k", -20L),
                entry("remote_tlb_flush", 7L), entry("max_mmu_page_hash_collisions", 1L), entry("nx_lpage_splits", 2L),
                entry("halt_wait_hist", 5L), entry("guest_mode", 0L), entry("user_exits", 15L));
    }

    @Test
    void totalsGiveInstantAndPeakStatisticsAtTheirEndValue() {
        StatsCollector.Snapshot[] s = twoMoments();
        Counters t = collector.totals(s[0], s[1]);
        assertThat(t.values()).containsExactly(entry("exits", 27L), entry("pf_fixed", 7L), entry("pages_4k", 80L),
                entry("remote_tlb_flush", 7L), entry("max_mmu_page_hash_collisions", 4L), entry("nx_lpage_splits", 2L),
                entry("halt_wait_hist", 5L), entry("guest_mode", 1L), entry("user_exits", 15L));
    }

    @Test
    void oneVcpusTotalsAreItsOwn() {
        StatsCollector.Snapshot[] s = twoMoments();
        assertThat(collector.vcpuTotals(1, s[0], s[1]).values()).containsExactly(entry("exits", 7L),
                entry("pf_fixed", 2L), entry("halt_wait_hist", 2L), entry("guest_mode", 1L), entry("user_exits", 5L));
        assertThat(collector.vcpuTotals(0, s[0], s[1]).values()).containsExactly(entry("exits", 20L),
                entry("pf_fixed", 5L), entry("halt_wait_hist", 3L), entry("guest_mode", 0L), entry("user_exits", 10L));
    }

    @Test
    void aSnapshotHoldsKvmsRawValuesInDescriptorOrder() {
        StatsCollector.Snapshot a = collector.take();
        assertThat(a.vm()).containsExactly(5, 3, 100, 0);
        assertThat(a.vcpus()[0]).containsExactly(1, 1, 1, 10);
        assertThat(a.vcpus()[1]).containsExactly(0, 0, 0, 0);
        assertThat(a.userExits()).containsExactly(3, 0);
    }
}
