package org.memvirt.kvm;

import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;
import static org.memvirt.kvm.Machines.MIB;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.memvirt.engine.Counter;

/**
 * The VMM's userfaultfd swap on plain anonymous guest RAM, no /dev/kvm: the faults come from the kernel copying into or
 * out of guest RAM (pread/pwrite on a memfd), as KVM's get_user_pages faults on a vCPU's behalf. 16 MiB of RAM (4,096
 * pages) under a 4 MiB limit (1,024 pages), of which the first 2 MiB (512 pages, GuestLayout.RUNTIME_END: the guest
 * runtime's) are never evicted; eviction takes the 64 oldest pages at once.
 */
class UffdSwapRegionTest {
    private static final long RAM = 16 * MIB, LIMIT = 4 * MIB, PAGE = 4096;
    private static final int PAGES = (int) (RAM / PAGE);

    private final Arena arena = Arena.ofShared();
    private MemorySegment pattern;
    private GuestRam ram;
    private UffdSwap swap;
    /** -1 until opened: @AfterEach runs after a failed assumption too, and closing fd 0 would close this JVM's stdin. */
    private int source = -1, sink = -1;

    @BeforeEach
    void start() {
        String why = UffdSwap.unavailableReason();
        Assumptions.assumeTrue(why == null, "userfaultfd not usable here: " + why);
        pattern = arena.allocate(RAM, PAGE);
        for (long q = 0; q < RAM / 8; q++) pattern.set(JAVA_LONG, 8 * q, (q >>> 9) << 16 | (q & 511) | 1L << 40);
        source = NativeResources.memfdWith(pattern);
        sink = NativeResources.memfdWith(arena.allocate(RAM));
        ram = GuestRam.map(Machines.ram(RAM));
        swap = UffdSwap.start(ram, LIMIT);
    }

    @AfterEach
    void stop() {
        if (swap != null) swap.close();
        if (ram != null) ram.close();
        Libc.closeQuietly(source);
        Libc.closeQuietly(sink);
        arena.close();
    }

    /** The kernel writes guest pages [first, first + count) from the pattern (a fault on every missing page). */
    private void kernelWrites(long first, long count) {
        long n = Libc.preadAt(source, ram.hostAddress() + first * PAGE, count * PAGE, first * PAGE);
        assertThat(n).isEqualTo(count * PAGE);
    }

    /** The kernel reads guest pages [first, first + count); returns what it read. */
    private MemorySegment kernelReads(long first, long count) {
        Libc.pwriteFully(sink, ram.hostAddress() + first * PAGE, count * PAGE, 0);
        MemorySegment out = arena.allocate(count * PAGE, PAGE);
        assertThat(Libc.preadAt(sink, out.address(), count * PAGE, 0)).isEqualTo(count * PAGE);
        return out;
    }

    private MemorySegment expected(long first, long count) {
        return pattern.asSlice(first * PAGE, count * PAGE);
    }

    @Test
    void firstTouchOfEveryPageZeroFillsAndEvictsDownToTheLimit() {
        kernelWrites(0, PAGES);
        // 4,096 zero-filled faults; from the 1,025th on, every 64th evicts the 64 oldest unpinned pages: 48 batches
        assertThat(swap.counters()).containsExactly(entry(Counter.RESIDENT_LIMIT_PAGES, 1024L), entry(Counter.SWAP_OUT_PAGES, 3072L),
                entry(Counter.SWAP_IN_PAGES, 0L), entry(Counter.SWAP_FILE_PAGES, 3072L), entry(Counter.UFFD_FAULTS, 4096L),
                entry(Counter.UFFD_ZERO_FILLS, 4096L), entry(Counter.UFFD_RESIDENT_PAGES, 1024L));
        assertThat(swap.swappedBytes()).isEqualTo(3072 * PAGE);
        assertThat(swap.failure()).isNull();
    }

    @Test
    void aSwappedPageComesBackWithItsSwappedNeighboursUpToTheFirstResidentOne() {
        kernelWrites(0, PAGES);
        // resident now: pages 0..511 (pinned) and 3584..4095 (the newest); 512..3583 are in the swap file
        assertThat(kernelReads(3580, 1).mismatch(expected(3580, 1))).isEqualTo(-1);
        // read-ahead takes 3580..3583 (4 pages: 3584 is resident); making room evicts the oldest 64, 3584..3647
        assertThat(swap.counters()).containsExactly(entry(Counter.RESIDENT_LIMIT_PAGES, 1024L), entry(Counter.SWAP_OUT_PAGES, 3136L),
                entry(Counter.SWAP_IN_PAGES, 4L), entry(Counter.SWAP_FILE_PAGES, 3132L), entry(Counter.UFFD_FAULTS, 4097L),
                entry(Counter.UFFD_ZERO_FILLS, 4096L), entry(Counter.UFFD_RESIDENT_PAGES, 964L));
        assertThat(kernelReads(3581, 3).mismatch(expected(3581, 3))).isEqualTo(-1);   // no fault: read ahead
        assertThat(swap.counters().get(Counter.UFFD_FAULTS)).isEqualTo(4097);
    }

