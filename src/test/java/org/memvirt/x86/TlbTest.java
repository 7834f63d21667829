package org.memvirt.x86;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TlbTest {
    static long value(long frame, int shift, boolean global) {
        return TlbEntry.make(frame, shift, Pte.RW | Pte.US | Pte.D | (global ? Pte.G : 0), 7);
    }

    @Test
    void presetsHaveThePublishedGeometry() {
        TlbHierarchy zen5 = new TlbHierarchy(TlbConfig.zen5());
        assertThat(zen5.structures()).extracting(Tlb::name, Tlb::entries, Tlb::ways).containsExactly(
                org.assertj.core.groups.Tuple.tuple("L1 DTLB", 96, 96), org.assertj.core.groups.Tuple.tuple("L1 ITLB", 64, 64),
                org.assertj.core.groups.Tuple.tuple("L2 DTLB", 4096, 16), org.assertj.core.groups.Tuple.tuple("L2 ITLB", 2048, 8));
        TlbHierarchy gc = new TlbHierarchy(TlbConfig.goldenCove());
        assertThat(gc.structures()).extracting(Tlb::entries).containsExactly(96, 32, 8, 256, 32, 2048);
        assertThat(gc.structures().get(0).sets()).isEqualTo(16);
    }

    @Test
    void fullyAssociativeLruKeepsExactlyTheLast96Pages() {
        Tlb l1 = TlbSpec.of("L1", 96, 96, "4K").build();
        for (long p = 0; p < 200; p++) l1.insert(p << 12, 12, 1, 0, Tlb.EPT_NONE, false, value(p << 12, 12, false));
        for (long p = 0; p < 200; p++) {
            long v = l1.lookup(p << 12, 1, 0, Tlb.EPT_NONE);
            assertThat(v != Tlb.MISS).as("page %d", p).isEqualTo(p >= 104);
        }
        assertThat(l1.size()).isEqualTo(96);
    }

    @Test
    void setAssociativeEvictsTheLeastRecentlyUsedWayOfTheSet() {
        Tlb t = new Tlb("t", 8, 2, new int[] {12}, Tlb.Replacement.LRU);   // 4 sets x 2 ways
        long a = 0x0000, b = 0x4000, c = 0x8000;                          // all set 0
        t.insert(a, 12, 0, 0, Tlb.EPT_NONE, false, value(a, 12, false));
        t.insert(b, 12, 0, 0, Tlb.EPT_NONE, false, value(b, 12, false));
        t.lookup(a, 0, 0, Tlb.EPT_NONE);                                  // a is now most recent
        t.insert(c, 12, 0, 0, Tlb.EPT_NONE, false, value(c, 12, false));
        assertThat(t.lookup(a, 0, 0, Tlb.EPT_NONE)).isNotEqualTo(Tlb.MISS);
        assertThat(t.lookup(b, 0, 0, Tlb.EPT_NONE)).isEqualTo(Tlb.MISS);
        assertThat(t.lookup(c, 0, 0, Tlb.EPT_NONE)).isNotEqualTo(Tlb.MISS);
    }

    @Test
    void oneGigabytePageIsSmashedInto2MegabyteEntriesWhereNotHeld() {
        Tlb t = TlbSpec.of("2M only", 16, 4, "4K", "2M").build();
        long la = 0x4000_0000L + 0x0123_4567L;
        assertThat(t.insert(la, 30, 0, 0, Tlb.EPT_NONE, false, value(0x8000_0000L, 30, false))).isTrue();
        long v = t.lookup(la, 0, 0, Tlb.EPT_NONE);
        assertThat(TlbEntry.pageShift(v)).isEqualTo(21);
        assertThat(TlbEntry.pa(v, la)).isEqualTo(0x8123_4567L);
        assertThat(t.lookup(la + (2 << 20), 0, 0, Tlb.EPT_NONE)).isEqualTo(Tlb.MISS);
    }

    @Test
    void invlpgAnywhereInASmashedPageDropsEveryPiece() {
        Tlb t = TlbSpec.of("2M only", 16, 4, "4K", "2M").build();
        long page = 0x4000_0000L;
        t.insert(page + 0x12_3456L, 30, 0, 0, Tlb.EPT_NONE, false, value(0x8000_0000L, 30, false));
        t.insert(page + 0x3FF_0000L, 30, 0, 0, Tlb.EPT_NONE, false, value(0x8000_0000L, 30, false));
        assertThat(t.size()).isEqualTo(2);
        assertThat(TlbEntry.originalShift(t.lookup(page, 0, 0, Tlb.EPT_NONE))).isEqualTo(30);
        assertThat(t.invalidate(page + 0x2000_0000L, 0, 0, Tlb.ANY, true)).isEqualTo(2);
        assertThat(t.size()).isZero();
    }

    @Test
    void invlpgOfOnePageLeavesItsNeighbours() {
        Tlb t = TlbSpec.of("STLB", 2048, 16, "4K", "2M", "1G").build();
        for (long p = 0; p < 64; p++) t.insert(p << 12, 12, 0, 0, Tlb.EPT_NONE, false, value(p << 12, 12, false));
        assertThat(t.invalidate(5L << 12, 0, 0, Tlb.ANY, true)).isEqualTo(1);
        assertThat(t.size()).isEqualTo(63);
        assertThat(t.lookup(5L << 12, 0, 0, Tlb.EPT_NONE)).isEqualTo(Tlb.MISS);
        assertThat(t.lookup(6L << 12, 0, 0, Tlb.EPT_NONE)).isNotEqualTo(Tlb.MISS);
    }

    @Test
    void globalEntryMatchesEveryPcidButNotAnotherVpid() {
        Tlb t = TlbSpec.of("t", 16, 4, "4K").build();
        t.insert(0x1000, 12, 3, 7, Tlb.EPT_NONE, true, value(0x9000, 12, true));
        assertThat(t.lookup(0x1000, 3, 99, Tlb.EPT_NONE)).isNotEqualTo(Tlb.MISS);
        assertThat(t.lookup(0x1000, 4, 7, Tlb.EPT_NONE)).isEqualTo(Tlb.MISS);
        assertThat(t.lookup(0x1000, 3, 7, 0x5000)).isEqualTo(Tlb.MISS);
    }

    @Test
    void l2HitRefillsL1() {
        TlbHierarchy h = new TlbHierarchy(TlbConfig.zen5());
        for (long p = 0; p < 200; p++) h.insert(p << 12, false, 0, 0, Tlb.EPT_NONE, value(p << 12, 12, false));
        assertThat(h.lookup(0, false, 0, 0, Tlb.EPT_NONE)).isNotEqualTo(Tlb.MISS);
        assertThat(h.l2Hits()).isEqualTo(1);
        assertThat(h.lookup(0, false, 0, 0, Tlb.EPT_NONE)).isNotEqualTo(Tlb.MISS);
        assertThat(h.l1Hits()).isEqualTo(1);
    }

    @Test
    void cr3WithNoFlushBitKeepsEntriesAndIsStoredWithoutBit63() {
        AddressSpace as = new AddressSpace(AddressSpace.Kind.NATIVE, 4, 4, 12, 12);
        as.mapPage(0x7f00_0040_1000L);
        Mmu mmu = as.mmu(TlbConfig.zen5(), null);
        CpuMode mode = as.guestMode();
        mode.cr4 |= ControlRegs.CR4_PCIDE;
        mode.cr3 |= 5;
        WalkResult r = new WalkResult();
        mmu.translate(0x7f00_0040_1000L, Access.USER, mode, r);
        mmu.movToCr3(mode.cr3 | ControlRegs.CR3_NOFLUSH, mode);
        assertThat(mode.cr3 & ControlRegs.CR3_NOFLUSH).isZero();
        mmu.translate(0x7f00_0040_1000L, Access.USER, mode, r);
        assertThat(r.tlbHit).isTrue();
        mmu.movToCr3(mode.cr3, mode);
        mmu.translate(0x7f00_0040_1000L, Access.USER, mode, r);
        assertThat(r.tlbHit).isFalse();
        assertThat(r.refs).isEqualTo(4);                                   // the page-walk caches went too
    }

    @Test
    void warmCachesCutA4x4WalkFrom24To2References() {
        AddressSpace as = new AddressSpace(AddressSpace.Kind.EPT, 4, 4, 12, 12);
        long gva = 0x7f00_0040_1000L;
        for (int k = 0; k < 4; k++) as.mapPage(gva ^ ((long) k << 12));
        Mmu mmu = as.mmu(TlbConfig.zen5(), null);
        WalkResult r = new WalkResult();
        mmu.translate(gva ^ 0x1000, Access.USER, as.guestMode(), r);
        assertThat(r.refs).isEqualTo(14);                      // caches fill during the first walk already
        mmu.translate(gva ^ 0x2000, Access.USER, as.guestMode(), r);
        assertThat(r.refs).isEqualTo(2);                       // PDE-cache hit, nested-TLB hit, EPT PDE-cache hit
        mmu.translate(gva, Access.USER, as.guestMode(), r);
        assertThat(r.refs).isEqualTo(2);
        mmu.translate(gva, Access.USER, as.guestMode(), r);
        assertThat(r.tlbHit).isTrue();
        assertThat(r.refs).isZero();
        mmu.invept(1, as.eptp());                              // drops combined and guest-physical mappings
        mmu.translate(gva, Access.USER, as.guestMode(), r);
        assertThat(r.refs).isEqualTo(14);
    }
}
