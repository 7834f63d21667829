package org.memvirt.sim;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.memvirt.host.MmuMode;

/**
 * The shadow MMU's invalidations driven one call at a time, where a single call is all that takes a translation out:
 * the INVLPG's own invalidation of the vCPU's VPID-tagged TLB when nothing was resynced, the INVLPG's resync of a
 * previous root (a process that is not running), and the mmu_notifier's zap of a page-table frame's direct-map spte.
 * The workload tests cannot isolate these: in the guest model every INVLPG follows a PTE change whose trap or resync
 * flushes every vCPU anyway, the guest edits only the running process's tables, and the host never takes a page-table
 * frame (docs/QUALITY.md, "The mutants that drop a write protection, an INVLPG or a remote flush").
 */
class ShadowInvalidationTest {
    private static final long PAGE = 4096;
    private static final long X = GuestOs.REGION_BASE;

    /** A booted shadow-paging VM with VPID on (vCPU i has VPID i + 1) and zen5 TLBs. */
    private static SimVm vm(int smp) {
        SimVm vm = new SimVm(SimFixtures.machine(64 * SimFixtures.MIB, smp), new LazyHostMemory(), MmuMode.SHADOW, true,
                TlbGeometry.ZEN5);
        vm.guest.boot(vm.vcpus.get(0));
        return vm;
    }

    /** The guest page table holding the PTE of {@code gva} in {@code p}. */
    private static long leafTable(SimVm vm, GuestOs.Process p, long gva) {
        long table = p.pml4Gfn;
        for (int level = Paging.LEVELS; level > 1; level--) table = Paging.pteToGfn(vm.pts.read(table, Paging.index(gva, level)));
        return table;
    }

    private static long delta(long[] after, long[] before, int stat) {
        return after[stat] - before[stat];
    }

    /**
     * SDM Vol 3A §4.10.4.1: INVLPG invalidates the TLB entries of the page for the current PCID and every
     * paging-structure-cache entry of the current PCID. Under shadow paging the guest's INVLPG exits and KVM does
     * that with INVVPID type 0 on the vCPU's VPID (vmx.c vmx_flush_tlb_gva -> vpid_sync_vcpu_addr; SDM Vol 3C
     * §28.3.3.1, individual-address invalidation), then resyncs the spte (mmu.c kvm_mmu_invalidate_addr). Here the
     * spte is unchanged, so there is no remote flush: only the INVVPID drops the page. Its next access misses both TLB
     * levels and walks the whole shadow table (no PDE-cache hit); the next page, also cached, still hits.
     */
    @Test
    void anInvlpgThatResyncsNothingStillDropsThePageAndThePdeCacheFromItsOwnVpidTaggedTlb() {
        SimVm vm = vm(1);
        Vcpu v = vm.vcpus.get(0);
        vm.guest.ensureMapped(v, v.process, X);
        vm.guest.ensureMapped(v, v.process, X + PAGE);
        long gx = v.translate(X, false), gy = v.translate(X + PAGE, false);
        v.translate(X, false);                                   // services the requests the faults raised
        long[] cached = v.stats.clone();
        assertThat(v.translate(X, false)).isEqualTo(gx);
        assertThat(v.translate(X + PAGE, false)).isEqualTo(gy);
        assertThat(delta(v.stats, cached, Stat.DTLB_HITS)).as("both pages cached").isEqualTo(2);

        long remote = vm.stats[Stat.REMOTE_TLB_FLUSH];
        long[] before = v.stats.clone();
        vm.mmu.invlpg(v, X, false);
        assertThat(vm.stats[Stat.REMOTE_TLB_FLUSH]).as("nothing resynced, no remote flush").isEqualTo(remote);
        assertThat(v.translate(X + PAGE, false)).isEqualTo(gy);
        assertThat(v.translate(X, false)).isEqualTo(gx);
        long[] after = v.stats;
        assertThat(delta(after, before, Stat.EXIT_INVLPG)).isEqualTo(1);
        assertThat(delta(after, before, Stat.DTLB_HITS)).as("the next page").isEqualTo(1);
        assertThat(delta(after, before, Stat.DTLB_MISSES)).as("the invalidated page").isEqualTo(1);
        assertThat(delta(after, before, Stat.STLB_MISSES)).isEqualTo(1);
        assertThat(delta(after, before, Stat.WALKS)).isEqualTo(1);
        assertThat(delta(after, before, Stat.PWC_HITS)).as("the PDE cache was dropped").isZero();
        assertThat(delta(after, before, Stat.WALK_REFS)).as("a full 4-level walk").isEqualTo(Paging.LEVELS);
        assertThat(delta(after, before, Stat.TLB_FLUSH)).as("no flush on entry").isZero();
        assertThat(delta(after, before, Stat.PF_TAKEN)).as("the spte is still there").isZero();
    }

