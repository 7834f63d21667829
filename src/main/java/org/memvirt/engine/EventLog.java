package org.memvirt.engine;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** The events of a host run (kills, swap-in storms, merges, balloon moves), collected and given back in time order. */
public final class EventLog {
    public static final int MAX_EVENTS = 20_000;

    private final List<HostResult.Event> events = new ArrayList<>();
    private long dropped;

    public void add(long nanos, String vm, String kind, String message) {
        if (events.size() >= MAX_EVENTS) {
            dropped++;
            return;
        }
        events.add(new HostResult.Event(nanos / 1e9, vm, kind, message));
    }

    public long dropped() {
        return dropped;
    }

    public List<HostResult.Event> sorted() {
        List<HostResult.Event> s = new ArrayList<>(events);
        s.sort(Comparator.comparingDouble(HostResult.Event::t));
        return s;
    }
}
