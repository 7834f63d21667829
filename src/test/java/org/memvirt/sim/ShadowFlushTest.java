package org.memvirt.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.memvirt.sim.SimFixtures.MIB;
import static org.memvirt.sim.SimFixtures.machine;
import static org.memvirt.sim.SimFixtures.on;
import static org.memvirt.sim.SimFixtures.op;
import static org.memvirt.sim.SimFixtures.runPinned;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.memvirt.engine.Counter;
import org.memvirt.engine.RunResult;
import org.memvirt.host.MmuMode;
import org.memvirt.workload.Op;

/**
 * The flushes of every vCPU's TLB that KVM's shadow MMU makes (kvm_flush_remote_tlbs), each shown by a second vCPU
 * that cached a translation before another vCPU's action changed the shadow table under it. The guest sends no
 * shootdown (docs/guest-model.md), so only KVM's flush takes the entry out of vCPU 1's TLB: with it vCPU 1 walks
 * again and sees the guest's change (a #PF for an unmapped page, with {@code demand on}); without it vCPU 1 keeps
 * using the old translation. Under EPT the same guest keeps the stale entry, which the architecture allows (SDM Vol 3A
 * §4.10.4: software must invalidate); the tests show that difference too, so they check the flush and not the guest.
 */
class ShadowFlushTest {
    private static final long PAGE = 4096;

    /**
     * vCPU 0 unmaps a page whose leaf table is unsync: its INVLPG resyncs the present spte, and KVM flushes every
     * vCPU's TLB (mmu.c __kvm_mmu_invalidate_addr: kvm_flush_remote_tlbs_sptep when kvm_sync_spte changed the spte).
     */
    @Test
    void anInvlpgThatResyncsAPresentSpteFlushesEveryVcpu() {
        for (MmuMode mode : List.of(MmuMode.SHADOW, MmuMode.EPT)) {
            RunResult r = runPinned(machine(64 * MIB, 2), mode,
                    on(0, new Op.Touch(2 * PAGE, 0)),                  // 0: the leaf table's PTE writes unsync it
                    on(1, new Op.Read(PAGE, 0)),                       // 1: vCPU 1 caches page 0
                    on(0, new Op.Unmap(PAGE, 0)),                      // 2: clear P, INVLPG on vCPU 0
                    on(0, new Op.Demand(true)),
                    on(1, new Op.Read(PAGE, 0)));                      // 4: vCPU 1 reads page 0 again
            if (mode == MmuMode.SHADOW) {
                assertThat(op(r, 2, Counter.REMOTE_TLB_FLUSH)).isEqualTo(1);
                assertThat(op(r, 4, Counter.GUEST_PAGE_FAULTS)).as("shadow").isEqualTo(1);
            } else {
                assertThat(op(r, 4, Counter.GUEST_PAGE_FAULTS)).as("ept").isZero();
            }
        }
    }

    /** With one vCPU the same flush empties its own TLB: every page of the working set misses after each INVLPG. */
    @Test
    void anInvlpgThatResyncsAPresentSpteFlushesTheWholeTlbOfItsOwnVcpu() {
        Op[] w = {new Op.Touch(256 * 1024, 0),
            new Op.Repeat(10, List.of(new Op.Read(256 * 1024, 0), new Op.Unmap(4096, 0), new Op.Remap(4096, 0)))};
        RunResult r = SimFixtures.run(machine(256 * MIB, 1), MmuMode.SHADOW, true, w);
        assertThat(op(r, 1, Counter.INVLPG)).isEqualTo(10);
        assertThat(op(r, 1, Counter.REMOTE_TLB_FLUSH)).isEqualTo(10);
        assertThat(op(r, 1, Counter.TLB_FLUSH)).isEqualTo(10);
        // the first round's reads hit (cached by the touch); rounds 2..10 miss all 64 pages
        assertThat(op(r, 1, Counter.STLB_MISSES)).isEqualTo(9 * 64);
    }

    /**
     * vCPU 0 unmaps a guest 2 MiB page: it clears P in a PDE, a write to a table shadowed above 4 KiB, which KVM
     * write-protects and emulates (mmu.c kvm_mmu_track_write: the written spte is zapped, then
     * kvm_mmu_remote_flush_or_zap flushes every vCPU). Its INVLPG then finds no spte to resync.
     */
    @Test
    void aTrappedPageTableWriteFlushesEveryVcpu() {
        for (MmuMode mode : List.of(MmuMode.SHADOW, MmuMode.EPT)) {
            RunResult r = runPinned(machine(64 * MIB, 2), mode,
                    on(0, new Op.PageSize(Op.PageSize.SHIFT_2M)),
                    on(0, new Op.Touch(2 * MIB, 0)),                   // 1: one 2 MiB page
                    on(1, new Op.Read(PAGE, 0)),                       // 2: vCPU 1 caches its first 4 KiB
                    on(0, new Op.Unmap(2 * MIB, 0)),                   // 3: clear P in the PDE, INVLPG on vCPU 0
                    on(0, new Op.Demand(true)),
                    on(1, new Op.Read(PAGE, 0)));                      // 5: vCPU 1 reads it again
            if (mode == MmuMode.SHADOW) {
                assertThat(op(r, 3, Counter.MMU_PTE_WRITE)).isEqualTo(1);
                assertThat(op(r, 3, Counter.REMOTE_TLB_FLUSH)).isEqualTo(1);
                assertThat(op(r, 5, Counter.GUEST_PAGE_FAULTS)).as("shadow").isEqualTo(1);
            } else {
                assertThat(op(r, 5, Counter.GUEST_PAGE_FAULTS)).as("ept").isZero();
            }
        }
    }

