package org.memvirt.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.memvirt.sim.SimFixtures.MIB;
import static org.memvirt.sim.SimFixtures.op;
import static org.memvirt.sim.SimFixtures.run;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.memvirt.engine.MmuMode;
import org.memvirt.engine.RunResult;
import org.memvirt.workload.Op;

/** {@code free}: frames back on the guest's free list, host memory left resident (docs/guest-model.md). */
class FreeOpTest {

    @ParameterizedTest
    @EnumSource(value = MmuMode.class, names = {"EPT", "NPT"})
    void freedFramesStayResidentAndTheNextTouchReusesThemWithoutAHostFault(MmuMode mode) {
        RunResult r = run(mode, true, new Op.Touch(16 * MIB, 0), new Op.Free(16 * MIB, 0), new Op.Touch(16 * MIB, 0),
                new Op.Verify());
        assertThat(op(r, 1, "guest_frames")).isEqualTo(-4096);
        assertThat(op(r, 1, "guest_invlpg")).isEqualTo(4096);             // every page was present
        assertThat(op(r, 1, "host_pages_zeroed")).isZero();
        // the second touch takes the same 4,096 frames off the free list: their host pages and nested entries exist
        assertThat(op(r, 2, "guest_frames")).isEqualTo(4096);
        assertThat(op(r, 2, "host_pages_zeroed")).isZero();
        assertThat(op(r, 2, "pf_fixed")).isZero();
        assertThat(op(r, 3, "verify_pages")).isEqualTo(4096);
        assertThat(op(r, 3, "verify_errors")).isZero();
        RunResult touchedOnce = run(mode, true, new Op.Touch(16 * MIB, 0));
        assertThat(r.memory().residentBytes()).isEqualTo(touchedOnce.memory().residentBytes());
    }

    @Test
    void freeOfPresentPagesInvlpgsEachAndExitsUnderShadow() {
        RunResult r = run(MmuMode.SHADOW, true, new Op.Touch(MIB, 0), new Op.Free(MIB, 0));
        assertThat(op(r, 1, "invlpg")).isEqualTo(256);
        assertThat(op(r, 1, "exit_invlpg")).isEqualTo(256);
        assertThat(op(r, 1, "guest_frames")).isEqualTo(-256);
    }

    @Test
    void freeOfUnmappedPagesTakesTheirFramesWithoutInvlpg() {
        RunResult r = run(MmuMode.EPT, true, new Op.Touch(MIB, 0), new Op.Unmap(MIB, 0), new Op.Free(MIB, 0),
                new Op.Free(MIB, 0));
        assertThat(op(r, 2, "guest_invlpg")).isZero();                    // a not-present entry is never cached
        assertThat(op(r, 2, "guest_frames")).isEqualTo(-256);
        assertThat(op(r, 3, "guest_frames")).isZero();                    // nothing left to free
    }

    @Test
    void freeOfALargePageGivesBackItsFramesWithOneInvlpg() {
        RunResult r = run(MmuMode.EPT, true, new Op.PageSize(Op.PageSize.SHIFT_2M), new Op.Touch(4 * MIB, 0),
                new Op.Free(2 * MIB, 2 * MIB), new Op.Verify());
        assertThat(op(r, 2, "guest_frames")).isEqualTo(-512);
        assertThat(op(r, 2, "guest_invlpg")).isEqualTo(1);
        assertThat(op(r, 3, "verify_pages")).isEqualTo(512);              // only the first 2 MiB page is still written
        assertThat(op(r, 3, "verify_errors")).isZero();
    }

    @Test
    void freeOfPartOfALargePageIsRefused() {
        assertThatThrownBy(() -> run(MmuMode.EPT, true, new Op.PageSize(Op.PageSize.SHIFT_2M), new Op.Touch(2 * MIB, 0),
                new Op.Free(MIB, 0)))
                .isInstanceOf(SimException.class)
                .hasMessage("free: the range covers part of the 2 MiB guest page at offset 0x0; unmap, remap and free whole 2 MiB pages");
    }
}
