package org.memvirt.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.memvirt.sim.SimFixtures.MIB;
import static org.memvirt.sim.SimFixtures.op;
import static org.memvirt.sim.SimFixtures.run;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.memvirt.config.RamRegion;
import org.memvirt.engine.Counter;
import org.memvirt.engine.RunResult;
import org.memvirt.host.MmuMode;
import org.memvirt.workload.Op;

/** {@code pages 2M}: guest 2 MiB pages over 4 KiB host backing, under shadow paging and EPT/NPT. */
class LargePagesTest {
    private static final Op LARGE = new Op.PageSize(Op.PageSize.SHIFT_2M);
    private static final long DATA_PAGES = 64 * MIB / 4096;        // 16384 4 KiB frames in 64 MiB
    private static final long LARGE_PAGES = 64 * MIB / (2 * MIB);  // 32 guest 2 MiB pages

    @ParameterizedTest
    @EnumSource(MmuMode.class)
    void aTouchOf64MibMapsThirtyTwoLargePagesAndNoPageTables(MmuMode mode) {
        RunResult r = run(mode, true, LARGE, new Op.Touch(64 * MIB, 0), new Op.Verify());
        assertThat(op(r, 1, Counter.GUEST_PT_PAGES)).isEqualTo(2);                       // PDPT + PD, no PT
        assertThat(op(r, 1, Counter.GUEST_PTE_WRITES)).isEqualTo(2 + LARGE_PAGES);       // PML4E, PDPTE, 32 PDEs
        assertThat(op(r, 1, Counter.GUEST_FRAMES)).isEqualTo(2 + DATA_PAGES);
        assertThat(op(r, 1, Counter.HOST_PAGES_ZEROED)).isEqualTo(2 + DATA_PAGES);
        // one fixed fault per 4 KiB spte/EPT leaf (the host backs with 4 KiB pages), plus read + write of each new table
        assertThat(op(r, 1, Counter.PF_FIXED)).isEqualTo(DATA_PAGES + 2 * 2);
        assertThat(op(r, 1, Counter.PAGES_2M)).isZero();
        assertThat(op(r, 2, Counter.VERIFY_PAGES)).isEqualTo(DATA_PAGES);
        assertThat(op(r, 2, Counter.VERIFY_MISMATCHES)).isZero();
    }

    @Test
    void shadowUsesOneDirectShadowPagePerGuestLargePage() {
        RunResult r = run(MmuMode.SHADOW, true, LARGE, new Op.Touch(64 * MIB, 0));
        // the PDPT's and PD's indirect shadow pages, then 32 direct ones (role.direct, 4 KiB sptes)
        assertThat(op(r, 1, Counter.MMU_CACHE_MISS)).isEqualTo(2 + LARGE_PAGES);
        assertThat(op(r, 1, Counter.SHADOW_PAGES)).isEqualTo(2 + LARGE_PAGES);
        assertThat(op(r, 1, Counter.PAGES_4K)).isEqualTo(DATA_PAGES);
        assertThat(op(r, 1, Counter.MMU_UNSYNC)).isZero();
    }

    @Test
    void shadowDemandPagingTakesOneGuestFaultPerLargePage() {
        RunResult r = run(MmuMode.SHADOW, true, new Op.Demand(true), LARGE, new Op.Touch(64 * MIB, 0), new Op.Verify());
        assertThat(op(r, 2, Counter.PF_GUEST)).isEqualTo(LARGE_PAGES);
        assertThat(op(r, 2, Counter.GUEST_PAGE_FAULTS)).isEqualTo(LARGE_PAGES);
        assertThat(op(r, 2, Counter.PF_FIXED)).isEqualTo(DATA_PAGES + 2 * 2);
        assertThat(op(r, 2, Counter.MMU_CACHE_MISS)).isEqualTo(2 + LARGE_PAGES);
        // each #PF handler's PDE store hits the shadowed (write-protected) PD: emulated
        assertThat(op(r, 2, Counter.PF_EMULATE)).isEqualTo(LARGE_PAGES);
        assertThat(op(r, 3, Counter.VERIFY_MISMATCHES)).isZero();
    }

