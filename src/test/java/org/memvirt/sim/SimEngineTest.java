package org.memvirt.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.memvirt.sim.SimFixtures.GIB;
import static org.memvirt.sim.SimFixtures.MIB;
import static org.memvirt.sim.SimFixtures.machine;
import static org.memvirt.sim.SimFixtures.op;
import static org.memvirt.sim.SimFixtures.run;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.memvirt.engine.Counter;
import org.memvirt.engine.RunListener;
import org.memvirt.engine.RunResult;
import org.memvirt.engine.RunSpec;
import org.memvirt.host.MmuMode;
import org.memvirt.workload.Op;

/** The usual claims about shadow paging against EPT/NPT, measured on the same workloads under both. */
class SimEngineTest {
    private static final Op[] GUEST_EVENTS = {
        new Op.Processes(2),
        new Op.Demand(true),
        new Op.Touch(MIB, 0),            // 256 guest #PFs (demand paging)
        new Op.Unmap(64 * 1024, 0),      // 16 INVLPG
        new Op.Remap(64 * 1024, 0),
        new Op.Switch(4, false),         // 4 MOV CR3
    };

    /** The sim reports exactly the table's sim counters, in totals, per op, and per vCPU (the vCPU-scoped ones). */
    @ParameterizedTest
    @EnumSource(MmuMode.class)
    void reportsExactlyTheTablesSimCounters(MmuMode mode) {
        RunResult r = run(machine(64 * MIB, 2), mode, true, new Op.Touch(MIB, 0), new Op.Verify());
        List<String> sim = new java.util.ArrayList<>(), vcpu = new java.util.ArrayList<>();
        for (Counter c : Counter.values()) {
            if (!c.engines().sim()) continue;
            sim.add(c.key());
            if (c.scope() == Counter.Scope.VCPU) vcpu.add(c.key());
        }
        assertThat(r.counters().values().keySet()).containsExactlyInAnyOrderElementsOf(sim);
        assertThat(r.ops().get(1).deltas().values().keySet()).containsExactlyInAnyOrderElementsOf(sim);
        assertThat(r.vcpus()).hasSize(2);
        for (var v : r.vcpus()) assertThat(v.values().keySet()).containsExactlyInAnyOrderElementsOf(vcpu);
        assertThat(r.counters().get(Counter.VERIFY_PAGES)).isEqualTo(256);
    }

    @Test
    void theBalloonDriverMovesTheDeviceInBatchesOf256PagesOneExitEach() {
        RunResult r = run(machine(64 * MIB, 1), MmuMode.EPT, true, new Op.Touch(8 * MIB, 0),
                new Op.Balloon(Op.BalloonAction.INFLATE, 4 * MIB), new Op.Balloon(Op.BalloonAction.DEFLATE, MIB),
                new Op.Balloon(Op.BalloonAction.TO, 2 * MIB), new Op.Verify());
        assertThat(r.ops().get(1).deltas().get(Counter.EXIT_IO)).isEqualTo(4);        // 1,024 pages in 4 batches
        assertThat(r.ops().get(2).deltas().get(Counter.EXIT_IO)).isEqualTo(1);        // 256 back
        assertThat(r.ops().get(3).deltas().get(Counter.EXIT_IO)).isEqualTo(1);        // 3 MiB to 2 MiB: 256 back
        assertThat(r.memory().balloonedBytes()).isEqualTo(2 * MIB);
        assertThat(r.ops().get(4).deltas().get(Counter.VERIFY_PAGES)).isEqualTo(2048);   // touched pages kept their content
        assertThat(r.counters().get(Counter.VERIFY_MISMATCHES)).isZero();
    }

