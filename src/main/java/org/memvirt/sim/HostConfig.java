package org.memvirt.sim;

import org.memvirt.engine.HostSpec;
import org.memvirt.engine.KsmConfig;
import org.memvirt.engine.SwapKind;

/**
 * The simulated host's memory: physical RAM, what the host OS keeps for itself, the swap device and ksmd's knobs.
 *
 * @param ramBytes physical RAM (MemTotal)
 * @param reserveBytes memory the host OS and its processes use besides the guests (never reclaimed here)
 * @param swapBytes swap device capacity
 * @param swapKind the device class, which sets the modelled page-in and page-out cost
 * @param ksm ksmd's knobs
 * @param watermarkScaleFactor vm.watermark_scale_factor
 */
public record HostConfig(long ramBytes, long reserveBytes, long swapBytes, SwapKind swapKind, KsmConfig ksm,
        int watermarkScaleFactor) {
    public static final long PAGE_SIZE = 4096;

    public HostConfig {
        if (ramBytes <= 0) throw new IllegalArgumentException("host RAM must be positive");
        if (reserveBytes < 0 || reserveBytes >= ramBytes) throw new IllegalArgumentException("host reserve must be in [0, RAM)");
        if (swapBytes < 0) throw new IllegalArgumentException("swap size must be >= 0");
    }

    /** The modelled host of a {@link HostSpec}. */
    public static HostConfig of(HostSpec.Host h) {
        return new HostConfig(h.ramBytes(), h.reserveBytes(), h.swapBytes(), h.swapKind(), h.ksm(), h.watermarkScaleFactor());
    }

    public static HostConfig of(long ramBytes, long reserveBytes, long swapBytes) {
        return new HostConfig(ramBytes, reserveBytes, swapBytes, SwapKind.SSD, KsmConfig.defaults(false),
                Watermarks.DEFAULT_SCALE_FACTOR);
    }

    public HostConfig withKsm(KsmConfig k) {
        return new HostConfig(ramBytes, reserveBytes, swapBytes, swapKind, k, watermarkScaleFactor);
    }

    public HostConfig withSwapKind(SwapKind kind) {
        return new HostConfig(ramBytes, reserveBytes, swapBytes, kind, ksm, watermarkScaleFactor);
    }

    public long ramPages() {
        return ramBytes / PAGE_SIZE;
    }

    public long reservePages() {
        return (reserveBytes + PAGE_SIZE - 1) / PAGE_SIZE;
    }

    public long swapPages() {
        return swapBytes / PAGE_SIZE;
    }
}