    @ParameterizedTest
    @EnumSource(value = MmuMode.class, names = {"EPT", "NPT"})
    void tdpWalksThreeGuestLevelsOfNineteenReferences(MmuMode mode) {
        RunResult r = run(mode, true, LARGE, new Op.Touch(64 * MIB, 0), new Op.Read(64 * MIB, 0));
        // touch: every access misses the TLB, its walk ends in an EPT violation, and the retried walk succeeds
        assertThat(op(r, 1, Counter.WALKS)).isEqualTo(2 * DATA_PAGES);
        assertThat(op(r, 1, Counter.WALK_REFS)).isEqualTo(2 * DATA_PAGES * 19);         // 3 × (4 + 1) + 4
        assertThat(op(r, 1, Counter.NATIVE_WALK_REFS)).isEqualTo(2 * DATA_PAGES * 3);
        assertThat(op(r, 1, Counter.PAGES_4K)).isEqualTo(DATA_PAGES + 2);              // EPT leaves: data + 2 tables
        assertThat(op(r, 1, Counter.PF_GUEST)).isZero();
        // read: the 4 KiB TLB entries of the touch are gone (a 64 MiB touch overflows the STLB); one 19-ref walk each
        assertThat(op(r, 2, Counter.WALKS)).isEqualTo(DATA_PAGES);
        assertThat(op(r, 2, Counter.WALK_REFS)).isEqualTo(DATA_PAGES * 19);
        assertThat(op(r, 2, Counter.PWC_HITS)).isZero();
        assertThat(op(r, 2, Counter.EXITS)).isZero();
    }

    @ParameterizedTest
    @EnumSource(MmuMode.class)
    void unmapAndRemapTakeWholeLargePagesWithOneInvlpgEach(MmuMode mode) {
        RunResult r = run(mode, true, LARGE, new Op.Touch(8 * MIB, 0), new Op.Unmap(4 * MIB, 2 * MIB),
                new Op.Remap(4 * MIB, 2 * MIB), new Op.Read(8 * MIB, 0), new Op.Verify());
        assertThat(op(r, 2, Counter.GUEST_INVLPG)).isEqualTo(2);
        assertThat(op(r, 2, Counter.GUEST_PTE_WRITES)).isEqualTo(2);
        assertThat(op(r, 3, Counter.GUEST_PTE_WRITES)).isEqualTo(2);
        assertThat(op(r, 3, Counter.GUEST_INVLPG)).isZero();
        assertThat(op(r, 4, Counter.GUEST_PAGE_FAULTS)).isZero();
        assertThat(op(r, 4, Counter.GUEST_FRAMES)).isZero();
        assertThat(op(r, 5, Counter.VERIFY_PAGES)).isEqualTo(8 * MIB / 4096);
        assertThat(op(r, 5, Counter.VERIFY_MISMATCHES)).isZero();
        if (mode == MmuMode.SHADOW) assertThat(op(r, 2, Counter.INVLPG)).isEqualTo(2);
    }

    @Test
    void unmapOfPartOfALargePageIsRefused() {
        assertThatThrownBy(() -> run(MmuMode.EPT, true, LARGE, new Op.Touch(4 * MIB, 0), new Op.Unmap(MIB, MIB)))
                .isInstanceOf(SimException.class)
                .hasMessage("unmap: the range covers part of the 2 MiB guest page at offset 0x0; unmap, remap and free whole 2 MiB pages");
    }

    @ParameterizedTest
    @EnumSource(MmuMode.class)
    void backTo4KibPagesKeepsLargePagesAndMapsNewOnesWithPageTables(MmuMode mode) {
        RunResult r = run(mode, true, LARGE, new Op.Touch(2 * MIB, 0), new Op.PageSize(Op.PageSize.SHIFT_4K),
                new Op.Touch(4 * MIB, 0), new Op.Verify());
        assertThat(op(r, 3, Counter.GUEST_PT_PAGES)).isEqualTo(1);                       // one PT for the second 2 MiB
        assertThat(op(r, 3, Counter.GUEST_FRAMES)).isEqualTo(1 + 512);
        assertThat(op(r, 4, Counter.VERIFY_MISMATCHES)).isZero();
    }

    @Test
    void theFrameAllocatorSkipsToTheNext2MibBoundaryAndKeepsTheSkippedFrames() {
        FrameAllocator frames = new FrameAllocator(List.of(new RamRegion("ram-below-4g", 0, 16 * MIB, 0)));
        assertThat(frames.allocate()).isEqualTo(512);                              // above the runtime's 2 MiB
        assertThat(frames.allocateLarge()).isEqualTo(1024);                        // 513..1023 go on the free list
        assertThat(frames.allocate()).isEqualTo(513);
        assertThat(frames.allocate()).isEqualTo(514);
        assertThat(frames.allocateLarge()).isEqualTo(1536);
    }

    @Test
    void aLargeRunNeverCrossesARamRegionEnd() {
        FrameAllocator frames = new FrameAllocator(List.of(new RamRegion("ram-below-4g", 0, 5 * MIB, 0),
                new RamRegion("ram-above-4g", 1L << 32, 4 * MIB, 5 * MIB)));
        assertThat(frames.allocateLarge()).isEqualTo(512);
        assertThat(frames.allocateLarge()).isEqualTo((1L << 32) >>> 12);           // 1024..1279 is only 1 MiB
        assertThat(frames.allocate()).isEqualTo(1024);
    }
}