    @Test
    void guestPageFaultInvlpgAndMovCr3ExitUnderShadow() {
        RunResult r = run(MmuMode.SHADOW, true, GUEST_EVENTS);
        assertThat(op(r, 2, Counter.PF_GUEST)).isEqualTo(256);
        assertThat(op(r, 2, Counter.GUEST_PAGE_FAULTS)).isEqualTo(256);
        assertThat(op(r, 3, Counter.INVLPG)).isEqualTo(16);
        assertThat(op(r, 3, Counter.EXIT_INVLPG)).isEqualTo(16);
        assertThat(op(r, 5, Counter.EXIT_CR_ACCESS)).isEqualTo(4);
        assertThat(op(r, 5, Counter.MOV_CR3)).isEqualTo(4);
        // each demand-paged page: the #PF exit that is reflected, then the fault that maps it (host A: pf_taken +2, docs/HOST-FACTS.md);
        // plus the handler's own: 3 new tables (PDPT, PD, PT), each read first (the host's zero page, read-only) and
        // then written (the copy zaps that mapping, so the write fault is stale once and taken again: 3 faults each),
        // 1 emulated write to the shadowed PML4, 1 write that unsyncs the now-shadowed PT
        assertThat(op(r, 2, Counter.PF_TAKEN)).isEqualTo(2 * 256 + 3 * 3 + 1 + 1);
        assertThat(op(r, 2, Counter.PF_EMULATE)).isEqualTo(1);
        assertThat(op(r, 2, Counter.MMU_UNSYNC)).isEqualTo(1);
    }

    @ParameterizedTest
    @EnumSource(value = MmuMode.class, names = {"EPT", "NPT"})
    void guestPageFaultInvlpgAndMovCr3NeverExitUnderTdp(MmuMode mode) {
        RunResult r = run(mode, true, GUEST_EVENTS);
        assertThat(op(r, 2, Counter.GUEST_PAGE_FAULTS)).isEqualTo(256);
        for (Counter c : List.of(Counter.PF_GUEST, Counter.EXIT_EXCEPTION, Counter.INVLPG, Counter.EXIT_INVLPG, Counter.EXIT_CR_ACCESS, Counter.PF_EMULATE)) {
            assertThat(r.counters().get(c)).as(c.key()).isZero();
        }
        assertThat(op(r, 5, Counter.MOV_CR3)).isEqualTo(4);
        assertThat(op(r, 3, Counter.GUEST_INVLPG)).isEqualTo(16);             // executed, but handled by the CPU
        Counter violation = mode == MmuMode.EPT ? Counter.EPT_VIOLATIONS : Counter.NPF;
        assertThat(r.counters().get(Counter.EXITS)).isEqualTo(r.counters().get(violation));
        assertThat(r.counters().get(Counter.EXITS)).isEqualTo(r.counters().get(Counter.PF_TAKEN));
        // one stale violation per new table (PDPT, PD, PT): the write that replaced its read-only zero page
        assertThat(r.counters().get(Counter.PF_TAKEN) - r.counters().get(Counter.PF_FIXED)).isEqualTo(3);
    }

    @ParameterizedTest
    @EnumSource(MmuMode.class)
    void firstTouchesFixOneFaultPerFirstTouchedPage(MmuMode mode) {
        RunResult r = run(mode, true, new Op.Touch(64 * MIB, 0));
        // 16384 data pages plus the guest page-table pages it needs: 1 PDPT + 1 PD + 32 PT, each of which the guest
        // reads before it writes it (a read fault maps the host's zero page, the write fault its own frame). Fresh
        // host pages are never prefetched (FNAME(pte_prefetch) maps only pages the host already has), as measured
        // on real KVM.
        long firstTouched = 16384 + 34;
        assertThat(op(r, 0, Counter.PF_FIXED)).isEqualTo(16384 + 2 * 34);
        assertThat(op(r, 0, Counter.HOST_PAGES_ZEROED)).isEqualTo(firstTouched);
        assertThat(op(r, 0, Counter.GUEST_PT_PAGES)).isEqualTo(34);
    }

