package org.memvirt.sweep;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class StatsTest {
    @Test
    void studentTQuantilesMatchTheTables() {
        // two-sided 95 % critical values, as tabulated (e.g. NIST/SEMATECH e-Handbook 1.3.6.7.2)
        assertThat(Stats.tQuantile(0.975, 1)).isCloseTo(12.706204736, within(1e-8));
        assertThat(Stats.tQuantile(0.975, 2)).isCloseTo(4.302652730, within(1e-8));
        assertThat(Stats.tQuantile(0.975, 7)).isCloseTo(2.364624252, within(1e-8));
        assertThat(Stats.tQuantile(0.975, 10)).isCloseTo(2.228138852, within(1e-8));
        assertThat(Stats.tQuantile(0.975, 30)).isCloseTo(2.042272456, within(1e-8));
        assertThat(Stats.tQuantile(0.975, 1000)).isCloseTo(1.962339081, within(1e-8));
        assertThat(Stats.tQuantile(0.995, 5)).isCloseTo(4.032142984, within(1e-8));
    }

    @Test
    void incompleteBetaHasItsClosedForms() {
        // I_x(1, 1) = x; I_x(a, 1) = x^a; I_x(1, b) = 1 - (1 - x)^b
        assertThat(Stats.incompleteBeta(0.3, 1, 1)).isCloseTo(0.3, within(1e-14));
        assertThat(Stats.incompleteBeta(0.6, 3, 1)).isCloseTo(0.216, within(1e-14));
        assertThat(Stats.incompleteBeta(0.2, 1, 4)).isCloseTo(1 - Math.pow(0.8, 4), within(1e-14));
        assertThat(Stats.lnGamma(5)).isCloseTo(Math.log(24), within(1e-13));
        assertThat(Stats.lnGamma(0.5)).isCloseTo(0.5 * Math.log(Math.PI), within(1e-13));
    }

    @Test
    void aMeanHasTheStudentInterval() {
        Stats.Estimate e = Stats.mean(new double[] {1, 2, 3, 4});
        // mean 2.5, s = sqrt(5/3), t(3) = 3.182446305
        double half = 3.182446305 * Math.sqrt(5.0 / 3) / 2;
        assertThat(e.mean()).isEqualTo(2.5);
        assertThat(e.lo()).isCloseTo(2.5 - half, within(1e-8));
        assertThat(e.hi()).isCloseTo(2.5 + half, within(1e-8));
        assertThat(e.n()).isEqualTo(4);
        assertThat(Stats.mean(new double[] {7, 7, 7})).isEqualTo(new Stats.Estimate(7, 7.0, 7.0, 3));
        Stats.Estimate one = Stats.mean(new double[] {3});
        assertThat(one.mean()).isEqualTo(3);
        assertThat(one.lo()).isNull();
    }

    @Test
    void wilsonIntervalsMatchWilsonsFormula() {
        // 0 of 8: [0, z^2/(n+z^2)] = [0, 0.324408]; 4 of 8: centre 0.5, half width z/(1+z^2/n) sqrt(1/32 + z^2/256) = 0.284784
        Stats.Share none = Stats.share(0, 8);
        assertThat(none.lo()).isEqualTo(0);
        assertThat(none.hi()).isCloseTo(Stats.Z * Stats.Z / (8 + Stats.Z * Stats.Z), within(1e-15));
        assertThat(none.hi()).isCloseTo(0.324408, within(1e-6));
        Stats.Share half = Stats.share(4, 8);
        assertThat(half.lo()).isCloseTo(0.215216, within(1e-6));
        assertThat(half.hi()).isCloseTo(0.784784, within(1e-6));
        Stats.Share all = Stats.share(8, 8);
        assertThat(all.hi()).isEqualTo(1);
        assertThat(all.lo()).isCloseTo(1 - none.hi(), within(1e-15));
    }

    @Test
    void normalQuantilesAreWithinAcklamsError() {
        assertThat(NormalQuantile.of(0.5)).isEqualTo(0);
        assertThat(NormalQuantile.of(0.975)).isCloseTo(1.959963984540054, within(3e-9));
        assertThat(NormalQuantile.of(0.841344746068543)).isCloseTo(1.0, within(2e-9));
        assertThat(NormalQuantile.of(0.001)).isCloseTo(-3.090232306167813, within(4e-9));
        assertThat(NormalQuantile.of(0.01)).isCloseTo(-2.326347874040841, within(3e-9));
        assertThat(NormalQuantile.of(0.999999)).isCloseTo(4.753424308822899, within(6e-9));
    }
}
