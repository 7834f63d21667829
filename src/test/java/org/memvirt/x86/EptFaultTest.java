package org.memvirt.x86;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** EPT violation versus misconfiguration, the exit qualification, EPT A/D, and NPT's #VMEXIT(NPF). */
class EptFaultTest {
    static final long GVA = 0x7f00_0040_1000L;
    final WalkResult r = new WalkResult();

    static AddressSpace space(boolean ad) {
        AddressSpace as = new AddressSpace(AddressSpace.Kind.EPT, 4, 4, Paging.SHIFT_4K, Paging.SHIFT_4K);
        as.eptAccessedDirty(ad);
        as.mapPage(GVA);
        return as;
    }

    static long eptLeafOf(AddressSpace as, long gpa) {
        return as.nestedTables().entryAddress(gpa, 1);
    }

    @Test
    void unmappedDataGpaIsViolationOnTheFinalTranslation() {
        AddressSpace as = space(true);
        as.mapGuest(0x7f00_0060_0000L, 0x9_0000_0000L, Paging.SHIFT_4K, Pte.P | Pte.RW | Pte.US);
        as.coldWalker(null).translate(0x7f00_0060_0000L, Access.USER | Access.WRITE, as.guestMode(), r);
        assertThat(r.fault).isEqualTo(WalkResult.EPT_VIOLATION);
        assertThat(r.faultGpa).isEqualTo(0x9_0000_0000L);
        assertThat(r.errorCode).isEqualTo(EptViolation.WRITE | EptViolation.GLA_VALID | EptViolation.GLA_TRANSLATION);
    }

    @Test
    void readOnlyDataPageGivesViolationWithReadableBit() {
        AddressSpace as = space(false);
        long leaf = eptLeafOf(as, AddressSpace.dataGpa(GVA));
        SparsePhysMemory host = as.hostMemory();
        host.writeLong(leaf, host.readLong(leaf) & ~(EptEntry.W | EptEntry.X));
        as.coldWalker(null).translate(GVA, Access.USER | Access.WRITE, as.guestMode(), r);
        assertThat(r.fault).isEqualTo(WalkResult.EPT_VIOLATION);
        assertThat(r.errorCode).isEqualTo(EptViolation.WRITE | EptViolation.READABLE | EptViolation.GLA_VALID
                | EptViolation.GLA_TRANSLATION);
        assertThat(r.refs).isEqualTo(24);
        as.coldWalker(null).translate(GVA, Access.USER | Access.FETCH, as.guestMode(), r);
        assertThat(r.errorCode).isEqualTo(EptViolation.FETCH | EptViolation.READABLE | EptViolation.GLA_VALID
                | EptViolation.GLA_TRANSLATION);
    }

    @Test
    void readOnlyGuestTablePageIsViolationOnlyWhenEptAdTreatsTableAccessesAsWrites() {
        for (boolean ad : new boolean[] {false, true}) {
            AddressSpace as = space(ad);
            long pdGpa = as.guestTables().entryAddress(GVA, 2) & ~0xFFFL;
            long leaf = eptLeafOf(as, pdGpa);
            SparsePhysMemory host = as.hostMemory();
            host.writeLong(leaf, host.readLong(leaf) & ~EptEntry.W);
            // the guest PDE already has A set from an earlier walk, so without EPT A/D nothing writes that page
            long pde = as.guestTables().entryAddress(GVA, 2) + AddressSpace.HOST_OFFSET;
            host.writeLong(pde, host.readLong(pde) | Pte.A);
            as.coldWalker(null).translate(GVA, Access.USER, as.guestMode(), r);
            if (ad) {
                assertThat(r.fault).isEqualTo(WalkResult.EPT_VIOLATION);
                assertThat(r.faultGpa).isEqualTo(as.guestTables().entryAddress(GVA, 2));
                assertThat(r.errorCode).isEqualTo(EptViolation.READ | EptViolation.WRITE | EptViolation.READABLE
                        | EptViolation.EXECUTABLE | EptViolation.GLA_VALID);     // bit 8 clear: a paging-structure access
                assertThat(r.refs).isEqualTo(2 * 5 + 4);
            } else {
                assertThat(r.fault).isEqualTo(WalkResult.NONE);
            }
        }
    }

    @Test
    void settingGuestAccessedFlagInReadOnlyTableIsAWriteViolationWithoutEptAd() {
        AddressSpace as = space(false);
        long ptGpa = as.guestTables().entryAddress(GVA, 1) & ~0xFFFL;
        long leaf = eptLeafOf(as, ptGpa);
        SparsePhysMemory host = as.hostMemory();
        host.writeLong(leaf, host.readLong(leaf) & ~EptEntry.W);
        as.coldWalker(null).translate(GVA, Access.USER, as.guestMode(), r);
        assertThat(r.fault).isEqualTo(WalkResult.EPT_VIOLATION);
        assertThat(r.faultGpa).isEqualTo(as.guestTables().entryAddress(GVA, 1));
        assertThat(r.errorCode).isEqualTo(EptViolation.WRITE | EptViolation.READABLE | EptViolation.EXECUTABLE
                | EptViolation.GLA_VALID);
    }

