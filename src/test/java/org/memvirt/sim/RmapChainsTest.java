package org.memvirt.sim;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RmapChainsTest {
    @Test
    void popGivesTheLastPushedAndRemoveUnlinksAnywhere() {
        RmapChains c = new RmapChains();
        c.push(7, 100);
        c.push(7, 101);
        c.push(7, 102);
        c.push(9, 200);
        c.remove(7, 101);                                               // the middle of the chain
        c.remove(7, 555);                                               // not there: nothing happens
        assertThat(c.size()).isEqualTo(3);
        assertThat(c.pop(7)).isEqualTo(102);
        assertThat(c.pop(7)).isEqualTo(100);
        assertThat(c.pop(7)).isEqualTo(RmapChains.NONE);
        c.remove(9, 200);                                               // the only node: the page has no chain
        assertThat(c.pop(9)).isEqualTo(RmapChains.NONE);
        assertThat(c.size()).isZero();
    }

    @Test
    void freedNodesAreReusedAndThePoolGrows() {
        RmapChains c = new RmapChains();
        for (int round = 0; round < 3; round++) {
            for (long page = 0; page < 1000; page++) c.push(page, page * 2);
            assertThat(c.size()).isEqualTo(1000);
            for (long page = 0; page < 1000; page++) assertThat(c.pop(page)).isEqualTo(page * 2);
            assertThat(c.size()).isZero();
        }
    }
}
