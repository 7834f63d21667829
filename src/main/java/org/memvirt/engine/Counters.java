package org.memvirt.engine;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An ordered snapshot of named counters. KVM's binary statistics keep KVM's names (linux Documentation/virt/kvm/api.rst,
 * KVM_GET_STATS_FD; the list read on these machines is in {@link KvmStatNames}); memvirt's own counters are documented
 * in docs/counters.md. A value type for results and reports, not for hot loops: engines count in primitive fields and
 * take a snapshot at op boundaries.
 */
public record Counters(Map<String, Long> values) {
    public Counters {
        values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }

    public static Counters empty() {
        return new Counters(Map.of());
    }

    public long get(String name) {
        Long v = values.get(name);
        return v == null ? 0L : v;
    }

    /** {@code this - earlier} for every counter named in either (instant counters give their change too). */
    public Counters minus(Counters earlier) {
        LinkedHashMap<String, Long> d = new LinkedHashMap<>();
        values.forEach((k, v) -> d.put(k, v - earlier.get(k)));
        earlier.values.forEach((k, v) -> d.putIfAbsent(k, -v));
        return new Counters(d);
    }

    /** The sum of {@code this} and {@code other}, name by name, keeping this one's order first. */
    public Counters plus(Counters other) {
        LinkedHashMap<String, Long> s = new LinkedHashMap<>(values);
        other.values.forEach((k, v) -> s.merge(k, v, Long::sum));
        return new Counters(s);
    }
}
