package org.memvirt.kvm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.memvirt.kvm.StatsFile.*;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import org.junit.jupiter.api.Test;

/**
 * {@link StatsReader} against stats files laid out as linux Documentation/virt/kvm/api.rst (KVM_GET_STATS_FD)
 * describes them, written to a memfd: no /dev/kvm needed.
 */
class StatsReaderTest {
    private static final int LOG_BUCKETS = 32;   // linux include/linux/kvm_host.h HALT_POLL_HIST_COUNT

    /** vCPU statistics as x86 KVM describes them: every type, four units, both bases, offsets out of order with gaps. */
    private static StatsFile vcpuStats() {
        long[] waitHist = new long[LOG_BUCKETS];
        waitHist[0] = 3;
        waitHist[10] = 40;
        waitHist[31] = 500;
        return new StatsFile("kvm-4242/vcpu-0", KVM_STATS_NAME_SIZE)
                .stat("halt_successful_poll", CUMULATIVE, NONE, POW10, 0, 0x08, 0, 17)
                .stat("pf_fixed", CUMULATIVE, NONE, POW10, 0, 0x1F0, 0, 123_456_789_012L)
                .stat("halt_poll_success_ns", CUMULATIVE, SECONDS, POW10, -9, 0x20, 0, 9_000_000_000L)
                .stat("halt_wait_hist", LOG_HIST, SECONDS, POW10, -9, 0x300, 0, waitHist)
                .stat("guest_mode", INSTANT, BOOLEAN, POW10, 0, 0x00, 0, 1)
                .stat("blocking", PEAK, NONE, POW10, 0, 0x10, 0, 4)
                .stat("page_bytes_hist", LINEAR_HIST, BYTES, POW2, 10, 0x200, 4096, 1, 2, 3, 4)
                .stat("tsc_cycles", CUMULATIVE, CYCLES, POW10, 0, 0x40, 0, -2L);   // a u64 past Long.MAX_VALUE
    }

    private static StatsReader open(MemorySegment file) {
        return new StatsReader(NativeResources.memfdWith(file));
    }

    @Test
    void readsTheKernelLayoutByNameTypeAndOffset() {
        try (Arena arena = Arena.ofConfined(); StatsReader r = open(vcpuStats().kernelLayout(arena))) {
            assertThat(r.names()).containsExactly("halt_successful_poll", "pf_fixed", "halt_poll_success_ns",
                    "halt_wait_hist", "guest_mode", "blocking", "page_bytes_hist", "tsc_cycles");
            assertThat(r.count()).isEqualTo(8);
            int[] types = new int[r.count()];
            for (int i = 0; i < types.length; i++) types[i] = r.type(i);
            assertThat(types).containsExactly(CUMULATIVE, CUMULATIVE, CUMULATIVE, LOG_HIST, INSTANT, PEAK, LINEAR_HIST,
                    CUMULATIVE);
            long[] v = new long[r.count()];
            r.read(v);
            // raw values whatever the unit and scale (memvirt reports KVM's numbers under KVM's names); a histogram is
            // the sum of its buckets
            assertThat(v).containsExactly(17, 123_456_789_012L, 9_000_000_000L, 543, 1, 4, 10, -2L);
        }
    }

    @Test
    void namesOfEveryLengthUpToNameSizeLessOneAreCutAtTheirNul() {
        StatsFile f = new StatsFile("kvm-1", 16)
                .stat("abcdefghijklmno", CUMULATIVE, NONE, POW10, 0, 0, 0, 1)   // 15 characters and the NUL
                .stat("x", INSTANT, NONE, POW10, 0, 8, 0, 2);                  // 1 character and 15 NULs
        try (Arena arena = Arena.ofConfined(); StatsReader r = open(f.kernelLayout(arena))) {
            assertThat(r.names()).containsExactly("abcdefghijklmno", "x");
            long[] v = new long[2];
            r.read(v);
            assertThat(v).containsExactly(1, 2);
        }
    }

    @Test
    void blocksMayComeInAnyOrderAtAnyMultipleOfEight() {
        // data block first, then a gap, the descriptors, another gap and the id string last
        StatsFile f = new StatsFile("kvm-7", 24)
                .stat("remote_tlb_flush", CUMULATIVE, NONE, POW10, 0, 0x10, 0, 11)
                .stat("pages_4k", INSTANT, NONE, POW10, 0, 0x00, 0, 22);
        try (Arena arena = Arena.ofConfined(); StatsReader r = open(f.layout(arena, 0x400, 0x100, 0x40))) {
            assertThat(r.names()).containsExactly("remote_tlb_flush", "pages_4k");
            long[] v = new long[2];
            r.read(v);
            assertThat(v).containsExactly(11, 22);
        }
    }

    @Test
    void everyReadSeesTheValuesOfThatMoment() {
        StatsFile f = vcpuStats();
        try (Arena arena = Arena.ofConfined()) {
            int fd = NativeResources.memfdWith(f.kernelLayout(arena));
            try (StatsReader r = new StatsReader(fd)) {
                long[] v = new long[r.count()];
                r.read(v);
                assertThat(v[1]).isEqualTo(123_456_789_012L);
                MemorySegment later = f.values("pf_fixed", 123_456_789_099L).values("page_bytes_hist", 0, 0, 0, 7)
                        .kernelLayout(arena);
                Libc.pwriteFully(fd, later.address(), later.byteSize(), 0);   // as KVM updates its counters
                r.read(v);
                assertThat(v).containsExactly(17, 123_456_789_099L, 9_000_000_000L, 543, 1, 4, 7, -2L);
            }
        }
    }

    @Test
    void aFileWithoutDescriptorsHasNoStatistics() {
        try (Arena arena = Arena.ofConfined(); StatsReader r = open(new StatsFile("kvm-0", 48).kernelLayout(arena))) {
            assertThat(r.count()).isZero();
            assertThat(r.names()).isEmpty();
            r.read(new long[0]);
        }
    }

    @Test
    void closeReleasesTheFdOnceAndOnlyOnce() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment file = vcpuStats().kernelLayout(arena);
            open(file).close();                                          // warm: links the downcalls
            long fds = NativeResources.openFds();
            for (int i = 0; i < 100; i++) {
                StatsReader r = open(file);
                r.close();
                r.close();
            }
            assertThat(NativeResources.openFds()).isEqualTo(fds);
        }
    }

    @Test
    void anFdThatCannotBeReadIsAOneLineError() {
        assertThatThrownBy(() -> new StatsReader(-1)).isInstanceOf(KvmException.class).hasMessage("pread failed: EBADF (9)");
    }
}
