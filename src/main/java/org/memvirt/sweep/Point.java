package org.memvirt.sweep;

import java.math.BigDecimal;
import java.util.List;
import java.util.Locale;

import org.memvirt.engine.HostSpec;

/**
 * One point of a study's grid: the values of the varied parameters and the settings every host of the point gets.
 *
 * @param index the point's place in the grid, from 0 (the first parameter varies slowest)
 * @param varied one value per varied parameter, in the study file's order
 * @param settings everything a host of this point is built from
 */
public record Point(int index, List<Setting> varied, Settings settings) {
    public Point {
        varied = List.copyOf(varied);
    }

    /** {@code overcommit 2, swap plan/2, ksm on}; {@code (one point)} when nothing is varied. */
    public String label() {
        if (varied.isEmpty()) return "(one point)";
        StringBuilder sb = new StringBuilder();
        for (Setting s : varied) sb.append(sb.isEmpty() ? "" : ", ").append(s.key()).append(' ').append(s.label());
        return sb.toString();
    }

    /**
     * What a host of a point is built from.
     *
     * @param overcommit guest RAM per byte of host RAM, or NaN to draw the mix's {@code count} VMs
     * @param hostRamBytes host RAM
     * @param swap the swap device's size
     * @param ksm whether ksmd runs
     * @param ksmPolicy the KSM manager
     * @param balloonPolicy the balloon manager
     * @param freePageReporting whether guests report free pages
     * @param mix the VM mix's name
     */
    public record Settings(double overcommit, long hostRamBytes, SwapSize swap, boolean ksm,
            HostSpec.KsmPolicy ksmPolicy, HostSpec.PolicyKind balloonPolicy, boolean freePageReporting, String mix) {
        Settings withOvercommit(double r) {
            return new Settings(r, hostRamBytes, swap, ksm, ksmPolicy, balloonPolicy, freePageReporting, mix);
        }

        Settings withHostRam(long b) {
            return new Settings(overcommit, b, swap, ksm, ksmPolicy, balloonPolicy, freePageReporting, mix);
        }

        Settings withSwap(SwapSize s) {
            return new Settings(overcommit, hostRamBytes, s, ksm, ksmPolicy, balloonPolicy, freePageReporting, mix);
        }

        Settings withKsm(boolean on) {
            return new Settings(overcommit, hostRamBytes, swap, on, ksmPolicy, balloonPolicy, freePageReporting, mix);
        }

        Settings withKsmPolicy(HostSpec.KsmPolicy p) {
            return new Settings(overcommit, hostRamBytes, swap, ksm, p, balloonPolicy, freePageReporting, mix);
        }

        Settings withBalloonPolicy(HostSpec.PolicyKind p) {
            return new Settings(overcommit, hostRamBytes, swap, ksm, ksmPolicy, p, freePageReporting, mix);
        }

        Settings withFreePageReporting(boolean on) {
            return new Settings(overcommit, hostRamBytes, swap, ksm, ksmPolicy, balloonPolicy, on, mix);
        }

        Settings withMix(String m) {
            return new Settings(overcommit, hostRamBytes, swap, ksm, ksmPolicy, balloonPolicy, freePageReporting, m);
        }
    }

    /** A number as a study file would write it: {@code 2}, {@code 1.5}, {@code 0.25}. */
    static String number(double v) {
        return new BigDecimal(Double.toString(v)).stripTrailingZeros().toPlainString();
    }

    static String lower(String name) {
        return name.toLowerCase(Locale.ROOT);
    }
}
