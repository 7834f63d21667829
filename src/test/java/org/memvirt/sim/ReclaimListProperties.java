package org.memvirt.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayDeque;
import java.util.List;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import org.junit.jupiter.api.Test;

/** The ring of runs gives back exactly the handles queued, in order, as a plain queue of handles does. */
class ReclaimListProperties {

    /** A step: {@code -1} polls the head, else queues the handle (mostly the next of the last one queued). */
    @Provide
    Arbitrary<List<Integer>> scripts() {
        return Arbitraries.frequencyOf(
                        net.jqwik.api.Tuple.of(6, Arbitraries.just(-2)),        // the handle after the last queued
                        net.jqwik.api.Tuple.of(3, Arbitraries.just(-1)),        // poll
                        net.jqwik.api.Tuple.of(1, Arbitraries.integers().between(0, 5_000)))
                .list().ofMinSize(1).ofMaxSize(6_000);
    }

    @Property(tries = 200)
    void givesBackTheHandlesQueuedInOrder(@ForAll("scripts") List<Integer> script) {
        ReclaimList ring = new ReclaimList(1);
        ArrayDeque<Integer> model = new ArrayDeque<>();
        int last = 0;
        for (int step : script) {
            if (step == -1) {
                if (model.isEmpty()) continue;
                assertThat(ring.pollHead()).isEqualTo(model.poll());
            } else {
                int h = step == -2 ? last + 1 : step;
                ring.addTail(h);
                model.add(h);
                last = h;
            }
            assertThat(ring.size()).isEqualTo(model.size());
        }
        while (!model.isEmpty()) assertThat(ring.pollHead()).isEqualTo(model.poll());
    }

    @Test
    void aRunOfAMillionHandlesTakesTwoInts() {
        ReclaimList ring = new ReclaimList(1);
        for (int h = 7; h < 1_000_007; h++) ring.addTail(h);
        assertThat(ring.size()).isEqualTo(1_000_000);
        assertThat(ring.bytes()).isEqualTo(4L * 2048);                   // the initial ring: 1024 rounded up, doubled
        assertThat(ring.pollHead()).isEqualTo(7);
        assertThat(ring.pollHead()).isEqualTo(8);
        assertThat(ring.size()).isEqualTo(999_998);
    }
}
