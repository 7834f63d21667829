package org.memvirt.hostctl;

/**
 * What memvirt's memory cgroup holds now and has done so far, from its own files.
 *
 * @param memoryBytes memory charged to the group now (v1 memory.usage_in_bytes, v2 memory.current)
 * @param swapBytes swap charged to the group now (v1 memory.memsw.usage_in_bytes minus usage_in_bytes, v2
 *        memory.swap.current)
 * @param peakBytes the most memory charged at once (v1 memory.max_usage_in_bytes, v2 memory.peak; -1 where the
 *        kernel has no such file, before Linux 5.19 on v2)
 * @param limitHits how often a charge failed at the RAM limit (v1 memory.failcnt, v2 memory.events {@code max}). On
 *        v1 a group whose RAM+swap limit equals its RAM limit hits the RAM+swap counter first (mm/memcontrol.c
 *        try_charge_memcg charges memsw before memory), and Linux 6.18 then counted the failures in neither
 *        memory.failcnt nor memory.memsw.failcnt (docs/host-limits.md): do not read "no OOM" from a 0 here
 * @param oomKills processes the kernel's OOM killer killed in the group (v1 memory.oom_control, v2 memory.events
 *        {@code oom_kill}; Linux 4.13 and later)
 */
public record CgroupUsage(long memoryBytes, long swapBytes, long peakBytes, long limitHits, long oomKills) {}