    @ParameterizedTest
    @EnumSource(MmuMode.class)
    void aReadOfAFreshPageMapsTheHostsZeroPageUntilItsFirstWrite(MmuMode mode) {
        Op[] w = {new Op.Read(16 * MIB, 0), new Op.Touch(16 * MIB, 0)};
        RunResult r = run(mode, true, w);
        // the read: one fault per data page (the zero page, read-only, nothing allocated), two per new table
        assertThat(op(r, 0, Counter.PF_FIXED)).isEqualTo(4096 + 2 * 10);
        assertThat(op(r, 0, Counter.HOST_PAGES_ZEROED)).isEqualTo(10);
        // each first write replaces the zero page: its copy zaps the read-only mapping, the fault is stale and taken
        // again after the flush (the kvm engine on this host: pf_fixed 4096, pf_taken 8192, tlb_flush 4096)
        assertThat(op(r, 1, Counter.PF_FIXED)).isEqualTo(4096);
        assertThat(op(r, 1, Counter.PF_TAKEN)).isEqualTo(2 * 4096);
        assertThat(op(r, 1, Counter.TLB_FLUSH)).isEqualTo(4096);
        assertThat(op(r, 1, Counter.HOST_PAGES_ZEROED)).isEqualTo(4096);
        RunSpec spec = new RunSpec(machine(256 * MIB, 1), SimFixtures.workload(w), mode, true, "zen5", Duration.ofMinutes(1), 1);
        RunResult full = new SimEngine(() -> new HostModel(HostConfig.of(8 * GIB, 0, 0)), CostModel.DEFAULT)
                .run(spec, RunListener.NONE);
        assertThat(full.counters()).isEqualTo(new SimEngine().run(spec, RunListener.NONE).counters());
    }

    @Test
    void shadowPrefetchMapsSevenOfEachEightPagesTheHostAlreadyHas() {
        RunResult r = run(MmuMode.SHADOW, true, new Op.Touch(MIB, 0), new Op.Unmap(MIB, 0), new Op.Remap(MIB, 0),
                new Op.Read(MIB, 0));
        // 256 pages whose host frames exist: one fault per aligned group of 8 (PTE_PREFETCH_NUM), 224 prefetched
        assertThat(op(r, 3, Counter.PF_FIXED)).isEqualTo(256 - 224);
        assertThat(op(r, 3, Counter.PAGES_4K)).isEqualTo(256);
        assertThat(op(r, 3, Counter.HOST_PAGES_ZEROED)).isZero();
        assertThat(op(r, 1, Counter.INVLPG)).isEqualTo(256);
        assertThat(op(r, 1, Counter.MMU_UNSYNC)).isEqualTo(1);       // the first PTE write unsynced the leaf shadow page
        assertThat(op(r, 1, Counter.PAGES_4K)).isEqualTo(-256);      // each INVLPG resynced its spte away
    }

    @Test
    void shadowTablesGrowWithProcessesWhileTheEptTableDoesNot() {
        long[] shadow = new long[2], ept = new long[2];
        int[] ps = {1, 8};
        for (int i = 0; i < 2; i++) {
            int p = ps[i];
            Op[] w = {new Op.Processes(p), new Op.Repeat(p, List.of(new Op.Touch(8 * MIB / p, 0), new Op.Switch(1, true)))};
            shadow[i] = run(MmuMode.SHADOW, true, w).counters().get(Counter.SHADOW_PAGES);
            ept[i] = run(MmuMode.EPT, true, w).counters().get(Counter.TDP_PAGES);
        }
        // one process: PML4, PDPT, PD and 4 leaf shadow pages; eight: each its own PML4, PDPT, PD and 1 leaf
        assertThat(shadow).containsExactly(7, 32);
        // the EPT table maps guest frames, whoever uses them: root, PDPT, PD and 6 leaf tables either way
        assertThat(ept).containsExactly(9, 9);
    }

