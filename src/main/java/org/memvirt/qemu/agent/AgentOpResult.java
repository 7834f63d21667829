package org.memvirt.qemu.agent;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * One workload op as the guest saw it, summed over the requests it took (a {@code random} of many access lists, an
 * unrolled {@code repeat}): changes of /proc/vmstat and /proc/stat, the guest's time, the op's own figures, and
 * /proc/meminfo after it.
 *
 * @param guestNanos the guest's own time for the requests (CLOCK_MONOTONIC inside the guest)
 * @param running the workload process ops run in afterwards
 * @param firstMismatch verify's first wrong page, or empty
 */
public record AgentOpResult(String text, int requests, long guestNanos, int running, Map<String, Long> result,
        String firstMismatch, Map<String, Long> vmstat, Map<String, Long> stat, Map<String, Long> meminfo) {
    /** Result figures that are states, not amounts: the last request's value stands. */
    static final Set<String> LAST_WINS = Set.of("running", "processes");

    /** A /proc/vmstat change by the kernel's name (0 when it did not change). */
    public long vmstat(String name) {
        return vmstat.getOrDefault(name, 0L);
    }

    public long result(String name) {
        return result.getOrDefault(name, 0L);
    }

    /** Sums replies into one result. */
    static final class Sum {
        private final String text;
        private int requests, running;
        private long nanos;
        private String first = "";
        private final Map<String, Long> result = new LinkedHashMap<>(), vmstat = new LinkedHashMap<>(), stat = new LinkedHashMap<>();
        private Map<String, Long> meminfo = Map.of();

        Sum(String text) {
            this.text = text;
        }

        void add(AgentReply.Done d) {
            requests++;
            nanos += d.nanos();
            running = d.running();
            d.result().forEach((k, v) -> result.merge(k, v, LAST_WINS.contains(k) ? (a, b) -> b : Long::sum));
            d.vmstat().forEach((k, v) -> vmstat.merge(k, v, Long::sum));
            d.stat().forEach((k, v) -> stat.merge(k, v, Long::sum));
            if (first.isEmpty()) first = d.first();
            meminfo = d.meminfo();
        }

        AgentOpResult result() {
            vmstat.values().removeIf(v -> v == 0);
            return new AgentOpResult(text, requests, nanos, running, Collections.unmodifiableMap(result), first,
                    Collections.unmodifiableMap(vmstat), Collections.unmodifiableMap(stat), meminfo);
        }
    }
}
