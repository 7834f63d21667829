package org.memvirt.host;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The host's /proc/vmstat event counters (linux mm/vmstat.c vmstat_text), and the ones a scenario report carries:
 * swap traffic, reclaim, KSM's copy-on-write breaks and OOM kills.
 */
public final class VmStat {
    /** The counters a scenario's host report carries, as changes over the run. */
    public static final List<String> SCENARIO = List.of("pswpin", "pswpout", "pgsteal_kswapd", "pgsteal_direct", "cow_ksm",
            "oom_kill");

    private VmStat() {}

    /** Every counter now, by the kernel's name (a missing file or a line that is no number reads as nothing). */
    public static Map<String, Long> read(HostRoot root) {
        Map<String, Long> out = new LinkedHashMap<>();
        for (String line : root.read("/proc/vmstat").orElse("").split("\n")) {
            int sp = line.indexOf(' ');
            if (sp <= 0) continue;
            try {
                out.put(line.substring(0, sp), Long.parseLong(line.substring(sp + 1).trim()));
            } catch (NumberFormatException e) {
                // not a counter
            }
        }
        return out;
    }

    /** The {@link #SCENARIO} counters' changes from {@code before} to now. */
    public static Map<String, Long> scenarioDelta(HostRoot root, Map<String, Long> before) {
        Map<String, Long> now = read(root), out = new LinkedHashMap<>();
        for (String k : SCENARIO) if (now.containsKey(k)) out.put(k, now.get(k) - before.getOrDefault(k, 0L));
        return out;
    }

    /** CPU time of this whole process so far, nanoseconds (0 where the JVM does not tell). */
    public static long processCpuNanos() {
        return java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                instanceof com.sun.management.OperatingSystemMXBean os ? os.getProcessCpuTime() : 0;
    }
}