    /**
     * Recycling: when fewer than 5 of the VM's shadow pages are left, a fault zaps the oldest ones that are no root
     * and flushes every vCPU (mmu.c make_mmu_pages_available -> kvm_mmu_zap_oldest_mmu_pages ->
     * kvm_mmu_commit_zap_page). Here the oldest are process 0's region tables, the chain that maps page 0 on vCPU 1.
     * After the zap, KVM no longer shadows (nor resyncs) that chain, so vCPU 0's later INVLPG of page 0 finds
     * nothing to resync and flushes nothing: only the recycling flush took page 0 out of vCPU 1's TLB.
     *
     * <p>8 MiB of RAM allows 64 shadow pages (20 per 1000 guest pages, at least 64). Process 0's root, its region's
     * PDPT, PD and PT and the roots of 56 more processes make 60: 4 free, below 5, so the next fault recycles 21.
     */
    @Test
    void recyclingShadowPagesFlushesEveryVcpu() {
        RunResult r = runPinned(machine(8 * MIB, 2), MmuMode.SHADOW,
                on(0, new Op.Touch(PAGE, 0)),                          // 0: process 0's region tables
                on(0, new Op.Touch(PAGE, 8 * PAGE)),                   // 1: page 8, in the same leaf table
                on(0, new Op.Unmap(PAGE, 8 * PAGE)),                   // 2: page 8's spte goes (the table unsyncs)
                on(0, new Op.Remap(PAGE, 8 * PAGE)),                   // 3: present again, no spte yet
                on(0, new Op.Processes(57)),                           // 4
                on(0, new Op.Switch(57, false)),                       // 5: 56 more roots, back to process 0
                on(1, new Op.Read(PAGE, 0)),                           // 6: vCPU 1 caches page 0
                on(0, new Op.Read(PAGE, 8 * PAGE)),                    // 7: vCPU 0 faults on page 8: recycling
                on(0, new Op.Unmap(PAGE, 0)),                          // 8: INVLPG of page 0 on vCPU 0
                on(0, new Op.Demand(true)),
                on(1, new Op.Read(PAGE, 0)));                          // 10: vCPU 1 reads page 0 again
        assertThat(op(r, 5, Counter.SHADOW_PAGES)).isEqualTo(56);
        // steps 0..5 make 59 (process 0's PDPT, PD and PT, 56 roots); process 0's root was built at boot
        assertThat(r.ops().subList(0, 6).stream().mapToLong(o -> o.deltas().get(Counter.SHADOW_PAGES)).sum())
                .isEqualTo(59);
        assertThat(op(r, 7, Counter.MMU_RECYCLED)).isEqualTo(21);
        // the recycling flush only: the chain rebuilt for page 8 shadows tables whose direct map is read-only already
        assertThat(op(r, 7, Counter.REMOTE_TLB_FLUSH)).isEqualTo(1);
        assertThat(op(r, 8, Counter.REMOTE_TLB_FLUSH)).isZero();
        assertThat(op(r, 10, Counter.GUEST_PAGE_FAULTS)).isEqualTo(1);
    }

    /**
     * MOV CR3 without the no-flush bit makes KVM resync the unsync leaf tables under the root (KVM_REQ_MMU_SYNC,
     * mmu.c kvm_mmu_sync_roots): kvm_sync_page write-protects each one's direct-map spte again, and the flush that
     * follows reaches every vCPU, which might hold that spte writable in its TLB. vCPU 1's next read of a page it
     * cached then misses its TLB.
     */
    @Test
    void aRootSyncThatWriteProtectsALeafTableAgainFlushesEveryVcpu() {
        RunResult r = runPinned(machine(64 * MIB, 2), MmuMode.SHADOW,
                on(0, new Op.Touch(2 * PAGE, 0)),                      // 0
                on(0, new Op.Remap(PAGE, 2 * PAGE)),                   // 1: not mapped: nothing to do
                on(0, new Op.Touch(PAGE, 2 * PAGE)),                   // 2: a PTE write unsyncs the leaf table
                on(1, new Op.Read(PAGE, 0)),                           // 3: vCPU 1 caches page 0
                on(0, new Op.Switch(1, false)),                        // 4: MOV CR3 to the same process
                on(1, new Op.Read(PAGE, 0)));                          // 5
        assertThat(op(r, 4, Counter.MMU_UNSYNC)).isEqualTo(-1);
        assertThat(op(r, 4, Counter.REMOTE_TLB_FLUSH)).isEqualTo(1);
        assertThat(op(r, 3, Counter.STLB_MISSES)).isEqualTo(1);
        assertThat(op(r, 5, Counter.STLB_MISSES)).isEqualTo(1);
    }
}
