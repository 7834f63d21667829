package org.memvirt.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.memvirt.sim.SimFixtures.MIB;
import static org.memvirt.sim.SimFixtures.machine;
import static org.memvirt.sim.SimFixtures.op;
import static org.memvirt.sim.SimFixtures.workload;

import java.time.Duration;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.memvirt.engine.Counter;
import org.memvirt.engine.RunListener;
import org.memvirt.engine.RunResult;
import org.memvirt.engine.RunSpec;
import org.memvirt.host.MmuMode;
import org.memvirt.workload.Op;

/**
 * {@code verify} finds a wrong translation: it keeps what each process wrote by (process, region page) and checks it
 * by walking the guest's page tables, so a write that went through a stale TLB entry to the wrong frame is a
 * mismatch. The test swaps the frames of region pages 0 and 1 in the guest's page table behind the MMU's back (no
 * INVLPG, no write-protection fault), so every vCPU still translates both pages to their old frames.
 */
class VerifyWalkTest {

    /** Swaps the leaf entries of region pages 0 and 1 of process 0; {@code flush}: then flushes every TLB as INVLPG would. */
    private static void swapFirstTwoPages(SimVm vm, boolean flush) {
        GuestOs.Process p = vm.guest.processes.get(0);
        long table = p.pml4Gfn;
        for (int level = Paging.LEVELS; level > 1; level--)
            table = Paging.pteToGfn(vm.pts.read(table, Paging.index(GuestOs.REGION_BASE, level)));
        int first = Paging.index(GuestOs.REGION_BASE, 1);
        long a = vm.pts.read(table, first), b = vm.pts.read(table, first + 1);
        vm.pts.write(table, first, b);
        vm.pts.write(table, first + 1, a);
        if (flush) for (Vcpu v : vm.vcpus) v.tlb.flushAll();
    }

    private static RunResult run(MmuMode mode, boolean flush) {
        RunSpec spec = new RunSpec(machine(256 * MIB, 1),
                workload(new Op.Touch(MIB, 0), new Op.Touch(MIB, 0), new Op.Verify()), mode, true, "zen5",
                Duration.ofMinutes(1), 1);
        int[] step = {0};
        return new SimEngine().run(spec, RunListener.NONE, vm -> { if (step[0]++ == 0) swapFirstTwoPages(vm, flush); });
    }

    @ParameterizedTest
    @EnumSource(value = MmuMode.class, names = {"EPT", "NPT"})
    void aWriteThroughAStaleTranslationIsAMismatch(MmuMode mode) {
        // the second touch rewrites both pages through the TLB's old entries: page 0's value lands in the frame the
        // page table now gives page 1 and the other way round, so exactly those 2 of the 256 pages mismatch
        RunResult r = run(mode, false);
        assertThat(op(r, 2, Counter.VERIFY_PAGES)).isEqualTo(256);
        assertThat(op(r, 2, Counter.VERIFY_MISMATCHES)).isEqualTo(2);
    }

    @ParameterizedTest
    @EnumSource(value = MmuMode.class, names = {"EPT", "NPT"})
    void withTheFlushTheSameSwapIsHarmless(MmuMode mode) {
        // after the flush the second touch walks the swapped tables: each page's value lands in its new frame
        RunResult r = run(mode, true);
        assertThat(op(r, 2, Counter.VERIFY_PAGES)).isEqualTo(256);
        assertThat(op(r, 2, Counter.VERIFY_MISMATCHES)).isZero();
    }
}
