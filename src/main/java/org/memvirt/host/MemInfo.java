package org.memvirt.host;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The fields of /proc/meminfo (kB values; HugePages_* are counts). Accessors return bytes; absent fields read 0.
 */
public record MemInfo(Map<String, Long> fields) {
    private static final long KIB = 1024;        // /proc/meminfo "kB" means KiB (fs/proc/meminfo.c show_val_kb)

    public MemInfo {
        fields = Map.copyOf(fields);
    }

    public static MemInfo read(HostRoot root) {
        return parse(root.read("/proc/meminfo").orElseThrow(
                () -> new HostException("cannot read " + root.resolve("/proc/meminfo") + ": no such file")));
    }

    public static MemInfo parse(String text) {
        Map<String, Long> fields = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            int colon = line.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String[] value = line.substring(colon + 1).trim().split("\\s+");
            try {
                fields.put(line.substring(0, colon).trim(), Long.parseLong(value[0]));
            } catch (NumberFormatException e) {
                throw new HostException("bad /proc/meminfo line: '" + line + "'");
            }
        }
        return new MemInfo(fields);
    }

    public boolean has(String field) {
        return fields.containsKey(field);
    }

    /** A kB field in bytes, 0 when absent. */
    public long bytes(String field) {
        return fields.getOrDefault(field, 0L) * KIB;
    }

    /** A count field (HugePages_Total ...), 0 when absent. */
    public long count(String field) {
        return fields.getOrDefault(field, 0L);
    }

    public long memTotal()     { return bytes("MemTotal"); }
    public long memFree()      { return bytes("MemFree"); }
    public long memAvailable() { return bytes("MemAvailable"); }
    public long swapTotal()    { return bytes("SwapTotal"); }
    public long swapFree()     { return bytes("SwapFree"); }

    /** This meminfo as {@code free} (procps-ng 4) reports it. */
    public FreeMemory free() {
        return FreeMemory.fromMeminfo(memTotal(), memFree(), memAvailable(), bytes("Buffers"), bytes("Cached"),
                bytes("SReclaimable"), bytes("Shmem"), swapTotal(), swapFree());
    }
}
