package org.memvirt.qemu;

import java.util.LinkedHashMap;
import java.util.Map;

import org.memvirt.engine.Counter;
import org.memvirt.engine.FreeCounters;
import org.memvirt.host.FreeMemory;
import org.memvirt.qemu.agent.AgentOpResult;

/**
 * The guest kernel's own counters as the engine reports them: the agent's /proc/vmstat and /proc/stat changes under
 * the kernel's names (those the {@link Counter} table lists in its guest-kernel group), verify's figures, and the
 * guest's {@code free} computed from its /proc/meminfo as procps-ng 4 does for the host ({@link FreeMemory}).
 */
final class GuestCounters {
    private GuestCounters() {}

    /**
     * The event counters of one agent result: vmstat and stat changes, verify's pages and mismatches. The agent sends
     * only the vmstat lines that changed, so every guest-kernel counter it did not send changed by 0.
     */
    static Map<Counter, Long> events(AgentOpResult r) {
        Map<Counter, Long> out = new LinkedHashMap<>();
        for (Counter c : Counter.values()) {
            if (c.group() == Counter.Group.GUEST_OS && c.kind() == Counter.Kind.COUNTER) out.put(c, 0L);
        }
        r.vmstat().forEach((name, v) -> Counter.find(name)
                .filter(c -> c.group() == Counter.Group.GUEST_OS && c.kind() == Counter.Kind.COUNTER)
                .ifPresent(c -> out.merge(c, v, Long::sum)));
        Long ctxt = r.stat().get("ctxt");
        if (ctxt != null) out.merge(Counter.CTXT, ctxt, Long::sum);
        if (r.result().containsKey("mismatches")) {                     // verify reports pages and mismatches
            out.merge(Counter.VERIFY_PAGES, r.result("pages"), Long::sum);
            out.merge(Counter.VERIFY_MISMATCHES, r.result("mismatches"), Long::sum);
        }
        return out;
    }

    /** The guest's {@code free} from its /proc/meminfo (bytes, as the agent sends it). */
    static FreeMemory free(Map<String, Long> meminfo) {
        return FreeMemory.fromMeminfo(get(meminfo, "MemTotal"), get(meminfo, "MemFree"), get(meminfo, "MemAvailable"),
                get(meminfo, "Buffers"), get(meminfo, "Cached"), get(meminfo, "SReclaimable"), get(meminfo, "Shmem"),
                get(meminfo, "SwapTotal"), get(meminfo, "SwapFree"));
    }

    /** The guest's free and anonymous memory as gauges, KiB. */
    static Map<Counter, Long> gauges(Map<String, Long> meminfo) {
        Map<Counter, Long> out = new LinkedHashMap<>();
        out.put(Counter.GUEST_ANON_KB, get(meminfo, "AnonPages") / 1024);
        out.putAll(FreeCounters.guest(free(meminfo)));
        return out;
    }

    /**
     * The guest's {@code free} from what its balloon driver reports (a guest without memvirt's agent): total, free and
     * available memory and the disk caches (virtio 1.2 §5.5.6.3); null when the driver has not reported them.
     */
    static FreeMemory free(BalloonStats stats) {
        Map<String, Long> s = stats.stats();
        Long total = s.get("stat-total-memory"), free = s.get("stat-free-memory");
        if (!stats.reported() || total == null || free == null) return null;
        long available = s.getOrDefault("stat-available-memory", 0L);
        long caches = s.getOrDefault("stat-disk-caches", 0L);
        return FreeMemory.fromMeminfo(total, free, available, 0, caches, 0, 0, 0, 0);
    }

    /** The balloon driver's statistics as counters, by QEMU's names (hw/virtio/virtio-balloon.c balloon_stat_names). */
    static Map<Counter, Long> balloonStats(BalloonStats stats) {
        Map<Counter, Long> out = new LinkedHashMap<>();
        if (!stats.reported()) return out;
        put(out, Counter.BALLOON_STAT_SWAP_IN, stats, "stat-swap-in");
        put(out, Counter.BALLOON_STAT_SWAP_OUT, stats, "stat-swap-out");
        put(out, Counter.BALLOON_STAT_MAJOR_FAULTS, stats, "stat-major-faults");
        put(out, Counter.BALLOON_STAT_MINOR_FAULTS, stats, "stat-minor-faults");
        put(out, Counter.BALLOON_STAT_FREE_MEMORY, stats, "stat-free-memory");
        put(out, Counter.BALLOON_STAT_TOTAL_MEMORY, stats, "stat-total-memory");
        put(out, Counter.BALLOON_STAT_AVAILABLE_MEMORY, stats, "stat-available-memory");
        put(out, Counter.BALLOON_STAT_DISK_CACHES, stats, "stat-disk-caches");
        return out;
    }

    private static void put(Map<Counter, Long> out, Counter c, BalloonStats stats, String name) {
        Long v = stats.stats().get(name);
        if (v != null) out.put(c, v);
    }

    private static long get(Map<String, Long> meminfo, String field) {
        return meminfo.getOrDefault(field, 0L);
    }
}
