package org.memvirt.engine;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;

import org.memvirt.host.FreeMemory;
import org.memvirt.host.MmuMode;

/**
 * What a run reports. Field names (snake_case in JSON) are the same for every engine; the fields an engine has no
 * value for are left out of the JSON (never a made-up 0).
 *
 * @param engine the engine that ran
 * @param engineReason why this engine ran (e.g. "--engine auto: /dev/kvm usable")
 * @param mmu the MMU mode that ran; null under QEMU's TCG, whose software MMU is none of them
 * @param vpid whether VPID/ASID tagging was on
 * @param memory the memory picture at the end
 * @param counters every counter, totals over the run (KVM's names first, then memvirt's own)
 * @param vcpus the same counters per vCPU (vCPU-scoped statistics only)
 * @param ops per top-level op: its text, its time and its counter deltas
 * @param tlb the TLB geometry modelled (sim), or null
 * @param cost the cost model's estimate (sim), or null
 * @param accel QEMU's accelerator, {@code kvm} or {@code tcg} (qemu engine), or null
 * @param bootMs QEMU's start to the guest agent's ready message, ms (qemu engine), or null
 * @param guest the guest's own view of its memory (a real Linux guest), or null
 * @param hostFree the host's {@code free} at the end of the run while the VM still ran (a real run), or null
 * @param timeline guest RAM over wall time (qemu engine), or null
 * @param notes what the engine changed, chose or could not do, one line each (QEMU's command line, a balloon that
 *        stopped short); empty for most runs
 */
