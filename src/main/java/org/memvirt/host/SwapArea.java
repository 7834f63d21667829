package org.memvirt.host;

import java.util.ArrayList;
import java.util.List;

/**
 * One swap area (a device or a file), as its line of /proc/swaps shows it (linux mm/swapfile.c swap_show): Size and
 * Used are in KiB, converted here to bytes.
 */
public record SwapArea(String filename, String type, long sizeBytes, long usedBytes, int priority) {
    private static final long KIB = 1024;

    public static List<SwapArea> read(HostRoot root) {
        return parse(root.read("/proc/swaps").orElse(""));
    }

    public static List<SwapArea> parse(String text) {
        List<SwapArea> devices = new ArrayList<>();
        for (String line : text.split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length < 5 || f[0].equals("Filename")) {
                continue;
            }
            try {
                devices.add(new SwapArea(f[0], f[1], Long.parseLong(f[2]) * KIB, Long.parseLong(f[3]) * KIB,
                        Integer.parseInt(f[4])));
            } catch (NumberFormatException e) {
                throw new HostException("bad /proc/swaps line: '" + line + "'");
            }
        }
        return List.copyOf(devices);
    }
}
