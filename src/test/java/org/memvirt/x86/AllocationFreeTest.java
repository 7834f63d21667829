package org.memvirt.x86;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.memvirt.AllocationMeter;

/** The translate path (TLB hits, 1D and 2D walks, cache fills and evictions, faults) allocates nothing. */
class AllocationFreeTest {
    @Test
    void translationsAllocateNoHeapMemory() {
        for (AddressSpace.Kind kind : AddressSpace.Kind.values()) {
            AddressSpace as = new AddressSpace(kind, 4, 4, Paging.SHIFT_4K, Paging.SHIFT_4K);
            long base = 0x7f00_0000_0000L;
            as.mapRange(base, 8L << 20);
            Mmu mmu = as.mmu(TlbConfig.goldenCove(), new RefLog());
            WalkResult r = new WalkResult();
            CpuMode mode = as.guestMode();
            run(mmu, mode, r, base);                                   // warm up: class loading, first resolutions
            run(mmu, mode, r, base);
            long[] sum = new long[1];
            long least = AllocationMeter.leastBytes(() -> sum[0] += run(mmu, mode, r, base));
            assertThat(least).as("%s bytes allocated by 20,000 translations (sum %d)", kind, sum[0]).isZero();
        }
    }

    private static long run(Mmu mmu, CpuMode mode, WalkResult r, long base) {
        long sum = 0;
        for (int k = 0; k < 20_000; k++) {
            long gva = base + ((k * 2654435761L) & ((16L << 20) - 1));     // half mapped: walks, hits and #PFs
            mmu.translate(gva, (k & 1) == 0 ? Access.USER : Access.USER | Access.WRITE, mode, r);
            sum += r.pa + r.refs;
            if ((k & 1023) == 0) mmu.invlpg(gva, mode);
        }
        return sum;
    }
}
