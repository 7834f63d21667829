package org.memvirt.engine;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.OptionalLong;

/**
 * An ordered snapshot of counters by name: only names of the {@link Counter} table (KVM's binary statistics keep
 * KVM's names; memvirt's own are documented in docs/counters.md, generated from that table). A value type for results
 * and reports, not for hot loops: engines count in primitive fields and take a snapshot at op boundaries.
 */
public record Counters(Map<String, Long> values) {
    public Counters {
        for (String name : values.keySet()) Counter.of(name);          // one table: an unknown name is a bug
        values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }

    public static Counters empty() {
        return new Counters(Map.of());
    }

    /** {@code values} by their keys, in their iteration order. */
    public static Counters of(Map<Counter, Long> values) {
        LinkedHashMap<String, Long> named = new LinkedHashMap<>();
        values.forEach((c, v) -> named.put(c.key(), v));
        return new Counters(named);
    }

    /** Whether this snapshot has {@code c} (an engine reports only the counters it keeps). */
    public boolean has(Counter c) {
        return values.containsKey(c.key());
    }

    /** The value of {@code c}; a NoSuchElementException when this snapshot does not have it (never a silent 0). */
    public long get(Counter c) {
        Long v = values.get(c.key());
        if (v == null) {
            throw new NoSuchElementException("counter " + c.key() + " is not in this snapshot (reported by: "
                    + c.engines().text() + ")");
        }
        return v;
    }

    /** The value of {@code c}, or empty when this snapshot does not have it. */
    public OptionalLong find(Counter c) {
        Long v = values.get(c.key());
        return v == null ? OptionalLong.empty() : OptionalLong.of(v);
    }

    /** {@code this - earlier} for every counter named in either (gauges give their change too). */
    public Counters minus(Counters earlier) {
        LinkedHashMap<String, Long> d = new LinkedHashMap<>();
        values.forEach((k, v) -> d.put(k, v - earlier.values.getOrDefault(k, 0L)));
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
