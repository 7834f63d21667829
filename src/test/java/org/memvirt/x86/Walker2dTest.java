package org.memvirt.x86;

import static org.assertj.core.api.Assertions.assertThat;
import static org.memvirt.x86.Paging.SHIFT_1G;
import static org.memvirt.x86.Paging.SHIFT_2M;
import static org.memvirt.x86.Paging.SHIFT_4K;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class Walker2dTest {
    static final long GVA = 0x7f00_0040_1000L;

    static WalkResult cold(AddressSpace.Kind kind, int n, int m, int gps, int hps, RefLog log) {
        AddressSpace as = new AddressSpace(kind, n, m, gps, hps);
        as.mapPage(GVA);
        WalkResult r = new WalkResult();
        as.coldWalker(log).translate(GVA, Access.READ | Access.USER, as.guestMode(), r);
        return r;
    }

    @ParameterizedTest(name = "{0} {1}x{2} guest {3} host {4}: {5} refs")
    @CsvSource({
        "EPT, 4, 4, 4K, 4K, 24",       // (4+1)(4+1)-1
        "EPT, 4, 5, 4K, 4K, 29",       // (4+1)(5+1)-1
        "EPT, 5, 5, 4K, 4K, 35",       // (5+1)(5+1)-1
        "EPT, 5, 4, 4K, 4K, 29",
        "EPT, 4, 4, 2M, 4K, 19",       // (3+1)(4+1)-1
        "EPT, 4, 4, 4K, 2M, 19",       // (4+1)(3+1)-1
        "EPT, 4, 4, 2M, 2M, 15",       // (3+1)(3+1)-1
        "EPT, 4, 4, 1G, 1G, 8",        // (2+1)(2+1)-1
        "NPT, 4, 4, 4K, 4K, 24",
        "NPT, 5, 5, 4K, 4K, 35",
        "NPT, 4, 4, 2M, 4K, 19",
        "NATIVE, 4, 4, 4K, 4K, 4",
        "NATIVE, 5, 4, 4K, 4K, 5",
        "SHADOW, 4, 4, 4K, 4K, 4",
        "SHADOW, 4, 4, 2M, 4K, 4",     // the shadow table maps the smaller page
        "NATIVE, 4, 4, 2M, 4K, 3",
    })
    void coldWalkMakesNPlusOneTimesMPlusOneMinusOneReferences(AddressSpace.Kind kind, int n, int m, String gp,
                                                             String hp, int refs) {
        RefLog log = new RefLog();
        WalkResult r = cold(kind, n, m, Paging.parsePageSize(gp), Paging.parsePageSize(hp), log);
        assertThat(r.fault).isEqualTo(WalkResult.NONE);
        assertThat(r.refs).isEqualTo(refs);
        assertThat(log.size()).isEqualTo(refs);
    }

    @Test
    void referencesComeInSdmOrderForFourByFour() {
        RefLog log = new RefLog();
        WalkResult r = cold(AddressSpace.Kind.EPT, 4, 4, SHIFT_4K, SHIFT_4K, log);
        List<MemRef> refs = log.toList("guest", "ept");
        // each guest level: 4 EPT refs for the table's gpa, then the guest entry; then 4 EPT refs for the data gpa
        StringBuilder order = new StringBuilder();
        for (MemRef ref : refs) order.append(ref.dim().charAt(0)).append(ref.level());
        assertThat(order.toString()).isEqualTo("e4e3e2e1g4" + "e4e3e2e1g3" + "e4e3e2e1g2" + "e4e3e2e1g1" + "e4e3e2e1");
        assertThat(refs.get(24 - 1).gpa()).isEqualTo(AddressSpace.dataGpa(GVA));
        assertThat(r.gpa).isEqualTo(AddressSpace.dataGpa(GVA));
        assertThat(r.pa).isEqualTo(AddressSpace.dataGpa(GVA) + AddressSpace.HOST_OFFSET);
    }

    @Test
    void largePagesOnBothSidesGiveTheSmallerEffectivePage() {
        WalkResult r = cold(AddressSpace.Kind.EPT, 4, 4, SHIFT_1G, SHIFT_2M, null);
        assertThat(r.guestPageShift).isEqualTo(SHIFT_1G);
        assertThat(r.pageShift).isEqualTo(SHIFT_2M);
    }
}
