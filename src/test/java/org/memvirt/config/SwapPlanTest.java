package org.memvirt.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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

    @Test
    void qemuSizeToStrWording() {
        // qemu util/cutils.c size_to_str: "%0.3g %sB", one unit up once the number would reach 1000
        assertThat(QemuSize.toStr(0)).isEqualTo("0 B");
        assertThat(QemuSize.toStr(1000)).isEqualTo("0.977 KiB");
        assertThat(QemuSize.toStr(1536L << 20)).isEqualTo("1.5 GiB");
        assertThat(QemuSize.toStr(1L << 63)).isEqualTo("8 EiB");
        assertThat(QemuSize.toStr(-1L)).isEqualTo("16 EiB");
        assertThat(QemuSize.toStr(java.math.BigInteger.ONE.shiftLeft(73))).isEqualTo("8.19e+03 EiB");
    }

    @Test
    void refusesWhatMakesNoSense() {
        List<SwapPlan.Guests> one = List.of(new SwapPlan.Guests(1, GiB));
        assertThatThrownBy(() -> new SwapPlan(List.of(), 32 * GiB, 4 * GiB, -1)).hasMessage("no guests to plan for:"
                + " give --guest NxSIZE");
        assertThatThrownBy(() -> new SwapPlan(one, 0, 4 * GiB, -1)).hasMessage("host RAM of 0 bytes makes no sense");
        assertThatThrownBy(() -> new SwapPlan(one, (1L << 52) + 1, 0, -1)).hasMessage("host RAM of 4503599627370497 bytes (4 PiB) is more than"
                + " x86-64 can address (52 physical address bits: 4 PiB)");
        assertThatThrownBy(() -> new SwapPlan(List.of(new SwapPlan.Guests(2049, 1L << 52)), GiB, 0, -1))
                .hasMessage("the guests total 8 EiB: plan's figures stay below 8 EiB");
        assertThatThrownBy(() -> new SwapPlan.Guests(0, GiB)).hasMessage("a count of 0 guests makes no sense");
        assertThatThrownBy(() -> SwapPlan.Guests.parse("18446744073709551616x1G"))
                .hasMessage("Value '18446744073709551616' is too large for parameter 'count'");
    }
}
