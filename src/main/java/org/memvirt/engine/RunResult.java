package org.memvirt.engine;

import java.util.List;

/**
 * What a run reports. Field names (snake_case in JSON) are the same for both engines.
 *
 * @param engine {@code sim} or {@code kvm}
 * @param engineReason why this engine ran (e.g. "--engine auto: /dev/kvm usable")
 * @param mmu the MMU mode that ran
 * @param vpid whether VPID/ASID tagging was on
 * @param memory the memory picture at the end
 * @param counters every counter, totals over the run (KVM's names first, then memvirt's own)
 * @param vcpus the same counters per vCPU (vCPU-scoped statistics only)
 * @param ops per top-level op: its text, its time and its counter deltas
 */
public record RunResult(String engine, String engineReason, String mmu, boolean vpid, MemoryPicture memory,
        Counters counters, List<Counters> vcpus, List<OpResult> ops) {
    public RunResult {
        vcpus = List.copyOf(vcpus);
        ops = List.copyOf(ops);
    }

    /**
     * One op's outcome.
     *
     * @param op the op as written
     * @param nanos its duration: wall time (kvm) or virtual time (sim)
     * @param deltas the counters it changed
     */
    public record OpResult(String op, long nanos, Counters deltas) {}

    /**
     * Guest memory at the end of the run.
     *
     * @param configuredBytes RAM the guest was given
     * @param residentBytes guest RAM backed by host memory
     * @param anonHugePagesBytes of which backed by transparent huge pages
     * @param swappedBytes guest RAM in swap
     * @param sharedBytes guest RAM merged by KSM (pages saved)
     * @param balloonedBytes guest RAM given back through the balloon
     * @param pageTableBytes memory held by guest page tables, shadow tables or EPT/NPT tables
     */
    public record MemoryPicture(long configuredBytes, long residentBytes, long anonHugePagesBytes, long swappedBytes,
            long sharedBytes, long balloonedBytes, long pageTableBytes) {}
}
