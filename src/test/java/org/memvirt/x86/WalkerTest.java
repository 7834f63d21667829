package org.memvirt.x86;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class WalkerTest {
    static final long LA = 0x0000_7F00_0040_1123L;
    SparsePhysMemory mem;
    PageTableBuilder b;
    CpuMode mode;
    final WalkResult r = new WalkResult();

    @BeforeEach
    void setUp() {
        mem = new SparsePhysMemory();
        b = new PageTableBuilder(mem, FrameAllocator.bump(0x10_0000, 0x4000_0000), PageTableBuilder.Format.X86, 4);
        mode = CpuMode.longMode(b.root());
    }

    boolean walk(long la, int access) {
        return new Walker(mem).translate(la, access, mode, r);
    }

    @Test
    void fourKilobytePageTranslatesAndSetsAccessedThenDirty() {
        b.map(LA & ~0xFFFL, 0x5555_5000L, Paging.SHIFT_4K, Pte.P | Pte.RW | Pte.US);
        assertThat(walk(LA, Access.USER)).isTrue();
        assertThat(r.pa).isEqualTo(0x5555_5123L);
        assertThat(r.refs).isEqualTo(4);
        for (int level = 4; level >= 1; level--) assertThat(mem.readLong(b.entryAddress(LA, level)) & Pte.A).isEqualTo(Pte.A);
        assertThat(mem.readLong(b.entryAddress(LA, 1)) & Pte.D).isZero();
        assertThat(walk(LA, Access.USER | Access.WRITE)).isTrue();
        assertThat(mem.readLong(b.entryAddress(LA, 1)) & Pte.D).isEqualTo(Pte.D);
        assertThat(mem.readLong(b.entryAddress(LA, 2)) & Pte.D).isZero();    // D only in the leaf
    }

    @Test
    void noAccessedOrDirtyUpdateWhenTheAccessFaults() {
        b.map(LA & ~0xFFFL, 0x5555_5000L, Paging.SHIFT_4K, Pte.P | Pte.US);
        assertThat(walk(LA, Access.USER | Access.WRITE)).isFalse();
        assertThat(r.errorCode).isEqualTo(PfErrorCode.P | PfErrorCode.W | PfErrorCode.U);
        assertThat(mem.readLong(b.entryAddress(LA, 1)) & (Pte.A | Pte.D)).isZero();
    }

    @Test
    void twoMegabyteAndOneGigabytePages() {
        b.map(0x4000_0000L, 0x8000_0000L, Paging.SHIFT_1G, Pte.P | Pte.RW);
        b.map(0x20_0000L, 0xC0_0000L, Paging.SHIFT_2M, Pte.P | Pte.RW);
        assertThat(walk(0x4123_4567L, 0)).isTrue();
        assertThat(r.pa).isEqualTo(0x8123_4567L);
        assertThat(r.refs).isEqualTo(2);
        assertThat(r.pageShift).isEqualTo(30);
        assertThat(walk(0x21_2345L, 0)).isTrue();
        assertThat(r.pa).isEqualTo(0xC1_2345L);
        assertThat(r.refs).isEqualTo(3);
        assertThat(r.pageShift).isEqualTo(21);
    }

    @Test
    void notPresentErrorCodesCarryWUAndIdButNotP() {
        assertThat(walk(LA, Access.USER | Access.WRITE)).isFalse();
        assertThat(r.fault).isEqualTo(WalkResult.PAGE_FAULT);
        assertThat(r.errorCode).isEqualTo(PfErrorCode.W | PfErrorCode.U);
        assertThat(r.refs).isEqualTo(1);
        assertThat(walk(LA, Access.FETCH)).isFalse();
        assertThat(r.errorCode).isEqualTo(PfErrorCode.ID);
        mode.efer &= ~ControlRegs.EFER_NXE;                                 // I/D needs NXE or SMEP (§4.7)
        assertThat(walk(LA, Access.FETCH)).isFalse();
        assertThat(r.errorCode).isZero();
        mode.cr4 |= ControlRegs.CR4_SMEP;
        assertThat(walk(LA, Access.FETCH)).isFalse();
        assertThat(r.errorCode).isEqualTo(PfErrorCode.ID);
    }

    @Test
    void reservedBitGivesRsvdEvenWhenRightsWouldAlsoFail() {
        b.map(LA & ~0xFFFL, 0x5555_5000L, Paging.SHIFT_4K, Pte.P);         // supervisor read-only
        long pde = b.entryAddress(LA, 2);
        mem.writeLong(pde, mem.readLong(pde) | (1L << 50));                // above MAXPHYADDR 48
        assertThat(walk(LA, Access.USER | Access.WRITE)).isFalse();
        assertThat(r.errorCode).isEqualTo(PfErrorCode.P | PfErrorCode.W | PfErrorCode.U | PfErrorCode.RSVD);
        assertThat(r.refs).isEqualTo(3);
    }

    @Test
    void executeDisableIsReservedWithoutNxe() {
        b.map(LA & ~0xFFFL, 0x5555_5000L, Paging.SHIFT_4K, Pte.P | Pte.US | Pte.XD);
        mode.efer &= ~ControlRegs.EFER_NXE;
        assertThat(walk(LA, Access.USER)).isFalse();
        assertThat(r.errorCode).isEqualTo(PfErrorCode.P | PfErrorCode.U | PfErrorCode.RSVD);
    }

    @Test
    void reservedBitsInNotPresentEntriesAreIgnored() {
        long pml4e = b.root() + 8L * Paging.index(LA, 4);
        mem.writeLong(pml4e, 0xFFFF_FFFF_FFFF_FFFEL);                     // P = 0, everything else set
        assertThat(walk(LA, 0)).isFalse();
        assertThat(r.errorCode).isZero();
    }

    @Test
    void nonCanonicalAddressIsGeneralProtectionNotPageFault() {
        assertThat(walk(0x0000_8000_0000_0000L, 0)).isFalse();
        assertThat(r.fault).isEqualTo(WalkResult.GP);
        assertThat(r.refs).isZero();
    }

    @Test
    void fiveLevelWalkUsesBits56To48() {
        PageTableBuilder b5 = new PageTableBuilder(mem, FrameAllocator.bump(0x800_0000, 0x900_0000),
                PageTableBuilder.Format.X86, 5);
        long la = 0x00AB_CDEF_0123_4000L;
        b5.map(la, 0x7000L, Paging.SHIFT_4K, Pte.P);
        CpuMode m5 = CpuMode.longMode(b5.root());
        m5.cr4 |= ControlRegs.CR4_LA57;
        assertThat(new Walker(mem).translate(la | 0x42, 0, m5, r)).isTrue();
        assertThat(r.pa).isEqualTo(0x7042L);
        assertThat(r.refs).isEqualTo(5);
        assertThat(Paging.index(la, 5)).isEqualTo(0xAB);
    }

    @Test
    void builderUnmapsAndReprotectsLeavesOfAnySize() {
        b.map(0x20_0000L, 0xC0_0000L, Paging.SHIFT_2M, Pte.P | Pte.RW | Pte.US);
        b.map(LA & ~0xFFFL, 0x5555_5000L, Paging.SHIFT_4K, Pte.P | Pte.RW | Pte.US);
        assertThat(b.leafEntryAddress(0x21_0000L)).isEqualTo(b.entryAddress(0x20_0000L, 2));
        long old = b.protect(0x21_0000L, Pte.P | Pte.US);
        assertThat(old).isEqualTo(0xC0_0000L | Pte.P | Pte.RW | Pte.US | Pte.PS);
        assertThat(walk(0x21_0000L, Access.USER | Access.WRITE)).isFalse();
        assertThat(r.errorCode).isEqualTo(PfErrorCode.P | PfErrorCode.W | PfErrorCode.U);
        assertThat(walk(0x21_0000L, Access.USER)).isTrue();
        assertThat(r.pa).isEqualTo(0xC1_0000L);
        assertThat(b.unmap(LA)).isEqualTo(0x5555_5000L | Pte.P | Pte.RW | Pte.US);
        assertThat(walk(LA, Access.USER)).isFalse();
        assertThat(r.errorCode).isEqualTo(PfErrorCode.U);
        assertThat(b.unmap(LA)).isZero();
        assertThat(b.leafEntryAddress(LA)).isEqualTo(-1);
    }

    @Test
    void globalFlagReportedOnlyWithPge() {
        b.map(LA & ~0xFFFL, 0x5555_5000L, Paging.SHIFT_4K, Pte.P | Pte.G);
        assertThat(walk(LA, 0)).isTrue();
        assertThat(r.rights & Pte.G).isZero();
        mode.cr4 |= ControlRegs.CR4_PGE;
        assertThat(walk(LA, 0)).isTrue();
        assertThat(r.rights & Pte.G).isEqualTo(Pte.G);
    }

    @Test
    void sameWalkerRunsOnARealMemorySegment() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ram = arena.allocate(1 << 20, 4096);
            SegmentPhysMemory seg = new SegmentPhysMemory(ram, 0);
            PageTableBuilder sb = new PageTableBuilder(seg, FrameAllocator.bump(0x1000, 1 << 20),
                    PageTableBuilder.Format.X86, 4);
            sb.map(LA & ~0xFFFL, 0xABC000L, Paging.SHIFT_4K, Pte.P | Pte.RW | Pte.US);
            assertThat(new Walker(seg).translate(LA, Access.USER | Access.WRITE, CpuMode.longMode(sb.root()), r)).isTrue();
            assertThat(r.pa).isEqualTo(0xABC123L);
            long leafAt = sb.entryAddress(LA, 1);
            assertThat(ram.get(java.lang.foreign.ValueLayout.JAVA_BYTE, leafAt)).isEqualTo((byte) 0x67); // P RW US A D
        }
    }
}
