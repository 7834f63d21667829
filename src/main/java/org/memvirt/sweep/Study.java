package org.memvirt.sweep;

import java.util.List;
import java.util.Map;

import org.memvirt.engine.HostSpec;

/**
 * A study: a base scenario, the grid of points to run it at, the VM mixes hosts are drawn from, how many hosts per
 * point and what to measure; read by {@link StudyLoader}.
 *
 * @param name the study's name
 * @param seed the seed every host's draws derive from ({@link Draws#forHost})
 * @param hostsPerPoint hosts simulated at each point
 * @param engine the engine word ({@code sim} or {@code auto})
 * @param base the base scenario: the host's reserve, swap kind, KSM knobs, policies' intervals, duration, quantum
 * @param parameters the varied parameters' names, in the file's order
 * @param points the grid, the first parameter varying slowest
 * @param mixes the VM mixes by name
 * @param metrics the metrics to report
 * @param source the texts the study was read from
 */
public record Study(String name, long seed, int hostsPerPoint, String engine, HostSpec base, List<String> parameters,
        List<Point> points, Map<String, VmMix> mixes, List<Metric> metrics, StudySource source) {
    public Study {
        parameters = List.copyOf(parameters);
        points = List.copyOf(points);
        mixes = Map.copyOf(mixes);
        metrics = List.copyOf(metrics);
    }

    /** This study with another number of hosts per point ({@code memvirt sweep --hosts}). */
    public Study withHostsPerPoint(int n) {
        if (n < 1 || n > StudyLoader.MAX_HOSTS_PER_POINT) {
            throw new SweepException("--hosts must be from 1 to " + StudyLoader.MAX_HOSTS_PER_POINT + ", not " + n);
        }
        return new Study(name, seed, n, engine, base, parameters, points, mixes, metrics, source);
    }

    /** Hosts in all: points x hosts per point. */
    public int hosts() {
        return points.size() * hostsPerPoint;
    }
}
