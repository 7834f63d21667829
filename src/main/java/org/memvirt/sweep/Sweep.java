package org.memvirt.sweep;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.memvirt.engine.Engines;
import org.memvirt.engine.HostSpec;
import org.memvirt.engine.RunListener;

/**
 * Runs a study: checks every host before any runs, runs them with a {@link SweepRunner}, and reduces the outcomes,
 * sorted by (point, host), to a {@link SweepResult}, so that the result does not depend on where or in which order
 * the hosts ran.
 */
public final class Sweep {
    private Sweep() {}

    /**
     * The engine every host of {@code study} runs on, once each host was built and accepted by it; refuses (with the
     * engine's or the builder's error) before any host runs.
     */
    public static Engines.Choice check(Study study) {
        Engines.Request request = Engines.Request.parse(study.engine());
        HostBuilder builder = new HostBuilder(study);
        Engines.Choice first = null;
        for (HostKey key : HostKey.all(study)) {
            HostSpec spec = builder.build(key.point(), key.host());
            Engines.Choice c = Engines.forHost(request, spec);
            if (!c.engine().kind().virtualTime()) {
                throw new SweepException("engine: " + c.engine().kind().key() + " runs in wall-clock time on this"
                        + " host's own memory; a sweep needs an engine with virtual time (sim)");
            }
            if (first == null) first = c;
        }
        return first;
    }

    /** Runs {@code study} with {@code runner}; {@code choice} is from {@link #check}. */
    public static SweepResult run(Study study, Engines.Choice choice, SweepRunner runner, RunListener listener) {
        long start = System.nanoTime();
        List<HostOutcome> outcomes = new ArrayList<>(runner.run(study, listener));
        double wall = (System.nanoTime() - start) / 1e9;
        outcomes.sort(Comparator.comparingInt(HostOutcome::point).thenComparingInt(HostOutcome::host));
        checkComplete(study, outcomes);
        double cpu = 0;
        for (HostOutcome o : outcomes) cpu += o.cpuSeconds();
        SweepResult.Run run = new SweepResult.Run(runner.describe(), runner.cores(), wall, cpu);
        return reduce(study, choice.engine().kind().key(), choice.reason(), outcomes, run);
    }

    private static void checkComplete(Study study, List<HostOutcome> sorted) {
        List<HostKey> expected = new ArrayList<>(HostKey.all(study));
        expected.sort(Comparator.comparingInt(HostKey::point).thenComparingInt(HostKey::host));
        if (sorted.size() != expected.size()) {
            throw new IllegalStateException(sorted.size() + " outcomes for " + expected.size() + " hosts");
        }
        for (int i = 0; i < sorted.size(); i++) {
            HostKey k = expected.get(i);
            if (sorted.get(i).point() != k.point() || sorted.get(i).host() != k.host()) {
                throw new IllegalStateException("outcome " + i + " is not host " + k);
            }
        }
    }

    /** The per-point means and intervals of {@code sorted} (by point, then host). */
    static SweepResult reduce(Study study, String engine, String reason, List<HostOutcome> sorted, SweepResult.Run run) {
        List<SweepResult.PointResult> points = new ArrayList<>();
        int n = study.hostsPerPoint();
        for (Point p : study.points()) {
            List<HostOutcome> hosts = sorted.subList(p.index() * n, (p.index() + 1) * n);
            points.add(point(study, p, hosts));
        }
        return new SweepResult(study.name(), study.seed(), n, engine, reason, SweepResult.Confidence.USED,
                study.parameters(), study.metrics(), points, sorted, run);
    }

    private static SweepResult.PointResult point(Study study, Point p, List<HostOutcome> hosts) {
        int n = hosts.size();
        double vms = 0, guest = 0, swap = 0, overcommit = 0, days = 0;
        int killing = 0, cut = 0;
        for (HostOutcome h : hosts) {
            vms += h.vms();
            guest += h.guestBytes();
            swap += h.swapBytes();
            overcommit += (double) h.guestBytes() / h.hostRamBytes();
            days += h.virtualSeconds() / HostOutcome.SECONDS_PER_DAY;
            if (h.kills() > 0) killing++;
            if (h.eventsCut()) cut++;
        }
        Map<String, Stats.Estimate> metrics = new LinkedHashMap<>();
        for (Metric m : study.metrics()) {
            double[] v = new double[n];
            for (int i = 0; i < n; i++) v[i] = hosts.get(i).value(m);
            metrics.put(m.key(), Stats.mean(v, 0, m.unit() == Metric.Unit.SHARE ? 1 : Double.POSITIVE_INFINITY));
        }
        Map<String, String> parameters = new LinkedHashMap<>();
        for (Setting s : p.varied()) parameters.put(s.key(), s.label());
        return new SweepResult.PointResult(p.index(), p.label(), parameters, n, vms / n, guest / n,
                p.settings().hostRamBytes(), swap / n, overcommit / n, days, metrics, Stats.share(killing, n), cut);
    }
}