    @Test
    void vpidOffFlushesTheTlbOnEveryExitUnderShadow() {
        Op[] w = {new Op.Touch(256 * 1024, 0),
            new Op.Repeat(10, List.of(new Op.Read(256 * 1024, 0), new Op.Unmap(4096, 0), new Op.Remap(4096, 0)))};
        RunResult on = run(machine(256 * MIB, 1), MmuMode.SHADOW, true, w);
        RunResult off = run(machine(256 * MIB, 1), MmuMode.SHADOW, false, w);
        assertThat(op(on, 1, Counter.EXITS)).isEqualTo(20).isEqualTo(op(off, 1, Counter.EXITS));   // 10 INVLPG + 10 refaults
        // VPID on: only the INVLPG'd page misses (9 of 10 rounds; the first finds it from the touch)
        assertThat(op(on, 1, Counter.STLB_MISSES)).isEqualTo(9);
        // VPID off: the whole 64-page working set misses after each round's exits: 63 + 9 x 64
        assertThat(op(off, 1, Counter.STLB_MISSES)).isEqualTo(639);
    }

    @Test
    void vpidOffFlushesTheTlbOnEveryExitUnderEpt() {
        Op[] w = {new Op.Touch(256 * 1024, 0),
            new Op.Repeat(10, List.of(new Op.Read(256 * 1024, 0), new Op.Balloon(Op.BalloonAction.INFLATE, 4096)))};
        RunResult on = run(machine(256 * MIB, 1), MmuMode.EPT, true, w);
        RunResult off = run(machine(256 * MIB, 1), MmuMode.EPT, false, w);
        assertThat(op(on, 1, Counter.EXIT_IO)).isEqualTo(10).isEqualTo(op(off, 1, Counter.EXIT_IO));  // one virtio notification each
        assertThat(op(on, 1, Counter.STLB_MISSES)).isZero();
        assertThat(op(off, 1, Counter.STLB_MISSES)).isEqualTo(63 + 9 * 64);   // 64 more misses per exit
        // a 2D walk with a PDE-cache hit reads 9 entries where a native walk reads 1
        assertThat(op(off, 1, Counter.WALK_REFS)).isEqualTo(5886);
        assertThat(op(off, 1, Counter.NATIVE_WALK_REFS)).isEqualTo(666);
    }

    @Test
    void writeFloodingZapsAnUpperShadowPageOnTheThirdEmulatedWrite() {
        RunResult r = run(MmuMode.SHADOW, true, new Op.Touch(2 * MIB, 0), new Op.Touch(8 * MIB, 2 * MIB));
        // the guest writes 4 PDEs into its shadowed PD: 3 are trapped and emulated, the third floods and zaps the PD
        assertThat(op(r, 1, Counter.PF_EMULATE)).isEqualTo(3);
        assertThat(op(r, 1, Counter.MMU_PTE_WRITE)).isEqualTo(3);
        assertThat(op(r, 1, Counter.MMU_PDE_ZAPPED)).isEqualTo(2);
        assertThat(op(r, 1, Counter.MMU_FLOODED)).isEqualTo(1);
        assertThat(op(r, 1, Counter.MMU_SHADOW_ZAPPED)).isEqualTo(1);
        assertThat(op(r, 1, Counter.MMU_CACHE_MISS)).isEqualTo(5);   // the PD again and 4 new leaf pages
    }

    @Test
    void shadowPagesAreRecycledAboveKvmsLimit() {
        // 16 MiB: 4096 pages x 20 / 1000 = 81 shadow pages at most (KVM_PERMILLE_MMU_PAGES)
        RunResult r = run(machine(16 * MIB, 1), MmuMode.SHADOW, true, new Op.Processes(30),
                new Op.Repeat(30, List.of(new Op.Touch(64 * 1024, 0), new Op.Switch(1, true))));
        assertThat(r.counters().get(Counter.MMU_CACHE_MISS)).isEqualTo(120);    // process 0's root is shadowed at boot
        assertThat(r.counters().get(Counter.MMU_RECYCLED)).isEqualTo(44);
        assertThat(r.counters().get(Counter.SHADOW_PAGES)).isEqualTo(77).isLessThanOrEqualTo(81);
    }

