package org.memvirt.sim;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.memvirt.AllocationMeter;

/**
 * The shadow MMU's fault path (shadow-page hash lookups, guest walk, host fault, leaf install with a second spte per
 * frame in the rmap chain, prefetch, mmu_notifier invalidation) allocates nothing once its shadow pages exist,
 * measured as x86.AllocationFreeTest measures the translate path.
 */
class ShadowFaultAllocationTest {
    private static final int ROUNDS = 50;

    @Test
    void faultsAndInvalidationsAllocateNoHeapMemory() {
        ShadowFaultLoop loop = new ShadowFaultLoop();
        for (int i = 0; i < 200; i++) loop.getAsLong();                  // warm up: class loading, pool growth, JIT
        long faults = loop.pfFixed();
        long[] sum = new long[1];
        long least = AllocationMeter.leastBytes(() -> {
            for (int i = 0; i < ROUNDS; i++) sum[0] += loop.getAsLong();
        });
        faults = loop.pfFixed() - faults;
        loop.checkInvariants();
        // each round faults at least one address in 8 (prefetch maps at most the other 7 of an aligned group of 8)
        assertThat(faults).as("faults fixed while measuring").isGreaterThanOrEqualTo(ROUNDS * 2L * ShadowFaultLoop.PAGES / 8);
        assertThat(least).as("bytes allocated by %d rounds of %d faults and %d invalidations (sum %d)", ROUNDS,
                2 * ShadowFaultLoop.PAGES, ShadowFaultLoop.PAGES, sum[0]).isZero();
    }
}
