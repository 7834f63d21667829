package org.memvirt.report;

import static org.assertj.core.api.Assertions.assertThat;

import org.memvirt.host.FreeMemory;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;

class FreeTableProperties {

    @Property(tries = 300)
    void everyRowKeepsFreesColumns(@ForAll @LongRange(min = 0, max = 1L << 46) long bytes) {
        FreeMemory t = new FreeMemory(bytes, bytes / 3, bytes / 2, bytes / 5, bytes / 7, bytes / 2, bytes, 0, bytes);
        String[] lines = FreeTable.render(t, FreeUnit.KIBI).split("\n");
        assertThat(lines[0]).hasSize(80);
        assertThat(lines[1]).hasSize(80);                                  // 9 + 11 + 5 x (1 + 11)
        assertThat(lines[2]).hasSize(44);                                  // 9 + 11 + 2 x (1 + 11)
        assertThat(lines[1]).startsWith("Mem:     ").endsWith(" " + String.format("%11d", bytes / 2 / 1024));
    }
}
