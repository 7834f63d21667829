package org.memvirt.x86;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

/** The 2D walker is the composition of the guest 1D walk and the EPT 1D walk; caches never change an answer. */
class Walker2dProperties {
    /** One guest page: where, how big, its flags, and whether and how EPT maps its data. */
    record Page(long gva, int guestShift, long guestFlags, long hpa, int hostShift, long eptPerms, boolean hostMapped) {}

    @Provide
    Arbitrary<Page> pages() {
        Arbitrary<Long> gva = Arbitraries.longs().between(0, (1L << 47) - 1).map(v -> v & ~0xFFFL);
        Arbitrary<Integer> gshift = Arbitraries.of(12, 12, 12, 21, 30);
        Arbitrary<Long> gflags = Arbitraries.of(Pte.P | Pte.RW | Pte.US, Pte.P | Pte.US, Pte.P | Pte.RW,
                Pte.P | Pte.US | Pte.XD, Pte.P | Pte.RW | Pte.US | Pte.G);
        Arbitrary<Long> hpa = Arbitraries.longs().between(1L << 32, (1L << 40) - 1).map(v -> v & ~0x3FFF_FFFFL);
        Arbitrary<Integer> hshift = Arbitraries.of(12, 21, 30);
        Arbitrary<Long> perms = Arbitraries.of(EptEntry.RWX, EptEntry.R, EptEntry.R | EptEntry.W, EptEntry.R | EptEntry.X);
        return Combinators.combine(gva, gshift, gflags, hpa, hshift, perms, Arbitraries.of(true, true, true, false))
                .as(Page::new);
    }

    @Property(tries = 150)
    void twoDimensionalWalkEqualsComposedWalks(@ForAll @Size(min = 1, max = 12) List<@net.jqwik.api.From("pages") Page> pages,
                                               @ForAll("accesses") int access, @ForAll boolean eptAd) {
        AddressSpace as = new AddressSpace(AddressSpace.Kind.EPT, 4, 4, Paging.SHIFT_4K, Paging.SHIFT_4K);
        as.eptAccessedDirty(eptAd);
        for (Page p : pages) install(as, p);
        Walker guest1d = new Walker(new OffsetPhysMemory(as.hostMemory(), AddressSpace.HOST_OFFSET));
        EptWalker ept1d = new EptWalker(as.hostMemory(), as.eptp());
        LinearTranslator w2d = as.coldWalker(null);
        Mmu cached = as.mmu(TlbConfig.zen5(), null);
        WalkResult g = new WalkResult(), e = new WalkResult(), two = new WalkResult(), c = new WalkResult();
        for (int round = 0; round < 2; round++) {
            for (Page p : pages) {
                long gva = p.gva() | 0x568;
                boolean gOk = guest1d.translate(gva, access, as.guestMode(), g);
                w2d.translate(gva, access, as.guestMode(), two);
                cached.translate(gva, access, as.guestMode(), c);
                if (!gOk) {
                    assertThat(two.fault).isEqualTo(g.fault);
                    assertThat(two.errorCode).isEqualTo(g.errorCode);
                } else {
                    e.la = gva;
                    long hpa = ept1d.finalGpaToHpa(g.pa, access, e);
                    if (hpa < 0) {
                        assertThat(two.fault).isEqualTo(WalkResult.EPT_VIOLATION);
                        assertThat(two.errorCode).isEqualTo(e.errorCode);
                        assertThat(two.faultGpa).isEqualTo(g.pa);
                    } else {
                        assertThat(two.fault).isEqualTo(WalkResult.NONE);
                        assertThat(two.gpa).isEqualTo(g.pa);
                        assertThat(two.pa).isEqualTo(hpa);
                    }
                }
                assertThat(c.fault).isEqualTo(two.fault);
                assertThat(c.errorCode).isEqualTo(two.errorCode);
                if (two.ok()) assertThat(c.pa).isEqualTo(two.pa);
            }
        }
    }

    @Provide
    Arbitrary<Integer> accesses() {
        return Arbitraries.of(Access.USER, Access.USER | Access.WRITE, Access.USER | Access.FETCH, 0, Access.WRITE);
    }

    /** Maps the guest page unless its range collides with an earlier mapping of another size. */
    static void install(AddressSpace as, Page p) {
        long gva = p.gva() & ~((1L << p.guestShift()) - 1);
        long gpa = AddressSpace.dataGpa(gva);
        try {
            as.mapGuest(gva, gpa, p.guestShift(), p.guestFlags());
        } catch (X86Exception collision) {
            return;
        }
        if (!p.hostMapped()) return;
        long dataGpa = AddressSpace.dataGpa(p.gva() | 0x568);
        long hsize = 1L << p.hostShift();
        long hostPage = dataGpa & ~(hsize - 1);
        try {
            as.mapHost(hostPage, p.hpa() & ~(hsize - 1), p.hostShift(),
                    p.eptPerms() | ((long) EptEntry.MT_WB << EptEntry.MT_SHIFT));
        } catch (X86Exception collision) {
            // another page already maps that gpa with a different size: keep it
        }
    }
}
