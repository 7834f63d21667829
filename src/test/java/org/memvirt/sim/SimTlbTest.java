package org.memvirt.sim;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SimTlbTest {
    private final SimTlb tlb = new SimTlb(TlbGeometry.ZEN5);

    @Test
    void entriesAreTaggedByVpidAndPcid() {
        long tagA = 1L << 12 | 1, tagB = 1L << 12 | 2, tagOtherVpid = 2L << 12 | 1;
        tlb.fill(GuestTlb.key(tagA, 0x100), 7L << 1 | 1);
        assertThat(tlb.lookupL1(GuestTlb.key(tagA, 0x100))).isEqualTo(7L << 1 | 1);
        assertThat(tlb.lookupL1(GuestTlb.key(tagB, 0x100))).isEqualTo(GuestTlb.MISS);
        assertThat(tlb.lookupL1(GuestTlb.key(tagOtherVpid, 0x100))).isEqualTo(GuestTlb.MISS);
    }

    @Test
    void invlpgDropsOnePageInBothLevels() {
        long tag = 1L << 12;
        tlb.fill(GuestTlb.key(tag, 1), 2);
        tlb.fill(GuestTlb.key(tag, 2), 4);
        tlb.invalidatePage(tag, 1);
        assertThat(tlb.lookupL1(GuestTlb.key(tag, 1))).isEqualTo(GuestTlb.MISS);
        assertThat(tlb.lookupL2(GuestTlb.key(tag, 1))).isEqualTo(GuestTlb.MISS);
        assertThat(tlb.lookupL1(GuestTlb.key(tag, 2))).isEqualTo(4);
    }

    @Test
    void flushTagKeepsOtherPcidsAndFlushVpidDropsThemAll() {
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

    @Test
    void theFirstLevelHoldsNinetySixEntriesAndTheSecondCatchesTheRest() {
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
