package org.memvirt.host;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;

class FreeMemoryProperties {

    @Property(tries = 300)
    void usedPlusAvailableIsTotalWhenAvailableFits(@ForAll @LongRange(min = 1, max = 1L << 40) long totalKib,
                                                   @ForAll @LongRange(min = 0, max = 1L << 40) long availKib,
                                                   @ForAll @LongRange(min = 0, max = 1L << 40) long freeKib) {
        long total = totalKib * 1024, available = Math.min(availKib, totalKib) * 1024;
        long free = Math.min(freeKib, totalKib) * 1024;
        FreeMemory t = FreeMemory.fromMeminfo(total, free, available, 0, 0, 0, 0, 0, 0);
        long effectiveAvailable = available == 0 ? free : available;
        assertThat(t.used() + t.available()).isEqualTo(total);
        assertThat(t.available()).isEqualTo(effectiveAvailable);
    }
}
