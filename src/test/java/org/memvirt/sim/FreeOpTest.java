package org.memvirt.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.memvirt.sim.SimFixtures.MIB;
import static org.memvirt.sim.SimFixtures.machine;
import static org.memvirt.sim.SimFixtures.on;
import static org.memvirt.sim.SimFixtures.op;
import static org.memvirt.sim.SimFixtures.run;
import static org.memvirt.sim.SimFixtures.runPinned;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.memvirt.engine.Counter;
import org.memvirt.host.MmuMode;
import org.memvirt.engine.RunResult;
import org.memvirt.workload.Op;

/** {@code free}: frames back on the guest's free list, host memory left resident (docs/guest-model.md). */
class FreeOpTest {

    @ParameterizedTest
    @EnumSource(value = MmuMode.class, names = {"EPT", "NPT"})
    void freedFramesStayResidentAndTheNextTouchReusesThemWithoutAHostFault(MmuMode mode) {
        RunResult r = run(mode, true, new Op.Touch(16 * MIB, 0), new Op.Free(16 * MIB, 0), new Op.Touch(16 * MIB, 0),
                new Op.Verify());
        assertThat(op(r, 1, Counter.GUEST_FRAMES)).isEqualTo(-4096);
        assertThat(op(r, 1, Counter.GUEST_INVLPG)).isEqualTo(4096);             // every page was present
        assertThat(op(r, 1, Counter.HOST_PAGES_ZEROED)).isZero();
        // the second touch takes the same 4,096 frames off the free list: their host pages and nested entries exist
        assertThat(op(r, 2, Counter.GUEST_FRAMES)).isEqualTo(4096);
        assertThat(op(r, 2, Counter.HOST_PAGES_ZEROED)).isZero();
        assertThat(op(r, 2, Counter.PF_FIXED)).isZero();
        assertThat(op(r, 3, Counter.VERIFY_PAGES)).isEqualTo(4096);
        assertThat(op(r, 3, Counter.VERIFY_MISMATCHES)).isZero();
        RunResult touchedOnce = run(mode, true, new Op.Touch(16 * MIB, 0));
        assertThat(r.memory().residentBytes()).isEqualTo(touchedOnce.memory().residentBytes());
    }

    @Test
    void freeOfPresentPagesInvlpgsEachAndExitsUnderShadow() {
        RunResult r = run(MmuMode.SHADOW, true, new Op.Touch(MIB, 0), new Op.Free(MIB, 0));
        assertThat(op(r, 1, Counter.INVLPG)).isEqualTo(256);
        assertThat(op(r, 1, Counter.EXIT_INVLPG)).isEqualTo(256);
        assertThat(op(r, 1, Counter.GUEST_FRAMES)).isEqualTo(-256);
    }

    @Test
    void freeOfUnmappedPagesTakesTheirFramesWithoutInvlpg() {
        RunResult r = run(MmuMode.EPT, true, new Op.Touch(MIB, 0), new Op.Unmap(MIB, 0), new Op.Free(MIB, 0),
                new Op.Free(MIB, 0));
        assertThat(op(r, 2, Counter.GUEST_INVLPG)).isZero();                    // a not-present entry is never cached
        assertThat(op(r, 2, Counter.GUEST_FRAMES)).isEqualTo(-256);
        assertThat(op(r, 3, Counter.GUEST_FRAMES)).isZero();                    // nothing left to free
    }

    @Test
    void freeOfALargePageGivesBackItsFramesWithOneInvlpg() {
        RunResult r = run(MmuMode.EPT, true, new Op.PageSize(Op.PageSize.SHIFT_2M), new Op.Touch(4 * MIB, 0),
                new Op.Free(2 * MIB, 2 * MIB), new Op.Verify());
        assertThat(op(r, 2, Counter.GUEST_FRAMES)).isEqualTo(-512);
        assertThat(op(r, 2, Counter.GUEST_INVLPG)).isEqualTo(1);
        assertThat(op(r, 3, Counter.VERIFY_PAGES)).isEqualTo(512);              // only the first 2 MiB page is still written
        assertThat(op(r, 3, Counter.VERIFY_MISMATCHES)).isZero();
    }

    @ParameterizedTest
    @EnumSource(MmuMode.class)
    void verifyForgetsTheFreedPagesWhileAnotherProcessWritesTheirFrames(MmuMode mode) {
        // process 0 frees half of its 256 pages; process 1 takes those 128 frames and writes its own content there
        RunResult r = run(mode, true, new Op.Processes(2), new Op.Touch(MIB, 0), new Op.Free(MIB / 2, 0),
                new Op.Switch(1, false), new Op.Touch(MIB / 2, 0), new Op.Verify());
        // 128 data pages and process 1's PDPT, PD and PT: 131 frames, of which only the 3 beyond the freed 128 are new
        assertThat(op(r, 4, Counter.GUEST_FRAMES)).isEqualTo(131);
        assertThat(op(r, 4, Counter.HOST_PAGES_ZEROED)).isEqualTo(3);
        assertThat(op(r, 5, Counter.VERIFY_PAGES)).isEqualTo(128 + 128);        // process 0's kept half, process 1's
        assertThat(op(r, 5, Counter.VERIFY_MISMATCHES)).isZero();
    }

    /**
     * With two vCPUs, a {@code free} on vCPU 0 makes vCPU 1 flush its TLB before its next op (the runtime's
     * {@code MB_FLUSH}, docs/guest-model.md): vCPU 1 cached page 0, whose frame vCPU 0 frees and hands to page 1.
     * Without the flush vCPU 1's touch of page 0 would write page 1's frame through its stale entry, and verify
     * would find page 1 overwritten. Under EPT nothing else flushes vCPU 1's TLB.
     */
    @ParameterizedTest
    @EnumSource(MmuMode.class)
    void aFreeOnOneVcpuFlushesTheOtherVcpusTlbBeforeItsNextOp(MmuMode mode) {
        RunResult r = runPinned(machine(64 * MIB, 2), mode,
                on(0, new Op.Touch(4096, 0)),                        // 0
                on(1, new Op.Read(4096, 0)),                         // 1: vCPU 1 caches page 0
                on(0, new Op.Free(4096, 0)),                         // 2: page 0's frame on the free list
                on(0, new Op.Touch(4096, 4096)),                     // 3: page 1 takes it (LIFO)
                on(1, new Op.Touch(4096, 0)),                        // 4: page 0 gets a new frame; vCPU 1 writes it
                on(0, new Op.Verify()));
        assertThat(op(r, 3, Counter.GUEST_FRAMES)).isEqualTo(1);     // the freed frame: no new one
        assertThat(op(r, 4, Counter.STLB_MISSES)).isEqualTo(1);      // vCPU 1 walks again
        assertThat(op(r, 5, Counter.VERIFY_PAGES)).isEqualTo(2);
        assertThat(op(r, 5, Counter.VERIFY_MISMATCHES)).isZero();
    }

    @Test
    void freeOfPartOfALargePageIsRefused() {
        assertThatThrownBy(() -> run(MmuMode.EPT, true, new Op.PageSize(Op.PageSize.SHIFT_2M), new Op.Touch(2 * MIB, 0),
                new Op.Free(MIB, 0)))
                .isInstanceOf(SimException.class)
                .hasMessage("free: the range covers part of the 2 MiB guest page at offset 0x0; unmap, remap and free whole 2 MiB pages");
    }
}
