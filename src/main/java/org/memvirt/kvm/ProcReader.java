package org.memvirt.kvm;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reads this process's memory as the kernel reports it: /proc/self/smaps, status, ksm_stat and /proc/meminfo. */
final class ProcReader {
    /**
     * The smaps fields of the mapping that starts at {@code address}, in KiB (Rss, AnonHugePages, Swap, KSM, ...).
     * Empty if no such mapping.
     */
    static Map<String, Long> smapsOf(long address) {
        String head = Long.toHexString(address) + "-";
        Map<String, Long> fields = new LinkedHashMap<>();
        boolean inside = false;
        try (BufferedReader in = Files.newBufferedReader(Path.of("/proc/self/smaps"))) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {   // stops after the mapping
                if (isHeader(line)) {
                    if (inside) break;
                    inside = line.startsWith(head);
                } else if (inside) {
                    putKb(fields, line);
                }
            }
        } catch (IOException e) {
            throw new KvmException("cannot read /proc/self/smaps: " + e.getMessage());
        }
        return fields;
    }

    private static boolean isHeader(String line) {
        int dash = line.indexOf('-');
        return dash > 0 && line.indexOf(':') > dash && Character.digit(line.charAt(0), 16) >= 0
                && line.indexOf(' ') > dash && !line.endsWith("kB");
    }

    /** /proc/self/status fields in KiB (VmRSS, RssAnon, ...). */
    static Map<String, Long> status() {
        Map<String, Long> fields = new LinkedHashMap<>();
        for (String line : lines("/proc/self/status")) putKb(fields, line);
        return fields;
    }

    /** /proc/meminfo in KiB (MemTotal, MemFree, MemAvailable, Buffers, Cached, ...). */
    static Map<String, Long> meminfo() {
        Map<String, Long> fields = new LinkedHashMap<>();
        for (String line : lines("/proc/meminfo")) putKb(fields, line);
        return fields;
    }

    /** /proc/self/ksm_stat (ksm_merging_pages, ksm_process_profit, ...); empty where the kernel lacks it. */
    static Map<String, Long> ksmStat() {
        Map<String, Long> fields = new LinkedHashMap<>();
        Path p = Path.of("/proc/self/ksm_stat");
        if (!Files.isReadable(p)) return fields;
        for (String line : lines(p.toString())) {
            String[] kv = line.trim().split("\\s+");
            if (kv.length == 2) {
                try {
                    fields.put(kv[0], Long.parseLong(kv[1]));
                } catch (NumberFormatException e) {
                    // "ksm_mergeable yes" and similar: not a number
                }
            }
        }
        return fields;
    }

    private static void putKb(Map<String, Long> fields, String line) {
        int colon = line.indexOf(':');
        if (colon <= 0) return;
        String rest = line.substring(colon + 1).trim();
        int space = rest.indexOf(' ');
        String num = space < 0 ? rest : rest.substring(0, space);
        try {
            fields.put(line.substring(0, colon), Long.parseLong(num));
        } catch (NumberFormatException e) {
            // VmFlags and other non-numeric fields
        }
    }

    private static List<String> lines(String path) {
        try {
            return Files.readAllLines(Path.of(path));
        } catch (IOException e) {
            throw new KvmException("cannot read " + path + ": " + e.getMessage());
        }
    }

    private ProcReader() {}
}
