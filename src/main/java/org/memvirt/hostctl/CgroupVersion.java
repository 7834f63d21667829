package org.memvirt.hostctl;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The two memory-controller interfaces and their file names: cgroup v1 (linux Documentation/admin-guide/cgroup-v1/
 * memory.rst) limits RAM and RAM+swap, v2 (Documentation/admin-guide/cgroup-v2.rst, "Memory Interface Files") RAM and
 * swap apart.
 */
public enum CgroupVersion {
    V1,
    V2;

    /** One value to write into one of a group's files. */
    record Setting(String file, String value, String missingHint) {}

    /** The files (and values) that give a new group {@code limits}, in the order they must be written. */
    List<Setting> limitSettings(MemoryLimits limits) {
        List<Setting> out = new ArrayList<>();
        switch (this) {
            case V1 -> {
                // memsw.limit_in_bytes may never be below limit_in_bytes (memory.rst §2.4): RAM first, then RAM + swap
                out.add(new Setting("memory.limit_in_bytes", Long.toString(limits.ramBytes()), ""));
                out.add(new Setting("memory.memsw.limit_in_bytes", Long.toString(limits.ramBytes() + limits.swapBytes()),
                        "swap accounting is off (the kernel needs swapaccount=1 on its command line)"));
                if (limits.swappiness() >= 0) {
                    out.add(new Setting("memory.swappiness", Integer.toString(limits.swappiness()), ""));
                }
            }
            case V2 -> {
                if (limits.swappiness() >= 0) {
                    throw HostctlException.host("cgroup v2 has no per-group swappiness (memory.swappiness is v1 only)");
                }
                out.add(new Setting("memory.max", Long.toString(limits.ramBytes()), ""));
                out.add(new Setting("memory.swap.max", Long.toString(limits.swapBytes()),
                        "this kernel does not account swap per group (CONFIG_SWAP, swapaccount)"));
            }
        }
        return out;
    }

    /** The file whose {@code oom_kill} line counts the group's OOM kills. */
    String oomKillFile() {
        return switch (this) {
            case V1 -> "memory.oom_control";                      // mm/memcontrol-v1.c mem_cgroup_oom_control_read
            case V2 -> "memory.events";                           // mm/memcontrol.c __memory_events_show
        };
    }

    /** The group's usage, {@code read} giving the text of one of its files (null when the file does not exist). */
    CgroupUsage usage(Function<String, String> read) {
        long oomKills = keyValue(read, oomKillFile(), "oom_kill");
        return switch (this) {
            case V1 -> {
                long usage = number(read, "memory.usage_in_bytes");
                String memsw = read.apply("memory.memsw.usage_in_bytes");
                long swap = memsw == null ? 0 : Math.max(0, parse("memory.memsw.usage_in_bytes", memsw) - usage);
                yield new CgroupUsage(usage, swap, number(read, "memory.max_usage_in_bytes"), number(read, "memory.failcnt"),
                        oomKills);
            }
            case V2 -> {
                String peak = read.apply("memory.peak");
                yield new CgroupUsage(number(read, "memory.current"), number(read, "memory.swap.current"),
                        peak == null ? -1 : parse("memory.peak", peak), keyValue(read, "memory.events", "max"), oomKills);
            }
        };
    }

    /** Lines of "key value" (memory.stat, memory.events, memory.oom_control) as a map, in file order. */
    static Map<String, Long> keyValues(String file, String text) {
        Map<String, Long> out = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            if (line.isBlank()) continue;
            String[] kv = line.trim().split("\\s+");
            if (kv.length != 2) throw HostctlException.host("bad line in " + file + ": '" + line + "'");
            out.put(kv[0], parse(file, kv[1]));
        }
        return out;
    }

    private static long keyValue(Function<String, String> read, String file, String key) {
        Long v = keyValues(file, text(read, file)).get(key);
        if (v == null) throw HostctlException.host(file + " has no " + key + " line (Linux 4.13 or later has one)");
        return v;
    }

    private static long number(Function<String, String> read, String file) {
        return parse(file, text(read, file));
    }

    private static String text(Function<String, String> read, String file) {
        String text = read.apply(file);
        if (text == null) throw HostctlException.host("the memory cgroup has no " + file);
        return text;
    }

    private static long parse(String file, String text) {
        String v = text.trim();
        try {
            return v.equals("max") ? Long.MAX_VALUE : Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw HostctlException.host("bad value in " + file + ": '" + v + "'");
        }
    }
}