    @Test
    void eptAccessedAndDirtyFlagsFollowEptp6() {
        AddressSpace as = space(true);
        as.coldWalker(null).translate(GVA, Access.USER | Access.WRITE, as.guestMode(), r);
        assertThat(r.ok()).isTrue();
        SparsePhysMemory host = as.hostMemory();
        long dataLeaf = host.readLong(eptLeafOf(as, AddressSpace.dataGpa(GVA)));
        assertThat(dataLeaf & (EptEntry.A | EptEntry.D)).isEqualTo(EptEntry.A | EptEntry.D);
        long tableLeaf = host.readLong(eptLeafOf(as, as.guestTables().root()));
        assertThat(tableLeaf & (EptEntry.A | EptEntry.D)).isEqualTo(EptEntry.A | EptEntry.D); // table reads are writes
        AddressSpace off = space(false);
        off.coldWalker(null).translate(GVA, Access.USER | Access.WRITE, off.guestMode(), r);
        assertThat(off.hostMemory().readLong(eptLeafOf(off, AddressSpace.dataGpa(GVA))) & (EptEntry.A | EptEntry.D)).isZero();
    }

    @Test
    void writeOnlyEntryIsMisconfigurationEvenBelowANotWritableLevel() {
        AddressSpace as = space(true);
        long leaf = eptLeafOf(as, AddressSpace.dataGpa(GVA));
        SparsePhysMemory host = as.hostMemory();
        host.writeLong(leaf, (host.readLong(leaf) & ~EptEntry.RWX) | EptEntry.W);
        as.coldWalker(null).translate(GVA, Access.USER, as.guestMode(), r);
        assertThat(r.fault).isEqualTo(WalkResult.EPT_MISCONFIG);
        assertThat(r.faultGpa).isEqualTo(AddressSpace.dataGpa(GVA));
        assertThat(r.refs).isEqualTo(24);
    }

    @Test
    void reservedMemoryTypeInLeafIsMisconfiguration() {
        AddressSpace as = space(true);
        long leaf = eptLeafOf(as, AddressSpace.dataGpa(GVA));
        SparsePhysMemory host = as.hostMemory();
        host.writeLong(leaf, (host.readLong(leaf) & ~EptEntry.MT_MASK) | (7L << 3));
        as.coldWalker(null).translate(GVA, Access.USER, as.guestMode(), r);
        assertThat(r.fault).isEqualTo(WalkResult.EPT_MISCONFIG);
    }

    @Test
    void nptFaultReportsErrorCodeAndWhetherAGuestTableOrTheFinalGpaFailed() {
        AddressSpace as = new AddressSpace(AddressSpace.Kind.NPT, 4, 4, Paging.SHIFT_4K, Paging.SHIFT_4K);
        as.mapPage(GVA);
        as.mapGuest(0x7f00_0060_0000L, 0x9_0000_0000L, Paging.SHIFT_4K, Pte.P | Pte.RW | Pte.US);
        as.coldWalker(null).translate(0x7f00_0060_0000L, Access.USER | Access.WRITE, as.guestMode(), r);
        assertThat(r.fault).isEqualTo(WalkResult.NPF);
        assertThat(r.errorCode).isEqualTo(NptFault.GUEST_FINAL | PfErrorCode.W | PfErrorCode.U);
        assertThat(r.faultGpa).isEqualTo(0x9_0000_0000L);
        long pdGpa = as.guestTables().entryAddress(GVA, 2) & ~0xFFFL;
        long nptLeaf = as.nestedTables().entryAddress(pdGpa, 1);
        SparsePhysMemory host = as.hostMemory();
        host.writeLong(nptLeaf, host.readLong(nptLeaf) & ~Pte.RW);
        as.coldWalker(null).translate(GVA, Access.USER, as.guestMode(), r);
        assertThat(r.fault).isEqualTo(WalkResult.NPF);
        assertThat(r.errorCode).isEqualTo(NptFault.GUEST_PAGE | PfErrorCode.P | PfErrorCode.W | PfErrorCode.U);
    }

    @Test
    void guestPageFaultInsideA2dWalkIsAnOrdinaryPageFault() {
        AddressSpace as = space(true);
        as.coldWalker(null).translate(GVA + 0x1000, Access.USER, as.guestMode(), r);
        assertThat(r.fault).isEqualTo(WalkResult.PAGE_FAULT);
        assertThat(r.errorCode).isEqualTo(PfErrorCode.U);
        assertThat(r.refs).isEqualTo(20);                                  // 4 guest entries, each behind 4 EPT refs
    }
}
