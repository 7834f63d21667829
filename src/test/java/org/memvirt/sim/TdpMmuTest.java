package org.memvirt.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.memvirt.sim.SimFixtures.MIB;
import static org.memvirt.sim.SimFixtures.machine;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.memvirt.engine.RunListener;
import org.memvirt.engine.RunSpec;
import org.memvirt.host.MmuMode;
import org.memvirt.workload.Op;

class TdpMmuTest {
    // frames in allocation order for "read 4K at 0; touch 4K at 4K": PDPT, PD, PT, data 0, data 1 from 2 MiB up
    private static final long FIRST = 0x200;
    private static final long DATA0 = FIRST + 3, DATA1 = FIRST + 4;

    private static TdpMmu runThenInspect(MmuMode mode) {
        AtomicReference<TdpMmu> mmu = new AtomicReference<>();
        RunSpec spec = new RunSpec(machine(64 * MIB, 1), SimFixtures.workload(new Op.Read(4096, 0), new Op.Touch(4096, 4096)),
                mode, true, "zen5", Duration.ofMinutes(1), 1);
        new SimEngine().run(spec, RunListener.NONE, vm -> mmu.set((TdpMmu) vm.mmu));
        return mmu.get();
    }

    @Test
    void eptLeavesAreReadOnlyOverTheZeroPageAndRwxWhenWritten() {
        TdpMmu ept = runThenInspect(MmuMode.EPT);
        long read = ept.peekLeaf(DATA0), written = ept.peekLeaf(DATA1);
        assertThat(read & TdpMmu.EPT_RWX).isEqualTo(5);      // SDM Table 28-6 bits 2:0: R and X over the zero page
        assertThat(written & TdpMmu.EPT_RWX).isEqualTo(7);
        assertThat(read & (TdpMmu.EPT_A | TdpMmu.EPT_D)).isEqualTo(TdpMmu.EPT_A);
        assertThat(written & (TdpMmu.EPT_A | TdpMmu.EPT_D)).isEqualTo(TdpMmu.EPT_A | TdpMmu.EPT_D);
        assertThat(Paging.pteToGfn(written)).isEqualTo(DATA1);             // below 4 GiB the RAM page is the gfn
        // guest page-table pages are written by the walker's A/D assists: dirty under EPTP[6]
        assertThat(ept.peekLeaf(FIRST + 2) & TdpMmu.EPT_D).isEqualTo(TdpMmu.EPT_D);
        assertThat(ept.peekLeaf(FIRST + 100)).isZero();                   // never touched, never mapped
    }

    @Test
    void nptLeavesUseTheOrdinaryFormat() {
        TdpMmu npt = runThenInspect(MmuMode.NPT);
        long read = npt.peekLeaf(DATA0), written = npt.peekLeaf(DATA1);
        assertThat(read & (Paging.P | Paging.RW | Paging.US)).isEqualTo(5);   // read-only over the zero page
        assertThat(written & (Paging.P | Paging.RW | Paging.US)).isEqualTo(7);
        assertThat(read & (Paging.A | Paging.D)).isEqualTo(Paging.A);
        assertThat(written & (Paging.A | Paging.D)).isEqualTo(Paging.A | Paging.D);
    }
}
