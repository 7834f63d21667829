package org.memvirt.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

class SwapPlanTest {
    static final long GiB = 1L << 30;

    @Test
    void rhel7RecommendedSwapTable() {
        assertThat(SwapPlan.recommendedHostSwap(1 * GiB)).isEqualTo(2 * GiB);
        assertThat(SwapPlan.recommendedHostSwap(2 * GiB)).isEqualTo(4 * GiB);
        assertThat(SwapPlan.recommendedHostSwap(6 * GiB)).isEqualTo(6 * GiB);
        assertThat(SwapPlan.recommendedHostSwap(8 * GiB)).isEqualTo(8 * GiB);
        assertThat(SwapPlan.recommendedHostSwap(32 * GiB)).isEqualTo(4 * GiB);
        assertThat(SwapPlan.recommendedHostSwap(128 * GiB)).isEqualTo(4 * GiB);
    }

    @Test
    void redHatExampleFiftyGuests() {
        // RHEL 6 guide: 32 GB host, 50 x 1 GB guests: 50 + 4 + 4 - 32 = 26 GB of swap
        SwapPlan plan = new SwapPlan(List.of(new SwapPlan.Guests(50, GiB)), 32 * GiB, 4 * GiB, -1);
        assertThat(plan.totalSwap()).isEqualTo(26 * GiB);
        assertThat(plan.overcommitRatio()).isEqualTo(50.0 / 32);
    }

    @Test
    void guestsParse() {
        assertThat(SwapPlan.Guests.parse("64x1G")).isEqualTo(new SwapPlan.Guests(64, GiB));
        assertThat(SwapPlan.Guests.parse("2G")).isEqualTo(new SwapPlan.Guests(1, 2 * GiB));
        assertThat(SwapPlan.Guests.parse("3x0x10")).isEqualTo(new SwapPlan.Guests(3, 16L << 20));
        assertThat(SwapPlan.Guests.parse("0x10")).isEqualTo(new SwapPlan.Guests(1, 16L << 20));
    }

    @Test
    void warnsOnlyWhenRamPlusSwapIsShort() {
        SwapPlan fits = new SwapPlan(List.of(new SwapPlan.Guests(2, GiB)), 24 * GiB, 4 * GiB, 0);
        assertThat(fits.warnings()).containsExactly("host swap (0 GiB) is below the planned 4 GiB");
        SwapPlan short_ = new SwapPlan(List.of(new SwapPlan.Guests(64, GiB)), 32 * GiB, 4 * GiB, 8 * GiB);
        assertThat(short_.warnings()).containsExactly(
                "guests and host need 36 GiB more than host RAM: once guests touch their memory, performance is bound by swap",
                "RAM + swap is 28 GiB short of guests + host reserve: the OOM killer may kill guests (the largest first)");
    }
}
