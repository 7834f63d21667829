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

    @ParameterizedTest
    @MethodSource("tlbs")
    void invlpgDropsThePdeCacheEntriesOfItsTagOnly(GuestTlb tlb) {
        long a = 1L << 12 | 1, b = 1L << 12 | 2;
        long va = 0x0000_0100_0020_0000L;
        tlb.fillPde(GuestTlb.pdeKey(a, va), 5);
        tlb.fillPde(GuestTlb.pdeKey(b, va), 6);
        assertThat(tlb.lookupPde(GuestTlb.pdeKey(a, va))).isEqualTo(5);
        tlb.invalidatePage(a, va >>> 12);                          // SDM Vol 3A 4.10.4.1: INVLPG drops PDE-cache entries
        assertThat(tlb.lookupPde(GuestTlb.pdeKey(a, va))).isEqualTo(GuestTlb.MISS);
        assertThat(tlb.lookupPde(GuestTlb.pdeKey(b, va))).isEqualTo(6);
    }

    @ParameterizedTest
    @MethodSource("tlbs")
    void flushVpidAndFlushAllReachThePdeCacheAndBothLevels(GuestTlb tlb) {
        long vpid1 = 1L << 12 | 3, vpid2 = 2L << 12 | 3;
        long va = 0x0000_0100_0000_0000L;
        for (long tag : new long[] {vpid1, vpid2}) {
            tlb.fill(GuestTlb.key(tag, 7), 14);
            tlb.fillPde(GuestTlb.pdeKey(tag, va), 8);
        }
        tlb.flushVpid(1);
        assertThat(tlb.lookupL1(GuestTlb.key(vpid1, 7))).isEqualTo(GuestTlb.MISS);
        assertThat(tlb.lookupL2(GuestTlb.key(vpid1, 7))).isEqualTo(GuestTlb.MISS);
        assertThat(tlb.lookupPde(GuestTlb.pdeKey(vpid1, va))).isEqualTo(GuestTlb.MISS);
        assertThat(tlb.lookupL1(GuestTlb.key(vpid2, 7))).isEqualTo(14);
        assertThat(tlb.lookupPde(GuestTlb.pdeKey(vpid2, va))).isEqualTo(8);
        tlb.flushAll();
        assertThat(tlb.lookupL1(GuestTlb.key(vpid2, 7))).isEqualTo(GuestTlb.MISS);
        assertThat(tlb.lookupL2(GuestTlb.key(vpid2, 7))).isEqualTo(GuestTlb.MISS);
        assertThat(tlb.lookupPde(GuestTlb.pdeKey(vpid2, va))).isEqualTo(GuestTlb.MISS);
    }

    @ParameterizedTest
    @MethodSource("tlbs")
    void pdeCacheEntriesOfNeighbouringTwoMibRegionsAreKeptApart(GuestTlb tlb) {
        long tag = 1L << 12;
        long base = 0x0000_0100_0000_0000L;
        for (long r = 0; r < 4; r++) tlb.fillPde(GuestTlb.pdeKey(tag, base + (r << 21)), 100 + r);
        for (long r = 0; r < 4; r++) assertThat(tlb.lookupPde(GuestTlb.pdeKey(tag, base + (r << 21)))).isEqualTo(100 + r);
        assertThat(tlb.lookupPde(GuestTlb.pdeKey(tag, base + (4L << 21)))).isEqualTo(GuestTlb.MISS);
    }

    @ParameterizedTest
    @MethodSource("tlbs")
    void anL2HitMovesTheEntryBackIntoL1(GuestTlb tlb) {
        long tag = 1L << 12;
        for (long vpn = 0; vpn < 200; vpn++) tlb.fill(GuestTlb.key(tag, vpn), vpn << 1 | 1);
        assertThat(tlb.lookupL1(GuestTlb.key(tag, 0))).isEqualTo(GuestTlb.MISS);   // pushed out of the 96-entry L1
        long v = tlb.lookupL2(GuestTlb.key(tag, 0));
        assertThat(v).isEqualTo(1);
        tlb.fillL1(GuestTlb.key(tag, 0), v);
        assertThat(tlb.lookupL1(GuestTlb.key(tag, 0))).isEqualTo(1);
    }
}
