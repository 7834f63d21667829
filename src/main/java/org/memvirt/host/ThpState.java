package org.memvirt.host;

/**
 * Transparent huge page policy from /sys/kernel/mm/transparent_hugepage/{enabled,defrag}: the bracketed choice,
 * such as "madvise" for "always [madvise] never"; null when the kernel has no THP.
 */
public record ThpState(String enabled, String defrag) {
    private static final String DIR = "/sys/kernel/mm/transparent_hugepage/";

    public static ThpState read(HostRoot root) {
        return new ThpState(root.readChoice(DIR + "enabled").orElse(null),
                root.readChoice(DIR + "defrag").orElse(null));
    }
}
