package org.memvirt.sweep;

import java.io.Serializable;
import java.util.List;

import org.memvirt.engine.EventLog;
import org.memvirt.engine.HostResult;

/**
 * What one simulated host of a sweep gave: its size and one value per {@link Metric}. Serializable, as a Spark
 * executor sends it back to the driver; everything in it but {@code cpuSeconds} is fixed by the study and the seed.
 *
 * @param point the point's index
 * @param host the host's index within the point
 * @param vms VMs on the host
 * @param guestBytes their RAM, summed
 * @param hostRamBytes host RAM
 * @param swapBytes the swap device's size
 * @param virtualSeconds virtual time simulated
 * @param kills VMs the host's OOM killer killed
 * @param values one value per metric, in {@link Metric} order
 * @param eventsCut whether the engine's event log filled up (storm counts are then lower bounds)
 * @param cpuSeconds CPU time the simulation took (not part of the result's identity)
 */
public record HostOutcome(int point, int host, int vms, long guestBytes, long hostRamBytes, long swapBytes,
        double virtualSeconds, int kills, double[] values, boolean eventsCut, double cpuSeconds) implements Serializable {
    private static final long serialVersionUID = 1L;
    static final double SECONDS_PER_DAY = 86_400;
    static final long PAGE = 4096;                     // /sys/kernel/mm/ksm counts pages of 4 KiB on x86-64

    public HostOutcome {
        values = values.clone();
    }

    public double value(Metric m) {
        return values[m.ordinal()];
    }

    /** This host's figures from an engine's result. */
    static HostOutcome of(int point, int host, HostResult r) {
        double days = r.virtualSeconds() / SECONDS_PER_DAY;
        int kills = 0;
        long guest = 0;
        for (HostResult.Vm v : r.vms()) {
            if (v.killed()) kills++;
            guest += v.configuredBytes();
        }
        int storms = 0;
        for (HostResult.Event e : r.events()) if (e.kind().equals("swap_in_storm")) storms++;
        double[] values = new double[Metric.values().length];
        values[Metric.KILLS_PER_HOST_DAY.ordinal()] = days > 0 ? kills / days : 0;
        values[Metric.PEAK_SWAP.ordinal()] = r.host().peakSwapUsedBytes();
        values[Metric.MEAN_SWAP.ordinal()] = timeMean(r.timeline(), s -> (double) s.swapUsedBytes());
        values[Metric.SWAP_IN_STORMS.ordinal()] = days > 0 ? storms / days : 0;
        values[Metric.KSM_SAVED.ordinal()] = timeMean(r.timeline(), s -> s.ksmPagesSharing() * (double) PAGE);
        values[Metric.BALLOON_RECLAIMED.ordinal()] = timeMean(r.timeline(), s -> {
            double sum = 0;
            for (HostResult.VmSample v : s.vms()) sum += v.ballooned();
            return sum;
        });
        values[Metric.PRESSURE.ordinal()] = pressure(r.timeline(), r.events());
        return new HostOutcome(point, host, r.vms().size(), guest, r.host().ramBytes(), r.host().swapBytes(),
                r.virtualSeconds(), kills, values, r.events().size() >= EventLog.MAX_EVENTS, r.cpuSeconds());
    }

    /** The mean of {@code f} over the samples, each standing for the interval up to the next one. */
    static double timeMean(List<HostResult.Sample> samples, java.util.function.ToDoubleFunction<HostResult.Sample> f) {
        if (samples.size() < 2) return samples.isEmpty() ? 0 : f.applyAsDouble(samples.getFirst());
        double weighted = 0;
        for (int i = 0; i + 1 < samples.size(); i++) {
            weighted += f.applyAsDouble(samples.get(i)) * (samples.get(i + 1).t() - samples.get(i).t());
        }
        double span = samples.getLast().t() - samples.getFirst().t();
        return span > 0 ? weighted / span : f.applyAsDouble(samples.getFirst());
    }

    /**
     * The share of the time between the first and last sample spent in intervals where the host's swap in use changed
     * (pages went out to swap or came back) or an OOM kill happened.
     */
    static double pressure(List<HostResult.Sample> samples, List<HostResult.Event> events) {
        if (samples.size() < 2) return 0;
        double under = 0;
        int e = 0;
        for (int i = 1; i < samples.size(); i++) {
            double from = samples.get(i - 1).t();
            double to = samples.get(i).t();
            boolean kill = false;
            while (e < events.size() && events.get(e).t() <= to) {
                if (events.get(e).t() > from && events.get(e).kind().equals("oom_kill")) kill = true;
                e++;
            }
            if (kill || samples.get(i).swapUsedBytes() != samples.get(i - 1).swapUsedBytes()) under += to - from;
        }
        double span = samples.getLast().t() - samples.getFirst().t();
        return span > 0 ? under / span : 0;
    }

    /** Equal when every figure but the CPU time is: the same study and seed give equal outcomes anywhere. */
    @Override
    public boolean equals(Object o) {
        return o instanceof HostOutcome h && point == h.point && host == h.host && vms == h.vms
                && guestBytes == h.guestBytes && hostRamBytes == h.hostRamBytes && swapBytes == h.swapBytes
                && Double.compare(virtualSeconds, h.virtualSeconds) == 0 && kills == h.kills
                && java.util.Arrays.equals(values, h.values) && eventsCut == h.eventsCut;
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(point, host, vms, guestBytes, virtualSeconds, kills, java.util.Arrays.hashCode(values));
    }
}