    @Test
    void shadowInvariantsHoldAfterEveryStep() {
        SimEngine engine = new SimEngine();
        RunSpec spec = new RunSpec(machine(64 * MIB, 2), SimFixtures.workload(new Op.Processes(3), new Op.Demand(true),
                new Op.Touch(4 * MIB, 0), new Op.Random(20_000, 8 * MIB, 30, new Op.Distribution.Uniform(), 5),
                new Op.Unmap(MIB, 0), new Op.Switch(5, false), new Op.Remap(MIB, 0), new Op.Switch(5, true),
                new Op.Touch(8 * MIB, 0), new Op.Verify()), MmuMode.SHADOW, true, "zen5", Duration.ofMinutes(1), 1);
        RunResult r = engine.run(spec, RunListener.NONE, vm -> ((ShadowMmu) vm.mmu).checkInvariants());
        assertThat(r.counters().get(Counter.VERIFY_MISMATCHES)).isZero();
        assertThat(r.counters().get(Counter.VERIFY_PAGES)).isGreaterThan(0);
    }

    @Test
    void theSameSeedGivesIdenticalCounters() {
        Op[] w = {new Op.Random(50_000, 32 * MIB, 40, new Op.Distribution.Zipf(0.99), 42), new Op.Switch(3, true)};
        RunResult a = run(machine(64 * MIB, 2), MmuMode.SHADOW, false, w);
        RunResult b = run(machine(64 * MIB, 2), MmuMode.SHADOW, false, w);
        assertThat(a.counters()).isEqualTo(b.counters());
        assertThat(a.ops()).isEqualTo(b.ops());
        RunResult c = run(machine(64 * MIB, 2), MmuMode.SHADOW, false,
                new Op.Random(50_000, 32 * MIB, 40, new Op.Distribution.Zipf(0.99), 43), new Op.Switch(3, true));
        assertThat(c.counters()).isNotEqualTo(a.counters());
    }

    @Test
    void aLackeyTraceReplaysAsGuestVirtualAccesses() {
        // region offsets, bit 0 set for stores (Op.Trace): pages 1023 (in the second 2 MiB), 0, 0, 1, 0
        long[] accesses = {0x3F_FFF8L | 1, 0x1L, 0x9L, 0x1000L, 0x10L};
        RunResult r = run(MmuMode.EPT, true, new Op.Trace("t.out", accesses), new Op.Verify());
        assertThat(op(r, 0, Counter.ACCESSES)).isEqualTo(5);
        assertThat(op(r, 0, Counter.DTLB_HITS)).isEqualTo(2);      // 0x9 and 0x10 hit the first page's entry
        assertThat(op(r, 0, Counter.PAGES_4K)).isEqualTo(3 + 4);  // 3 data pages (page 1 on the zero page) + PDPT, PD, 2 PTs
        assertThat(op(r, 1, Counter.VERIFY_PAGES)).isEqualTo(2);  // the two pages written
        assertThat(op(r, 1, Counter.VERIFY_MISMATCHES)).isZero();
    }

    @Test
    void smpSpreadsTouchesOverVcpusWithTheirOwnCounters() {
        RunResult r = run(machine(64 * MIB, 4), MmuMode.SHADOW, true, new Op.Touch(4 * MIB, 0));
        assertThat(r.vcpus()).hasSize(4);
        for (var v : r.vcpus()) assertThat(v.get(Counter.ACCESSES)).isEqualTo(256);
        assertThat(r.vcpus().stream().mapToLong(v -> v.get(Counter.PF_FIXED)).sum()).isEqualTo(r.counters().get(Counter.PF_FIXED));
        // write-protecting a table asks every vCPU to flush: 4 new shadowed tables (PDPT, PD, 2 PTs; the PML4 root
        // is shadowed at boot), and 4 zaps of a new table's zero-page mapping when the guest first writes it
        assertThat(r.counters().get(Counter.REMOTE_TLB_FLUSH)).isEqualTo(4 + 4);
        // a vCPU flushes once per VM entry however many requests are pending; vCPU 0 also re-enters once after
        // each of its 3 stale table-write faults (PDPT, PD, first PT) with the zap's flush pending
        assertThat(r.vcpus().stream().map(v -> v.get(Counter.TLB_FLUSH)).toList()).containsExactly(5L, 2L, 2L, 1L);
    }