    /**
     * KVM resyncs the INVLPG's address in every cached root (mmu.c kvm_mmu_invalidate_addr with KVM_MMU_ROOTS_ALL), and
     * a spte changed there is flushed from every vCPU (__kvm_mmu_invalidate_addr: kvm_flush_remote_tlbs_sptep): its
     * frame's rmap no longer names it, so nothing later would. Process 0's table is edited while process 1 runs on
     * vCPU 0 (MOV CR3 with PCID and no-flush keeps process 0's root as a previous root); vCPU 1, still in process 0,
     * cached the page.
     */
    @Test
    void anInvlpgThatResyncsAPreviousRootsSpteFlushesEveryVcpu() {
        SimVm vm = vm(2);
        Vcpu v0 = vm.vcpus.get(0), v1 = vm.vcpus.get(1);
        GuestOs.Process p0 = v0.process;
        vm.guest.ensureMapped(v0, p0, X);
        long gfn = v1.translate(X, false);
        v1.translate(X, false);
        long key = GuestTlb.key(v1.tag, X >>> Paging.PAGE_SHIFT);
        assertThat(v1.tlb.lookupL2(key) >>> 1).as("vCPU 1 caches the page").isEqualTo(gfn);

        vm.guest.setProcesses(v0, 2);
        vm.guest.switchProcess(v0, true);
        assertThat(v0.process.pid).isEqualTo(1);
        assertThat(v0.prevRoot[0]).as("process 0's root, cached").isSameAs(v1.root);

        long table = leafTable(vm, p0, X);
        int index = Paging.index(X, 1);
        long pages4k = vm.stats[Stat.PAGES_4K];
        vm.mmu.guestPteWrite(v0, table, index, vm.pts.read(table, index) & ~Paging.P);   // unsyncs the table: no trap
        assertThat(vm.stats[Stat.PAGES_4K]).as("the spte stays until the INVLPG").isEqualTo(pages4k);

        long remote = vm.stats[Stat.REMOTE_TLB_FLUSH];
        vm.mmu.invlpg(v0, X, false);
        assertThat(vm.stats[Stat.PAGES_4K]).as("the previous root's spte resynced away").isEqualTo(pages4k - 1);
        assertThat(vm.stats[Stat.REMOTE_TLB_FLUSH]).isEqualTo(remote + 1);
        v1.serviceRequests();                                    // vCPU 1's next VM entry
        assertThat(v1.tlb.lookupL1(key)).isEqualTo(GuestTlb.MISS);
        assertThat(v1.tlb.lookupL2(key)).isEqualTo(GuestTlb.MISS);
    }

    /**
     * The mmu_notifier's invalidation of a frame zaps every spte that maps it (mmu.c kvm_unmap_gfn_range ->
     * kvm_zap_rmap), the guest kernel's direct-map spte of a page-table frame included. The kernel's next store into
     * that table then takes a #PF exit that faults the host page in again (and, the table being shadowed only at the 4
     * KiB level, maps it writable: the next store does not exit).
     */
    @Test
    void aHostInvalidationOfAPageTableFrameZapsItsDirectMapSoTheKernelsNextStoreFaults() {
        SimVm vm = vm(1);
        Vcpu v = vm.vcpus.get(0);
        vm.guest.ensureMapped(v, v.process, X);
        v.translate(X, false);
        long table = leafTable(vm, v.process, X);
        long pte = vm.pts.read(table, Paging.index(X, 1));
        vm.mmu.guestPteWrite(v, table, 1, pte);                  // maps the table writable in the direct map
        long[] before = v.stats.clone();
        vm.mmu.guestPteWrite(v, table, 2, pte);
        assertThat(delta(v.stats, before, Stat.EXITS)).as("a writable direct map").isZero();

        long remote = vm.stats[Stat.REMOTE_TLB_FLUSH];
        vm.invalidateGfn(vm.vmId, vm.ram.gfnToRamPage(table));   // the host's notifier (swap-out, migration, KSM merge)
        assertThat(vm.stats[Stat.REMOTE_TLB_FLUSH]).isEqualTo(remote + 1);
        before = v.stats.clone();
        vm.mmu.guestPteWrite(v, table, 3, pte);
        assertThat(delta(v.stats, before, Stat.EXITS)).isEqualTo(1);
        assertThat(delta(v.stats, before, Stat.EXIT_EXCEPTION)).isEqualTo(1);
        assertThat(delta(v.stats, before, Stat.PF_FIXED)).isEqualTo(1);
        before = v.stats.clone();
        vm.mmu.guestPteWrite(v, table, 4, pte);
        assertThat(delta(v.stats, before, Stat.EXITS)).isZero();
    }
}
