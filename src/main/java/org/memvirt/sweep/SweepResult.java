package org.memvirt.sweep;

import java.util.List;
import java.util.Map;

/**
 * What a sweep found: per point, the mean of every metric over its hosts with its interval, and how the run went.
 * Everything but {@link #run} is fixed by the study and its seed: the same on one core, two, or a Spark cluster.
 *
 * @param study the study's name
 * @param seed its seed
 * @param hostsPerPoint hosts simulated per point
 * @param engine the engine that ran the hosts
 * @param engineReason why that engine
 * @param confidence how the intervals were computed
 * @param parameters the varied parameters, in the study's order
 * @param metrics the reported metrics
 * @param points one result per point, in grid order
 * @param hosts every host's outcome, by point then host
 * @param run where and how fast the hosts ran
 */
public record SweepResult(String study, long seed, int hostsPerPoint, String engine, String engineReason,
        Confidence confidence, List<String> parameters, List<Metric> metrics, List<PointResult> points,
        List<HostOutcome> hosts, Run run) {
    public SweepResult {
        parameters = List.copyOf(parameters);
        metrics = List.copyOf(metrics);
        points = List.copyOf(points);
        hosts = List.copyOf(hosts);
    }

    /**
     * How the intervals were computed.
     *
     * @param level the confidence level
     * @param means the method for the metrics' means
     * @param shares the method for the share of hosts with an OOM kill
     */
    public record Confidence(double level, String means, String shares) {
        static final Confidence USED = new Confidence(Stats.LEVEL,
                "Student t over the hosts of a point: mean -/+ t(0.975, n-1) s / sqrt(n), cut to the metric's range",
                "Wilson score interval for k of n hosts");
    }

    /**
     * One point of the grid.
     *
     * @param index the point's index, from 0
     * @param label {@code overcommit 2, swap plan/2, ksm on}
     * @param parameters the varied parameters' values as printed
     * @param hosts hosts simulated
     * @param vms VMs per host, mean
     * @param guestBytes guest RAM per host, mean
     * @param hostRamBytes host RAM
     * @param swapBytes swap per host, mean
     * @param overcommit guest RAM per byte of host RAM, mean
     * @param hostDays virtual time simulated over all hosts, in days
     * @param metrics each reported metric's mean and interval, by key
     * @param hostsWithKill hosts where the OOM killer killed at least one VM
     * @param eventsCut hosts whose event log filled up (their storm counts are lower bounds)
     */
    public record PointResult(int index, String label, Map<String, String> parameters, int hosts, double vms,
            double guestBytes, long hostRamBytes, double swapBytes, double overcommit, double hostDays,
            Map<String, Stats.Estimate> metrics, Stats.Share hostsWithKill, int eventsCut) {
        public PointResult {
            parameters = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(parameters));
            metrics = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(metrics));
        }

        public Stats.Estimate metric(Metric m) {
            return metrics.get(m.key());
        }
    }

    /**
     * How the hosts ran.
     *
     * @param runner where: {@code 2 local threads}, {@code Spark local[2], 16 tasks}
     * @param cores cores that ran hosts at once
     * @param wallSeconds wall-clock time of the whole run, from the first host to the last result
     * @param simulationCpuSeconds CPU time the simulations took, summed over hosts (each host's simulating thread)
     */
    public record Run(String runner, int cores, double wallSeconds, double simulationCpuSeconds) {
        /** Hosts per CPU-second of simulation: the engine's throughput, whatever else ran beside it. */
        public double hostsPerSimulationCpuSecond(int hosts) {
            return simulationCpuSeconds > 0 ? hosts / simulationCpuSeconds : Double.NaN;
        }
    }
}
