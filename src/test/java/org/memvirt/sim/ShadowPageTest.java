package org.memvirt.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The bookkeeping of one shadow page: its unsync-child bitmap, its parent list and its hash keys. */
class ShadowPageTest {
    @Test
    void unsyncChildBitsAreKeptPerIndexAcrossWordBoundaries() {
        ShadowPage sp = new ShadowPage(0, 0x200, 2);
        for (int i : new int[] {0, 63, 64, 511}) assertThat(sp.markUnsyncChild(i)).as("first mark of %d", i).isTrue();
        assertThat(sp.markUnsyncChild(63)).as("second mark").isFalse();
        assertThat(sp.unsyncChildren).isEqualTo(4);
        for (int i = 0; i < Paging.ENTRIES; i++) {
            assertThat(sp.hasUnsyncChild(i)).as("index %d", i).isEqualTo(i == 0 || i == 63 || i == 64 || i == 511);
        }
        assertThat(sp.unsyncChildBitmap).containsExactly(1L | 1L << 63, 1L, 0, 0, 0, 0, 0, 1L << 63);
        sp.clearUnsyncChild(63);
        sp.clearUnsyncChild(63);                                  // clearing a clear bit changes nothing
        sp.clearUnsyncChild(1);
        assertThat(sp.unsyncChildren).isEqualTo(3);
        assertThat(sp.unsyncChildBitmap).containsExactly(1L, 1L, 0, 0, 0, 0, 0, 1L << 63);
        sp.checkInvariants();
    }

    @Test
    void parentsAreRemovedOneByOneByIdAndIndex() {
        ShadowPage sp = new ShadowPage(7, 0x300, 1);
        sp.addParent(1, 5);
        sp.addParent(2, 5);
        sp.addParent(1, 6);                                        // grows past the initial two slots
        sp.removeParent(1, 7);                                     // no such link: nothing changes
        assertThat(sp.parentCount()).isEqualTo(3);
        sp.removeParent(1, 5);
        assertThat(sp.parentCount()).isEqualTo(2);
        assertThat(new long[] {sp.parent(0), sp.parent(1)}).containsExactlyInAnyOrder(2L << 9 | 5, 1L << 9 | 6);
        sp.removeParent(2, 5);
        sp.removeParent(1, 6);
        assertThat(sp.parentCount()).isZero();
    }

    @Test
    void directAndIndirectPagesOfOneGfnHaveDistinctKeys() {
        ShadowPage indirect = new ShadowPage(0, 0x400, 1);
        ShadowPage ro = new ShadowPage(1, 0x400, 1, true, false), rw = new ShadowPage(2, 0x400, 1, true, true);
        assertThat(indirect.key()).isEqualTo(0x400L << 5 | 1);
        assertThat(ro.key()).isEqualTo(0x400L << 5 | 1L << 4 | 1);
        assertThat(rw.key()).isEqualTo(0x400L << 5 | 1L << 4 | 1L << 3 | 1);
        assertThat(ShadowPage.key(0x400, 2)).isEqualTo(0x400L << 5 | 2);
    }

    @Test
    void invariantsRejectAnUnsyncUpperOrDirectPageAndAMiscountedBitmap() {
        ShadowPage upper = new ShadowPage(0, 0x500, 2);
        upper.unsync = true;
        assertThatThrownBy(upper::checkInvariants).hasMessage("unsync shadow page at level 2");
        ShadowPage direct = new ShadowPage(1, 0x600, 1, true, true);
        direct.unsync = true;
        assertThatThrownBy(direct::checkInvariants).hasMessage("unsync shadow page at level 1");
        ShadowPage counted = new ShadowPage(2, 0x700, 2);
        counted.markUnsyncChild(3);
        counted.unsyncChildren = 2;
        assertThatThrownBy(counted::checkInvariants).hasMessage("unsync_children 2 != 1");
    }
}