    @Test
    void everyPageKeepsItsContentThroughSwap() {
        kernelWrites(0, PAGES);
        assertThat(kernelReads(0, PAGES).mismatch(expected(0, PAGES))).isEqualTo(-1);
        // every page was written once and none discarded: each is resident or in the swap file
        assertThat(swap.counters().get(Counter.UFFD_RESIDENT_PAGES) + swap.counters().get(Counter.SWAP_FILE_PAGES)).isEqualTo(PAGES);
        assertThat(swap.counters().get(Counter.UFFD_RESIDENT_PAGES)).isLessThanOrEqualTo(1024);
    }

    @Test
    void aDiscardedPageReadsZeroWhetherItWasSwappedOrResident() {
        kernelWrites(0, PAGES);
        swap.discard(ram, 512 * PAGE, 64 * PAGE);                                 // 64 pages in the swap file
        swap.discard(ram, 4032 * PAGE, 64 * PAGE);                                // 64 resident pages
        assertThat(swap.counters().get(Counter.SWAP_FILE_PAGES)).isEqualTo(3072 - 64);
        assertThat(swap.counters().get(Counter.UFFD_RESIDENT_PAGES)).isEqualTo(1024 - 64);
        MemorySegment zeros = arena.allocate(64 * PAGE);
        assertThat(kernelReads(512, 64).mismatch(zeros)).isEqualTo(-1);
        assertThat(kernelReads(4032, 64).mismatch(zeros)).isEqualTo(-1);
        assertThat(swap.counters().get(Counter.UFFD_ZERO_FILLS)).isEqualTo(4096 + 128);
        assertThat(swap.counters().get(Counter.SWAP_IN_PAGES)).isZero();
    }

    @Test
    void discardedPagesLeaveTheEvictionQueueWhenItFillsUp() {
        kernelWrites(512, 1024);                                          // 1,024 unpinned pages: at the limit, queued
        swap.discard(ram, 512 * PAGE, 1024 * PAGE);                       // none resident; their queue entries stay
        kernelWrites(1536, 1024);                                         // the queue (1,025 slots) fills: compacted
        assertThat(swap.counters().get(Counter.SWAP_OUT_PAGES)).isZero();
        kernelWrites(2560, 1);                                            // over the limit: the oldest 64 live pages go
        assertThat(swap.counters()).containsExactly(entry(Counter.RESIDENT_LIMIT_PAGES, 1024L), entry(Counter.SWAP_OUT_PAGES, 64L),
                entry(Counter.SWAP_IN_PAGES, 0L), entry(Counter.SWAP_FILE_PAGES, 64L), entry(Counter.UFFD_FAULTS, 2049L),
                entry(Counter.UFFD_ZERO_FILLS, 2049L), entry(Counter.UFFD_RESIDENT_PAGES, 961L));
        assertThat(kernelReads(1600, 1).mismatch(expected(1600, 1))).isEqualTo(-1);   // resident: no fault
        assertThat(swap.counters().get(Counter.UFFD_FAULTS)).isEqualTo(2049);
        assertThat(kernelReads(1536, 1).mismatch(expected(1536, 1))).isEqualTo(-1);   // evicted: back with 7 more
        assertThat(swap.counters().get(Counter.SWAP_IN_PAGES)).isEqualTo(8);
        assertThat(swap.counters().get(Counter.SWAP_FILE_PAGES)).isEqualTo(56);
    }

    @Test
    void closeUnregistersGuestRamAndReleasesItsFds() {
        swap.close();
        long fds = NativeResources.openFds();
        UffdSwap again = UffdSwap.start(ram, LIMIT);
        assertThat(NativeResources.openFds()).isEqualTo(fds + 2);                  // the userfaultfd and the swap file
        again.close();
        swap = null;
        assertThat(NativeResources.openFds()).isEqualTo(fds);
        // a fault from this (Java) thread now is an ordinary one: no handler needed
        Assertions.assertTimeoutPreemptively(Duration.ofSeconds(10), () -> ram.writeLong(5 * MIB, 77));
        assertThat(ram.readLong(5 * MIB)).isEqualTo(77);
    }

    @Test
    void aLimitBelowTwiceTheRuntimeIsRefused() {
        assertThatThrownBy(() -> UffdSwap.start(ram, 4 * MIB - PAGE)).isInstanceOf(KvmException.class)
                .hasMessage("the resident limit must be at least 4 MiB");
    }
}
