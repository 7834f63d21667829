package org.memvirt.sweep;

/**
 * What a sweep measures on every host (docs/commands/sweep.md, "Metrics"). Each is one number per host; a point's
 * table gives their mean over its hosts with Student's t interval.
 */
public enum Metric {
    /** OOM kills by the host per day of virtual time: kills / (virtual seconds / 86,400). */
    KILLS_PER_HOST_DAY("kills_per_host_day", "VMs killed per host-day", Unit.RATE),
    /** The most swap in use at any moment of the run. */
    PEAK_SWAP("peak_swap", "peak swap used", Unit.BYTES),
    /**
     * Swap in use, averaged over the run's samples: what KSM, ballooning or free page reporting give back after the
     * peak (a host that fills in a boot storm reaches its peak before ksmd's first merge; docs/commands/sweep.md).
     */
    MEAN_SWAP("mean_swap", "swap used (mean over time)", Unit.BYTES),
    /** Swap-in storms (a VM reading back at least 10 MiB/s in a sample) per day of virtual time. */
    SWAP_IN_STORMS("swap_in_storms", "swap-in storms per host-day", Unit.RATE),
    /** Memory KSM saved ({@code pages_sharing} x 4 KiB), averaged over the run's samples. */
    KSM_SAVED("ksm_saved", "KSM saved (mean over time)", Unit.BYTES),
    /** Memory inside the VMs' balloons, summed over VMs and averaged over the run's samples. */
    BALLOON_RECLAIMED("balloon_reclaimed", "balloon reclaimed (mean over time)", Unit.BYTES),
    /** The share of the run during which the host swapped pages out or in, or OOM-killed a VM. */
    PRESSURE("pressure", "time under memory pressure", Unit.SHARE);

    /** How a metric's values are shown. */
    public enum Unit { RATE, BYTES, SHARE }

    private final String key;
    private final String title;
    private final Unit unit;

    Metric(String key, String title, Unit unit) {
        this.key = key;
        this.title = title;
        this.unit = unit;
    }

    /** The name in a study's {@code metrics:} and in JSON. */
    @com.fasterxml.jackson.annotation.JsonValue
    public String key() {
        return key;
    }

    public String title() {
        return title;
    }

    public Unit unit() {
        return unit;
    }

    /** The metric named {@code key}, or null. */
    public static Metric byKey(String key) {
        for (Metric m : values()) if (m.key.equals(key)) return m;
        return null;
    }
}
