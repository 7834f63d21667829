package org.memvirt.kvm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import org.junit.jupiter.api.Test;

/** What {@code verify} expects of each region page: the last write of each process's page, in op order. */
class WrittenPagesTest {
    private static final WrittenPages.FillSpec UNIQUE = new WrittenPages.FillSpec(2, 0);
    private static final WrittenPages.FillSpec SAME_4 = new WrittenPages.FillSpec(1, 4);

    /** Every visited page as {pid, page, state}, sorted. */
    private static List<long[]> visits(WrittenPages w) {
        List<long[]> out = new ArrayList<>();
        w.forEach((pid, page, state) -> out.add(new long[] {pid, page, state}));
        out.sort(Comparator.<long[]>comparingLong(v -> v[0]).thenComparingLong(v -> v[1]));
        return out;
    }

    @Test
    void eachFillContentGetsOneStateFromTwoOn() {
        WrittenPages w = new WrittenPages();
        assertThat(w.fillState(UNIQUE)).isEqualTo((byte) 2);
        assertThat(w.fillState(SAME_4)).isEqualTo((byte) 3);
        assertThat(w.fillState(new WrittenPages.FillSpec(2, 0))).isEqualTo((byte) 2);
        assertThat(w.fillSpec((byte) 3)).isEqualTo(SAME_4);
    }

    @Test
    void atMost254FillContentsAreTracked() {
        WrittenPages w = new WrittenPages();
        for (int seed = 0; seed < 254; seed++) w.fillState(new WrittenPages.FillSpec(3, seed));
        assertThat(w.fillState(new WrittenPages.FillSpec(3, 253))).isEqualTo((byte) 255);
        assertThatThrownBy(() -> w.fillState(new WrittenPages.FillSpec(3, 254))).isInstanceOf(KvmException.class)
                .hasMessage("verify tracks at most 254 different fill contents");
    }

    @Test
    void rangesAcrossChunkBoundariesMarkEveryPageOnce() {
        WrittenPages w = new WrittenPages();
        w.markRange(0, 4094, 4, WrittenPages.TOUCH);                   // pages 4094..4097: two chunks of 4,096
        assertThat(visits(w)).containsExactly(new long[] {0, 4094, 1}, new long[] {0, 4095, 1}, new long[] {0, 4096, 1},
                new long[] {0, 4097, 1});
    }

    @Test
    void theLastWriteInOpOrderWinsWhateverKindOfMark() {
        WrittenPages w = new WrittenPages();
        byte unique = w.fillState(UNIQUE), same = w.fillState(SAME_4);
        w.markRange(1, 0, 6, unique);                                   // fill 0..5
        w.markWrites(1, new long[] {3L << 1 | 1, 4L << 1, 9L << 1 | 1}, 3);   // random: write 3, read 4, write 9
        w.markRange(1, 2, 2, same);                                     // fill 2..3: overrides the random write of 3
        w.dropped(1, 5);                                                // the balloon took page 5's frame
        w.markRange(2, 0, 1, WrittenPages.TOUCH);                       // another process's page 0
        byte zero = w.fillState(WrittenPages.DROPPED);
        assertThat(visits(w)).containsExactly(new long[] {1, 0, unique}, new long[] {1, 1, unique},
                new long[] {1, 2, same}, new long[] {1, 3, same}, new long[] {1, 4, unique}, new long[] {1, 5, zero},
                new long[] {1, 9, WrittenPages.TOUCH}, new long[] {2, 0, WrittenPages.TOUCH});
        assertThat(w.fillSpec(zero)).isEqualTo(new WrittenPages.FillSpec(0, 0));   // a dropped page reads zero
    }
}
