package org.memvirt.report;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

class JsonTest {
    record Sample(long ramSize, String aboveFourG) {}

    @Test
    void fieldNamesAreSnakeCase() {
        assertThat(Json.write(new Sample(134217728L, "x")).replaceAll("\\s", ""))
                .isEqualTo("{\"ram_size\":134217728,\"above_four_g\":\"x\"}");
    }

    @Property(tries = 200)
    void longsRoundTripExactly(@ForAll long v) throws Exception {
        assertThat(Json.mapper().readTree(Json.write(new Sample(v, ""))).get("ram_size").asLong()).isEqualTo(v);
    }
}
