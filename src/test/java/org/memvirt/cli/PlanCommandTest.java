package org.memvirt.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.Test;
import org.memvirt.report.Json;

class PlanCommandTest {
    static final long GiB = 1L << 30;

    @Test
    void seedCalculation() throws Exception {
        MainTest.CliRun r = MainTest.CliRun.of("plan", "--host-ram", "32G", "--guest", "64x1G", "--host-reserve", "4G",
                "--json");
        assertThat(r.rc()).isZero();
        JsonNode j = Json.mapper().readTree(r.out());
        assertThat(j.get("guest_total_bytes").asLong()).isEqualTo(64 * GiB);
        assertThat(j.get("host_reserve_bytes").asLong()).isEqualTo(4 * GiB);
        assertThat(j.get("swap_for_guests_bytes").asLong()).isEqualTo(36 * GiB);
        assertThat(j.get("recommended_host_swap_bytes").asLong()).isEqualTo(4 * GiB);
        assertThat(j.get("total_swap_bytes").asLong()).isEqualTo(40 * GiB);
        assertThat(j.get("overcommit_ratio").asDouble()).isEqualTo(2.0);
        assertThat(j.get("warnings")).hasSize(2);
    }

    @Test
    void severalGuestGroupsAndBareMiB() throws Exception {
        JsonNode j = Json.mapper().readTree(MainTest.CliRun.of("plan", "--host-ram", "16384", "--guest", "2x4G",
                "--guest", "3x512", "--host-swap", "0", "--json").out());
        assertThat(j.get("host_ram_bytes").asLong()).isEqualTo(16 * GiB);
        assertThat(j.get("guest_total_bytes").asLong()).isEqualTo(8 * GiB + 1536L * (1 << 20));
        assertThat(j.get("swap_for_guests_bytes").asLong()).isZero();
    }

    @Test
    void badSizeIsQemusError() {
        MainTest.CliRun r = MainTest.CliRun.of("plan", "--host-ram", "1X");
        assertThat(r.rc()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("memvirt: --host-ram 1X: Parameter 'size' expects a non-negative number below"
                + " 2^64\n" + ConfigCommandTest.HINT);
        assertThat(MainTest.CliRun.of("plan", "--host-ram", "32G", "--guest", "2x1Q").err())
                .startsWith("memvirt: --guest 2x1Q: Parameter 'size' expects");
    }
}