public record RunResult(EngineKind engine, String engineReason,
        @JsonInclude(JsonInclude.Include.NON_NULL) String accel, MmuMode mmu, boolean vpid,
        @JsonInclude(JsonInclude.Include.NON_NULL) Long bootMs, MemoryPicture memory,
        @JsonInclude(JsonInclude.Include.NON_NULL) GuestView guest,
        @JsonInclude(JsonInclude.Include.NON_NULL) FreeMemory hostFree, Counters counters, List<Counters> vcpus,
        List<OpResult> ops, @JsonInclude(JsonInclude.Include.NON_NULL) Timeline timeline,
        @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> notes,
        @JsonInclude(JsonInclude.Include.NON_NULL) String tlb,
        @JsonInclude(JsonInclude.Include.NON_NULL) Cost cost) {
    public RunResult {
        vcpus = List.copyOf(vcpus);
        ops = List.copyOf(ops);
        notes = notes == null ? List.of() : List.copyOf(notes);
    }

    /** A result of the sim or kvm engine: no accelerator, boot, guest view, timeline or notes. */
    public RunResult(EngineKind engine, String engineReason, MmuMode mmu, boolean vpid, MemoryPicture memory,
            Counters counters, List<Counters> vcpus, List<OpResult> ops, String tlb, Cost cost) {
        this(engine, engineReason, null, mmu, vpid, null, memory, null, null, counters, vcpus, ops, null, List.of(), tlb,
                cost);
    }

    /** A result without a modelled TLB or cost (a real run). */
    public RunResult(EngineKind engine, String engineReason, MmuMode mmu, boolean vpid, MemoryPicture memory,
            Counters counters, List<Counters> vcpus, List<OpResult> ops) {
        this(engine, engineReason, mmu, vpid, memory, counters, vcpus, ops, null, null);
    }

    /** This result with {@code reason} as the reason its engine ran. */
    public RunResult withEngineReason(String reason) {
        return new RunResult(engine, reason, accel, mmu, vpid, bootMs, memory, guest, hostFree, counters, vcpus, ops,
                timeline, notes, tlb, cost);
    }

    /**
     * The host's {@code free} while the VM ran: what a real engine measured (its {@code host_mem_*} counters, swap as
     * in {@code before}), or for a model {@code before} with the VM's resident memory added.
     */
    public FreeMemory hostFreeDuring(FreeMemory before) {
        if (engine.virtualTime() || !counters.has(Counter.HOST_MEM_TOTAL_KB)) return before.withMoreUsed(memory.residentBytes());
        long kib = 1024;
        return new FreeMemory(counters.get(Counter.HOST_MEM_TOTAL_KB) * kib, counters.get(Counter.HOST_MEM_USED_KB) * kib,
                counters.get(Counter.HOST_MEM_FREE_KB) * kib, before.shared(), counters.get(Counter.HOST_MEM_BUFF_CACHE_KB) * kib,
                counters.get(Counter.HOST_MEM_AVAILABLE_KB) * kib, before.swapTotal(), before.swapUsed(), before.swapFree());
    }

    /** This result with {@code more} added to its counters. */
    public RunResult withCounters(Counters more) {
        return new RunResult(engine, engineReason, accel, mmu, vpid, bootMs, memory, guest, hostFree,
                counters.plus(more), vcpus, ops, timeline, notes, tlb, cost);
    }

    /** How reports name the translation that ran: the MMU mode, or {@code tcg} under QEMU's software MMU. */
    @JsonIgnore
    public String mmuWord() {
        return mmu != null ? mmu.word() : accel != null ? accel : "none";
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
     * @param nanos its duration: wall time (kvm, qemu) or virtual time (sim)
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
     * @param vmmOverheadBytes the VMM process's resident memory beyond guest RAM (QEMU's VmRSS less guest RAM's
     *        Rss), or null where the engine does not measure it
     * @param accounting how much of {@code residentBytes} is which, for a Linux guest; null for the micro-guest
     */
    public record MemoryPicture(long configuredBytes, long residentBytes, long anonHugePagesBytes, long swappedBytes,
            long sharedBytes, long balloonedBytes, long pageTableBytes,
            @JsonInclude(JsonInclude.Include.NON_NULL) Long vmmOverheadBytes,
            @JsonInclude(JsonInclude.Include.NON_NULL) ResidentSplit accounting) {
        /** A picture without the VMM's overhead or an accounting. */
        public MemoryPicture(long configuredBytes, long residentBytes, long anonHugePagesBytes, long swappedBytes,
                long sharedBytes, long balloonedBytes, long pageTableBytes) {
            this(configuredBytes, residentBytes, anonHugePagesBytes, swappedBytes, sharedBytes, balloonedBytes,
                    pageTableBytes, null, null);
        }
    }

    /**
     * A real Linux guest's own view of its memory.
     *
     * @param kernel the guest kernel's release ({@code 6.1.0-57-amd64}), or null where no agent told it
     * @param agent whether memvirt's guest agent ran the workload (else the guest ran its own work and was measured
     *        from the host and over QMP)
     * @param meminfo the guest's /proc/meminfo at the end, in bytes where the kernel prints kB; empty without the agent
     * @param free the guest's {@code free} (from meminfo, or from the balloon driver's statistics without the agent),
     *        or null when neither reported
     * @param balloonStats the balloon driver's last statistics by QEMU's names ({@code stat-free-memory}, ...; memory in
     *        bytes); empty when the driver never reported
     */
    public record GuestView(String kernel, boolean agent, Map<String, Long> meminfo,
            @JsonInclude(JsonInclude.Include.NON_NULL) FreeMemory free, Map<String, Long> balloonStats) {
        public GuestView {
            meminfo = ordered(meminfo);
            balloonStats = ordered(balloonStats);
        }

        private static Map<String, Long> ordered(Map<String, Long> m) {     // kept in the kernel's and QEMU's order
            return java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(m));
        }
    }

    /**
     * Guest RAM sampled over wall time while ops ran and while the engine watched the guest.
     *
     * @param periodMillis the time between samples
     * @param samples in time order; {@code t} in seconds from the first op's start
     * @param marks op starts and other events, in time order
     */
    public record Timeline(long periodMillis, List<Sample> samples, List<Mark> marks) {
        public Timeline {
            samples = List.copyOf(samples);
            marks = List.copyOf(marks);
        }

        /**
         * One sample.
         *
         * @param t seconds from the first op's start
         * @param residentBytes the guest-RAM mapping's Rss
         * @param pssBytes its Pss (below Rss where KSM shares pages)
         * @param balloonBytes the balloon's size as the guest driver reports it (RAM less {@code query-balloon}'s
         *        {@code actual})
         */
        public record Sample(double t, long residentBytes, long pssBytes, long balloonBytes) {}

        /** An event at {@code t} seconds: an op started, the guest powered off. */
        public record Mark(double t, String label) {}
    }
}
