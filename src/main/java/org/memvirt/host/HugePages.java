package org.memvirt.host;

import java.util.ArrayList;
import java.util.List;

/**
 * The hugetlbfs pools: the default size as /proc/meminfo reports it (HugePages_Total/Free/Rsvd/Surp, Hugepagesize)
 * and every size under /sys/kernel/mm/hugepages/hugepages-{size}kB (Documentation/admin-guide/mm/hugetlbpage.rst).
 */
public record HugePages(long pageSizeBytes, long total, long free, long reserved, long surplus, List<Pool> pools) {
    private static final String DIR = "/sys/kernel/mm/hugepages/";

    /** One pool: {@code nr_hugepages} and {@code free_hugepages} of one page size. */
    public record Pool(long pageSizeBytes, long total, long free) {}

    public HugePages {
        pools = List.copyOf(pools);
    }

    public static HugePages read(HostRoot root, MemInfo meminfo) {
        List<Pool> pools = new ArrayList<>();
        for (String name : root.list(DIR)) {
            if (name.startsWith("hugepages-") && name.endsWith("kB")) {
                long kib = Long.parseLong(name.substring("hugepages-".length(), name.length() - 2));
                pools.add(new Pool(kib * 1024, count(root, name, "nr_hugepages"), count(root, name, "free_hugepages")));
            }
        }
        pools.sort((a, b) -> Long.compare(a.pageSizeBytes(), b.pageSizeBytes()));
        return new HugePages(meminfo.bytes("Hugepagesize"), meminfo.count("HugePages_Total"),
                meminfo.count("HugePages_Free"), meminfo.count("HugePages_Rsvd"), meminfo.count("HugePages_Surp"),
                pools);
    }

    /** Bytes in the default-size pool. */
    public long totalBytes() {
        return total * pageSizeBytes;
    }

    private static long count(HostRoot root, String pool, String file) {
        return root.readValue(DIR + pool + "/" + file).map(Long::parseLong).orElse(0L);
    }
}
