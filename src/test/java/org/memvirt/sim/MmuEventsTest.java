package org.memvirt.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.memvirt.sim.SimFixtures.MIB;
import static org.memvirt.sim.SimFixtures.machine;
import static org.memvirt.sim.SimFixtures.op;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.memvirt.host.MmuMode;
import org.memvirt.engine.Counter;
import org.memvirt.engine.RunListener;
import org.memvirt.engine.RunResult;
import org.memvirt.engine.RunSpec;
import org.memvirt.workload.Op;

/**
 * The events that must drop a translation: the guest's INVLPG (with VPID on, nothing else flushes) and the host's
 * mmu_notifier invalidation. A dropped one shows as a #PF or a fault that does not happen.
 */
class MmuEventsTest {
    private static final long PAGE = 4096;

    private static RunResult run(MmuMode mode, Op... ops) {
        return SimFixtures.run(machine(64 * MIB, 1), mode, true, ops);
    }

    @ParameterizedTest
    @EnumSource(MmuMode.class)
    void invlpgDropsTheUnmappedPageOnlySoItsNextAccessTakesAGuestPageFault(MmuMode mode) {
        // both pages are cached after the touch; only page 0 is unmapped, so only it faults (demand paging maps it back)
        RunResult r = run(mode, new Op.Touch(2 * PAGE, 0), new Op.Unmap(PAGE, 0), new Op.Demand(true),
                new Op.Read(2 * PAGE, 0));
        assertThat(op(r, 3, Counter.GUEST_PAGE_FAULTS)).isEqualTo(1);
        assertThat(op(r, 1, Counter.GUEST_INVLPG)).isEqualTo(1);
    }

    @ParameterizedTest
    @EnumSource(value = MmuMode.class, names = {"EPT", "NPT"})
    void invlpgOfA2MibPageDropsEveryOneOfIts4KibEntries(MmuMode mode) {
        long large = 2 * MIB;
        for (long offset : List.of(0L, PAGE, large / 2, large - PAGE)) {
            RunResult r = run(mode, new Op.PageSize(Op.PageSize.SHIFT_2M), new Op.Touch(large, 0), new Op.Unmap(large, 0),
                    new Op.Demand(true), new Op.Read(PAGE, offset));
            assertThat(op(r, 4, Counter.GUEST_PAGE_FAULTS)).as("read at 0x%x after the 2 MiB INVLPG", offset).isEqualTo(1);
        }
        // the INVLPG reaches no further than the 2 MiB page: the next one's first 4 KiB, cached, still hits the STLB
        RunResult r = run(mode, new Op.PageSize(Op.PageSize.SHIFT_2M), new Op.Touch(2 * large, 0), new Op.Unmap(large, 0),
                new Op.Demand(true), new Op.Read(PAGE, large), new Op.Read(PAGE, large - PAGE));
        assertThat(op(r, 4, Counter.GUEST_PAGE_FAULTS)).isZero();
        assertThat(op(r, 4, Counter.STLB_MISSES)).isZero();
        assertThat(op(r, 5, Counter.GUEST_PAGE_FAULTS)).isEqualTo(1);
    }

    @ParameterizedTest
    @EnumSource(MmuMode.class)
    void aHostInvalidationDropsTheMappingSoTheNextWriteFaultsAndGetsAFreshFrame(MmuMode mode) {
        RunSpec spec = new RunSpec(machine(64 * MIB, 1), SimFixtures.workload(new Op.Touch(PAGE, 0), new Op.Touch(PAGE, 0),
                new Op.Verify()), mode, true, "zen5", Duration.ofMinutes(1), 1);
        int[] step = {0};
        long[] pages4k = new long[2], remoteFlushes = new long[2];
        RunResult r = new SimEngine().run(spec, RunListener.NONE, vm -> {
            if (step[0] == 0) {
                pages4k[0] = vm.totals()[Stat.PAGES_4K];
                remoteFlushes[0] = vm.totals()[Stat.REMOTE_TLB_FLUSH];
                long gfn = vm.guest.frameOf(vm.guest.running, GuestOs.REGION_BASE);
                vm.host.balloonRelease(vm.vmId, vm.ram.gfnToRamPage(gfn));   // the host drops the frame: mmu_notifier
                pages4k[1] = vm.totals()[Stat.PAGES_4K];
                remoteFlushes[1] = vm.totals()[Stat.REMOTE_TLB_FLUSH];
            }
            step[0]++;
        });
        assertThat(pages4k[1]).as("pages_4k after the invalidation").isEqualTo(pages4k[0] - 1);
        assertThat(remoteFlushes[1]).as("the zap's remote flush").isEqualTo(remoteFlushes[0] + 1);
        assertThat(op(r, 1, Counter.PF_FIXED)).isEqualTo(1);
        assertThat(op(r, 1, Counter.HOST_PAGES_ZEROED)).isEqualTo(1);
        assertThat(op(r, 1, Counter.REMOTE_TLB_FLUSH)).isZero();          // the invalidation's flush came before the op
        assertThat(op(r, 2, Counter.VERIFY_MISMATCHES)).isZero();
    }

    @ParameterizedTest
    @EnumSource(value = MmuMode.class, names = {"EPT", "NPT"})
    void anStlbHitRefillsTheDtlbSoAReadBackOfTwoHundredPagesHitsOnlyTheStlb(MmuMode mode) {
        // zen5: a 96-entry LRU L1 DTLB; the touch leaves pages 104..199 there and all 200 in the L2. Reading 0..199
        // refills L1 with 0..103 first (each an STLB hit), which pushes 104..199 out before they are read.
        RunResult r = run(mode, new Op.Touch(200 * PAGE, 0), new Op.Read(200 * PAGE, 0));
        assertThat(op(r, 1, Counter.DTLB_HITS)).isZero();
        assertThat(op(r, 1, Counter.STLB_HITS)).isEqualTo(200);
        assertThat(op(r, 1, Counter.STLB_MISSES)).isZero();
        assertThat(op(r, 1, Counter.WALKS)).isZero();
    }
}
