package org.memvirt.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Both GuestTlb implementations: the engine's SimTlb and the adapter over the x86 package's structures. */
class SimTlbTest {
    static Stream<GuestTlb> tlbs() {
        return Stream.of(new SimTlb(TlbGeometry.ZEN5), new X86GuestTlb(org.memvirt.x86.TlbConfig.zen5()));
    }

    @ParameterizedTest
    @MethodSource("tlbs")
    void entriesAreTaggedByVpidAndPcid(GuestTlb tlb) {
        long tagA = 1L << 12 | 1, tagB = 1L << 12 | 2, tagOtherVpid = 2L << 12 | 1;
        tlb.fill(GuestTlb.key(tagA, 0x100), 7L << 1 | 1);
        assertThat(tlb.lookupL1(GuestTlb.key(tagA, 0x100))).isEqualTo(7L << 1 | 1);
        assertThat(tlb.lookupL1(GuestTlb.key(tagB, 0x100))).isEqualTo(GuestTlb.MISS);
        assertThat(tlb.lookupL1(GuestTlb.key(tagOtherVpid, 0x100))).isEqualTo(GuestTlb.MISS);
    }

    @ParameterizedTest
    @MethodSource("tlbs")
    void invlpgDropsOnePageInBothLevels(GuestTlb tlb) {
        long tag = 1L << 12;
        tlb.fill(GuestTlb.key(tag, 1), 2);
        tlb.fill(GuestTlb.key(tag, 2), 4);
        tlb.invalidatePage(tag, 1);
        assertThat(tlb.lookupL1(GuestTlb.key(tag, 1))).isEqualTo(GuestTlb.MISS);
        assertThat(tlb.lookupL2(GuestTlb.key(tag, 1))).isEqualTo(GuestTlb.MISS);
        assertThat(tlb.lookupL1(GuestTlb.key(tag, 2))).isEqualTo(4);
    }

    @ParameterizedTest
    @MethodSource("tlbs")
    void flushTagKeepsOtherPcidsAndFlushVpidDropsThemAll(GuestTlb tlb) {
        long a = 1L << 12 | 1, b = 1L << 12 | 2;
        tlb.fill(GuestTlb.key(a, 1), 2);
        tlb.fill(GuestTlb.key(b, 1), 2);
        tlb.fillPde(GuestTlb.pdeKey(a, 0), 9);
        tlb.flushTag(a);
        assertThat(tlb.lookupL2(GuestTlb.key(a, 1))).isEqualTo(GuestTlb.MISS);
        assertThat(tlb.lookupPde(GuestTlb.pdeKey(a, 0))).isEqualTo(GuestTlb.MISS);
        assertThat(tlb.lookupL2(GuestTlb.key(b, 1))).isEqualTo(2);
        tlb.flushVpid(1);
        assertThat(tlb.lookupL2(GuestTlb.key(b, 1))).isEqualTo(GuestTlb.MISS);
    }

    @ParameterizedTest
    @MethodSource("tlbs")
    void theFirstLevelHoldsNinetySixEntriesAndTheSecondCatchesTheRest(GuestTlb tlb) {
        long tag = 1L << 12;
        for (long vpn = 0; vpn < 1024; vpn++) tlb.fill(GuestTlb.key(tag, vpn), vpn << 1);
        int l1 = 0, l2 = 0;
        for (long vpn = 0; vpn < 1024; vpn++) {
            if (tlb.lookupL1(GuestTlb.key(tag, vpn)) >= 0) l1++;
            else if (tlb.lookupL2(GuestTlb.key(tag, vpn)) >= 0) l2++;
        }
        assertThat(l1).isEqualTo(96);
        assertThat(l1 + l2).isEqualTo(1024);
    }
}
