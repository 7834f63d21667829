package org.memvirt.engine;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;

import org.memvirt.host.MmuMode;

/**
 * What a run reports. Field names (snake_case in JSON) are the same for both engines.
 *
 * @param engine the engine that ran
 * @param engineReason why this engine ran (e.g. "--engine auto: /dev/kvm usable")
 * @param mmu the MMU mode that ran
 * @param vpid whether VPID/ASID tagging was on
 * @param memory the memory picture at the end
 * @param counters every counter, totals over the run (KVM's names first, then memvirt's own)
 * @param vcpus the same counters per vCPU (vCPU-scoped statistics only)
 * @param ops per top-level op: its text, its time and its counter deltas
 * @param tlb the TLB geometry modelled (sim), or null
 * @param cost the cost model's estimate (sim), or null
 */
public record RunResult(EngineKind engine, String engineReason, MmuMode mmu, boolean vpid, MemoryPicture memory,
        Counters counters, List<Counters> vcpus, List<OpResult> ops,
        @JsonInclude(JsonInclude.Include.NON_NULL) String tlb,
        @JsonInclude(JsonInclude.Include.NON_NULL) Cost cost) {
    public RunResult {
        vcpus = List.copyOf(vcpus);
        ops = List.copyOf(ops);
    }

    /** A result without a modelled TLB or cost (a real run). */
    public RunResult(EngineKind engine, String engineReason, MmuMode mmu, boolean vpid, MemoryPicture memory,
            Counters counters, List<Counters> vcpus, List<OpResult> ops) {
        this(engine, engineReason, mmu, vpid, memory, counters, vcpus, ops, null, null);
    }

    /** This result with {@code reason} as the reason its engine ran. */
    public RunResult withEngineReason(String reason) {
        return new RunResult(engine, reason, mmu, vpid, memory, counters, vcpus, ops, tlb, cost);
    }

    /** This result with {@code more} added to its counters. */
    public RunResult withCounters(Counters more) {
        return new RunResult(engine, engineReason, mmu, vpid, memory, counters.plus(more), vcpus, ops, tlb, cost);
    }

    /**
     * A model's estimate of what the run costs, in the VM and natively (docs/sim-engine.md).
     *
     * @param vmCycles cycles in the VM
     * @param nativeCycles cycles of the same work run natively
     * @param slowdown {@code vmCycles / nativeCycles}
     * @param vmNanos {@code vmCycles} at the model's clock
     * @param nativeNanos {@code nativeCycles} at the model's clock
     */
    public record Cost(long vmCycles, long nativeCycles, double slowdown, long vmNanos, long nativeNanos) {}

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
