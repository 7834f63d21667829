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
        MainTest.CliRun r = MainTest.CliRun.of("plan", "--host-ram", "1X", "--guest", "1G");
        assertThat(r.rc()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("memvirt: --host-ram 1X: Parameter 'size' expects a non-negative number below"
                + " 2^64\n");                                        // QEMU's first line: plan's errors are one line
        assertThat(MainTest.CliRun.of("plan", "--host-ram", "32G", "--guest", "2x1Q").err())
                .startsWith("memvirt: --guest 2x1Q: Parameter 'size' expects");
    }

    @Test
    void sizesThatMakeNoSenseAreRefusedWithoutOverflow() {
        refused(1, "memvirt: --guest 1x8E: a guest of 9223372036854775808 bytes (8 EiB) is more than x86-64 can address (52 physical address bits:"
                + " 4 PiB)\n", "--host-ram", "16G", "--guest", "1x8E");
        refused(1, "memvirt: --guest 99999999999999999999x1G: Value '99999999999999999999' is too large for parameter"
                + " 'count'\n", "--host-ram", "16G", "--guest", "99999999999999999999x1G");
        refused(1, "memvirt: --host-ram 0: host RAM of 0 bytes makes no sense\n", "--host-ram", "0", "--guest", "2x1G");
        refused(1, "memvirt: --guest 3x0: a guest of 0 bytes makes no sense\n", "--host-ram", "1G", "--guest", "3x0");
        refused(1, "memvirt: --guest: the guests total 8 EiB: plan's figures stay below 8 EiB\n", "--host-ram", "1T",
                "--guest", "2048x4P");
        refused(1, "memvirt: --host-swap 9E: host swap of 9 EiB is out of range (plan's figures stay below 8 EiB)\n",
                "--host-ram", "1G", "--guest", "1G", "--host-swap", "9E");
        refused(2, "memvirt: Missing required option: '--guest=NxSIZE' (see 'memvirt plan --help')\n", "--host-ram", "16G");
    }

    @Test
    void theLargestPlanIsExact() throws Exception {
        MainTest.CliRun r = MainTest.CliRun.of("plan", "--host-ram", "4P", "--guest", "2047x4P", "--json");
        assertThat(r.rc()).as(r.err()).isZero();
        JsonNode j = Json.mapper().readTree(r.out());
        assertThat(j.get("guest_total_bytes").asLong()).isEqualTo(2047L << 52);
        assertThat(j.get("swap_for_guests_bytes").asLong()).isEqualTo((2046L << 52) + 4 * GiB);
        assertThat(j.get("total_swap_bytes").asLong()).isEqualTo((2046L << 52) + 8 * GiB);
        assertThat(j.get("overcommit_ratio").asDouble()).isEqualTo(2047.0);
    }

    private static void refused(int status, String message, String... args) {
        String[] argv = new String[args.length + 1];
        argv[0] = "plan";
        System.arraycopy(args, 0, argv, 1, args.length);
        MainTest.CliRun r = MainTest.CliRun.of(argv);
        assertThat(r.rc()).as(r.err()).isEqualTo(status);
        assertThat(r.err()).isEqualTo(message);
        assertThat(r.out()).isEmpty();
    }
}
