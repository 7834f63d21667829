package org.memvirt.sim;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

import org.junit.jupiter.api.Test;

/**
 * ksmd's walk passes over pages it has no work for eight flag bytes at a time ({@link KsmScanner#nextCandidate}); it
 * must stop at exactly the page a byte-by-byte walk stops at.
 */
class KsmCandidateScanTest {
    /** The byte-by-byte walk it replaces. */
    static int naive(byte[] flags, int from, int to) {
        for (int i = from; i < to; i++) if (KsmScanner.candidate(flags[i])) return i;
        return to;
    }

    @Test
    void everyFlagByteAloneIsFoundAtEveryPositionOfAWord() {
        for (int f = 0; f < 256; f++) {
            boolean expected = switch (f & GuestPages.STATE_MASK) {
                case GuestPages.RESIDENT, GuestPages.SHARED -> true;
                default -> (f & GuestPages.RMAP) != 0;
            };
            assertThat(KsmScanner.candidate(f)).as("flags %x", f).isEqualTo(expected);
            for (int at = 0; at < 20; at++) {
                byte[] flags = new byte[20];
                java.util.Arrays.fill(flags, (byte) GuestPages.SWAPPED);          // no work: passed over
                flags[at] = (byte) f;
                for (int from = 0; from <= 20; from++) {
                    int want = expected && at >= from ? at : 20;
                    int got = KsmScanner.nextCandidate(flags, from, 20);
                    if (got != want) assertThat(got).as("flags %x at %d from %d", f, at, from).isEqualTo(want);
                }
            }
        }
    }

    @Property(tries = 2000)
    void stopsWhereAByteByByteWalkStops(@ForAll @Size(max = 80) byte[] flags, @ForAll @IntRange(max = 80) int from,
            @ForAll @IntRange(max = 80) int length) {
        int start = Math.min(from, flags.length);
        int to = Math.min(flags.length, start + length);
        assertThat(KsmScanner.nextCandidate(flags, start, to)).isEqualTo(naive(flags, start, to));
    }
}
