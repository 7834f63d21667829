package org.memvirt.scenario;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** The events of a run (kills, swap-in storms, merges, balloon moves), collected in virtual-time order. */
final class ScenarioEvents {
    static final int MAX_EVENTS = 20_000;

    private final List<ScenarioReport.Event> events = new ArrayList<>();
    private long dropped;

    void add(long nanos, String vm, String kind, String message) {
        if (events.size() >= MAX_EVENTS) {
            dropped++;
            return;
        }
        events.add(new ScenarioReport.Event(nanos / 1e9, vm, kind, message));
    }

    long dropped() {
        return dropped;
    }

    List<ScenarioReport.Event> sorted() {
        List<ScenarioReport.Event> s = new ArrayList<>(events);
        s.sort(Comparator.comparingDouble(ScenarioReport.Event::t));
        return s;
    }
}