    @Test
    void touchingOneGibOfAFourGibGuestLeavesOneGibResident() {
        RunResult r = run(machine(4 * GIB, 1), MmuMode.EPT, true, new Op.Touch(GIB, 0));
        assertThat(r.memory().configuredBytes()).isEqualTo(4 * GIB);
        // 1 GiB of data, 514 guest page-table pages and the runtime's 2 boot pages
        assertThat(r.memory().residentBytes()).isEqualTo(GIB + (514 + 2) * 4096L);
    }

    @Test
    void guestFramesContinueAboveFourGibAfterThePciHole() {
        // q35 with 8 GiB: 2 GiB at 0, 6 GiB at 4 GiB; 3 GiB of touches need frames from both windows
        RunResult r = run(machine(8 * GIB, 1), MmuMode.EPT, true, new Op.Touch(3 * GIB, 0), new Op.Verify());
        assertThat(r.counters().get(Counter.VERIFY_MISMATCHES)).isZero();
        assertThat(r.counters().get(Counter.VERIFY_PAGES)).isEqualTo(3 * GIB / 4096);
        long tables = r.counters().get(Counter.GUEST_PT_PAGES);
        assertThat(tables).isEqualTo(2 + 1 + 3 + 3 * 512);   // boot PML4 + kernel PDPT, PDPT, 3 PDs, 1536 PTs
        assertThat(r.memory().residentBytes()).isEqualTo(3 * GIB + tables * 4096);
    }

    @ParameterizedTest
    @EnumSource(MmuMode.class)
    void aColdWalkReads24EntriesUnderTdpAnd4UnderShadow(MmuMode mode) {
        // MOV CR3 without PCID flushes the TLB and the PDE cache; the next access walks from the root
        RunResult r = run(mode, true, new Op.Touch(4096, 0), new Op.Switch(1, false), new Op.Read(4096, 0),
                new Op.Read(4096, 4096 * 8));
        assertThat(op(r, 2, Counter.WALKS)).isEqualTo(1);
        assertThat(op(r, 2, Counter.WALK_REFS)).isEqualTo(mode.twoDimensional() ? 24 : 4);   // (4+1)(4+1)-1 vs 4
        assertThat(op(r, 2, Counter.NATIVE_WALK_REFS)).isEqualTo(4);
        // a neighbour in the same 2 MiB starts from the PDE cache: 4 + 1 + 4 nested-and-guest references vs 1
        assertThat(op(r, 3, Counter.PWC_HITS)).isEqualTo(op(r, 3, Counter.WALKS));
    }

    @Test
    void theEngineRunsOnTheFullHostModelToo() {
        // the full host model behind the same HostMemory seam: a host of 8 GiB without swap; results equal the lazy host's
        Op[] w = {new Op.Touch(64 * MIB, 0), new Op.Unmap(MIB, 0), new Op.Remap(MIB, 0), new Op.Read(2 * MIB, 0),
            new Op.Verify()};
        RunSpec spec = new RunSpec(machine(256 * MIB, 2), SimFixtures.workload(w), MmuMode.SHADOW, true, "zen5",
                Duration.ofMinutes(1), 1);
        RunResult lazy = new SimEngine().run(spec, RunListener.NONE);
        RunResult full = new SimEngine(() -> new HostModel(HostConfig.of(8 * GIB, 0, 0)), CostModel.DEFAULT)
                .run(spec, RunListener.NONE);
        assertThat(full.counters()).isEqualTo(lazy.counters());
        assertThat(full.memory().residentBytes()).isEqualTo(lazy.memory().residentBytes());
    }
}
