package org.memvirt.host;

/**
 * Transparent huge page policy from /sys/kernel/mm/transparent_hugepage/{enabled,defrag}: the bracketed choice,
 * such as "madvise" for "always [madvise] never"; null when the kernel has no THP.
 */
public record ThpState(String enabled, String defrag) {
    private static final String DIR = "/sys/kernel/mm/transparent_hugepage/";

    public static ThpState read(HostRoot root) {
        return new ThpState(root.readValue(DIR + "enabled").map(ThpState::bracketed).orElse(null),
                root.readValue(DIR + "defrag").map(ThpState::bracketed).orElse(null));
    }

    /** The word in [brackets], or the whole value when there are none. */
    static String bracketed(String value) {
        int open = value.indexOf('[');
        int close = value.indexOf(']', open + 1);
        return open >= 0 && close > open ? value.substring(open + 1, close) : value.trim();
    }
}
