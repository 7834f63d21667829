package org.memvirt.hostctl;

/**
 * The RAM and swap a scenario's host has, as limits on memvirt's own memory cgroup: the processes in the group may
 * keep at most {@code ramBytes} resident and {@code swapBytes} more in swap; past that the kernel's OOM killer picks
 * one of them (linux Documentation/admin-guide/cgroup-v1/memory.rst §2.5, cgroup-v2.rst "memory.max").
 *
 * @param ramBytes resident memory (page cache included), a multiple of 4 KiB
 * @param swapBytes swap on top of it, a multiple of 4 KiB; 0: none
 * @param swappiness the group's swappiness (v1 memory.swappiness, 0..200); -1 leaves the kernel's value
 */
public record MemoryLimits(long ramBytes, long swapBytes, int swappiness) {
    static final long PAGE = 4096;
    static final int MAX_SWAPPINESS = 200;                        // linux mm/memcontrol-v1.c mem_cgroup_swappiness_write

    public MemoryLimits {
        if (ramBytes < PAGE || ramBytes % PAGE != 0) {
            throw HostctlException.input("a memory cgroup's RAM limit must be a positive multiple of 4 KiB, not " + ramBytes);
        }
        if (swapBytes < 0 || swapBytes % PAGE != 0) {
            throw HostctlException.input("a memory cgroup's swap limit must be 0 or a multiple of 4 KiB, not " + swapBytes);
        }
        if (swappiness < -1 || swappiness > MAX_SWAPPINESS) {
            throw HostctlException.input("swappiness must be 0..200 (or -1 to leave it), not " + swappiness);
        }
    }

    /** {@code ramBytes} of RAM and {@code swapBytes} of swap, swappiness left as it is. */
    public static MemoryLimits of(long ramBytes, long swapBytes) {
        return new MemoryLimits(ramBytes, swapBytes, -1);
    }
}
