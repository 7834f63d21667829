package org.memvirt.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads one {@code /proc/meminfo} field in bytes; a tiny helper for defaults, -1 where unreadable. */
final class HostMemInfo {
    static final Path MEMINFO = Path.of("/proc/meminfo");

    static long bytes(String field) {
        try {
            for (String line : Files.readAllLines(MEMINFO)) {
                if (line.startsWith(field + ":")) {
                    String[] parts = line.substring(field.length() + 1).trim().split("\\s+");
                    return Long.parseLong(parts[0]) * 1024;          // meminfo values are kB
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    private HostMemInfo() {}
}
