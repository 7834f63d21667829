package org.memvirt.host;

/**
 * The knobs and counters under /sys/kernel/mm/ksm (Documentation/admin-guide/mm/ksm.rst); a value the kernel does
 * not offer is null. {@code available} is false when the directory is absent (CONFIG_KSM=n).
 */
public record KsmState(boolean available, Long run, Long pagesToScan, Long sleepMillisecs, Long maxPageSharing,
                       Long mergeAcrossNodes, Long useZeroPages, Long pagesShared, Long pagesSharing,
                       Long pagesUnshared, Long pagesVolatile, Long fullScans, Long generalProfit, Long ksmZeroPages,
                       String advisorMode) {
    private static final String DIR = "/sys/kernel/mm/ksm/";

    public static KsmState read(HostRoot root) {
        return new KsmState(root.exists(DIR), num(root, "run"), num(root, "pages_to_scan"),
                num(root, "sleep_millisecs"), num(root, "max_page_sharing"), num(root, "merge_across_nodes"),
                num(root, "use_zero_pages"), num(root, "pages_shared"), num(root, "pages_sharing"),
                num(root, "pages_unshared"), num(root, "pages_volatile"), num(root, "full_scans"),
                num(root, "general_profit"), num(root, "ksm_zero_pages"),
                root.readChoice(DIR + "advisor_mode").orElse(null));
    }

    /** run == 1: ksmd merges MADV_MERGEABLE areas (0 stops, 2 unmerges everything). */
    public boolean merging() {
        return run != null && run == 1;
    }

    private static Long num(HostRoot root, String name) {
        return root.readValue(DIR + name).map(v -> parse(name, v)).orElse(null);
    }

    private static Long parse(String name, String value) {
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new HostException("bad value in " + DIR + name + ": '" + value + "'");
        }
    }
}
