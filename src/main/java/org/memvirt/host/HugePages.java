package org.memvirt.host;

/**
 * The default-size hugetlbfs pool as /proc/meminfo reports it (HugePages_Total/Free/Rsvd/Surp, Hugepagesize).
 */
public record HugePages(long pageSizeBytes, long total, long free, long reserved, long surplus) {

    public static HugePages of(MemInfo meminfo) {
        return new HugePages(meminfo.bytes("Hugepagesize"), meminfo.count("HugePages_Total"),
                meminfo.count("HugePages_Free"), meminfo.count("HugePages_Rsvd"), meminfo.count("HugePages_Surp"));
    }

    public long totalBytes() {
        return total * pageSizeBytes;
    }
}
