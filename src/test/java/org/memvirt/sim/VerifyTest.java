package org.memvirt.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.memvirt.sim.SimFixtures.MIB;
import static org.memvirt.sim.SimFixtures.machine;
import static org.memvirt.sim.SimFixtures.op;

import java.time.Duration;
import java.util.function.Consumer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.memvirt.host.MmuMode;
import org.memvirt.engine.Counter;
import org.memvirt.engine.RunListener;
import org.memvirt.engine.RunResult;
import org.memvirt.engine.RunSpec;
import org.memvirt.workload.Op;

/**
 * {@code verify} checks what each process wrote at each virtual page by walking the guest's page tables, so a
 * corrupted translation inserted between two steps (a test hook standing in for an MMU bug) is a mismatch.
 */
class VerifyTest {
    private static final long PAGES = 4;
    private static final long BYTES = PAGES * 4096;
    // touch all 4 pages, [hook], write them all again with other content, verify
    private static final Op[] OPS = {
        new Op.Touch(BYTES, 0), new Op.Fill(BYTES, 0, new Op.Content.Unique()), new Op.Verify()
    };

    /** Runs {@link #OPS}, calling {@code hook} on the VM after the first step only. */
    private static RunResult run(MmuMode mode, Consumer<SimVm> hook) {
        RunSpec spec = new RunSpec(machine(64 * MIB, 1), SimFixtures.workload(OPS), mode, true, "zen5",
                Duration.ofMinutes(1), 1);
        int[] step = {0};
        return new SimEngine().run(spec, RunListener.NONE, vm -> { if (step[0]++ == 0) hook.accept(vm); });
    }

    private static long frameOf(SimVm vm, long page) {
        return vm.guest.frameOf(vm.guest.running, GuestOs.REGION_BASE + page * 4096);
    }

    @ParameterizedTest
    @EnumSource(MmuMode.class)
    void anUncorruptedRunVerifiesEveryWrittenPage(MmuMode mode) {
        RunResult r = run(mode, vm -> {});
        assertThat(op(r, 2, Counter.VERIFY_PAGES)).isEqualTo(PAGES);
        assertThat(op(r, 2, Counter.VERIFY_MISMATCHES)).isZero();
    }

    @Test
    void aShadowLeafPointingToAnotherFrameIsAVerifyError() {
        RunResult r = run(MmuMode.SHADOW, vm -> {
            Vcpu v = vm.vcpus.get(0);
            ((ShadowMmu) vm.mmu).repointLeafForTest(v, GuestOs.REGION_BASE + 4096, frameOf(vm, 2));
            v.tlb.flushAll();                                 // so the next access walks the corrupted spte
        });
        // page 1's fill lands in page 2's frame, which page 2's own fill then overwrites: page 1 keeps its touch value
        assertThat(op(r, 2, Counter.VERIFY_PAGES)).isEqualTo(PAGES);
        assertThat(op(r, 2, Counter.VERIFY_MISMATCHES)).isEqualTo(1);
    }

    @ParameterizedTest
    @EnumSource(value = MmuMode.class, names = {"EPT", "NPT"})
    void aTdpLeafPointingToAnotherHostPageIsAVerifyError(MmuMode mode) {
        RunResult r = run(mode, vm -> {
            ((TdpMmu) vm.mmu).repointLeafForTest(frameOf(vm, 1), frameOf(vm, 2));
            vm.vcpus.get(0).tlb.flushAll();
        });
        assertThat(op(r, 2, Counter.VERIFY_MISMATCHES)).isEqualTo(1);
    }

    @ParameterizedTest
    @EnumSource(MmuMode.class)
    void aStaleTlbEntryTheModelHonoursIsAVerifyError(MmuMode mode) {
        RunResult r = run(mode, vm -> {
            Vcpu v = vm.vcpus.get(0);
            long vpn = (GuestOs.REGION_BASE >>> 12) + 1;
            v.tlb.fill(GuestTlb.key(v.tag, vpn), frameOf(vm, 3) << 1 | 1);   // page 1 -> page 3's frame, writable
        });
        assertThat(op(r, 2, Counter.VERIFY_MISMATCHES)).isEqualTo(1);
    }

    @ParameterizedTest
    @EnumSource(MmuMode.class)
    void aLostWriteIsAVerifyError(MmuMode mode) {
        int[] step = {0};
        RunSpec spec = new RunSpec(machine(64 * MIB, 1), SimFixtures.workload(new Op.Touch(BYTES, 0), new Op.Verify()),
                mode, true, "zen5", Duration.ofMinutes(1), 1);
        RunResult r = new SimEngine().run(spec, RunListener.NONE, vm -> {
            if (step[0]++ == 0) vm.host.access(vm.vmId, vm.ram.gfnToRamPage(frameOf(vm, 0)), true, 0x1234);
        });
        assertThat(op(r, 1, Counter.VERIFY_MISMATCHES)).isEqualTo(1);
    }

    @ParameterizedTest
    @EnumSource(MmuMode.class)
    void unmappedPagesAndZeroFillsAreVerifiedThroughTheRememberedFrame(MmuMode mode) {
        RunResult r = SimFixtures.run(mode, true, new Op.Touch(BYTES, 0), new Op.Fill(4096, 0, new Op.Content.Zero()),
                new Op.Unmap(2 * 4096, 0), new Op.Verify());
        assertThat(op(r, 3, Counter.VERIFY_PAGES)).isEqualTo(PAGES);
        assertThat(op(r, 3, Counter.VERIFY_MISMATCHES)).isZero();
    }

    @Test
    void processesAreVerifiedSeparately() {
        // process 1 writes the same region pages as process 0, into its own frames: 8 pages, no mismatch
        RunResult r = SimFixtures.run(MmuMode.SHADOW, true, new Op.Touch(BYTES, 0), new Op.Processes(2),
                new Op.Switch(1, false), new Op.Touch(BYTES, 0), new Op.Verify());
        assertThat(op(r, 4, Counter.VERIFY_PAGES)).isEqualTo(2 * PAGES);
        assertThat(op(r, 4, Counter.VERIFY_MISMATCHES)).isZero();
    }
}
