package org.memvirt.engine;

import java.util.List;

import org.memvirt.config.MachineConfig;
import org.memvirt.host.MmuMode;
import org.memvirt.workload.Op;

/**
 * What an engine runs for many VMs: one host and the VMs on it (a scenario file, {@code count: N} already expanded).
 * Engine-neutral: each engine maps the host onto what it models or has, and refuses what it cannot honour.
 *
 * @param name the scenario's name
 * @param durationNanos how long to run, or -1 to run until every workload has finished
 * @param sampleNanos timeline sampling interval
 * @param quantumNanos how long each VM runs before the next one does (round robin in virtual time)
 * @param host the host
 * @param policy the host-side balloon policy
 * @param ksmPolicy the host-side KSM manager
 * @param vms the VMs, in start order
 * @param maxWallNanos wall-clock time the sim engine may take for it ({@code scenario --max-wall}); refused up front
 *        when the sim expects to take longer, stopped when it is used up
 */
public record HostSpec(String name, long durationNanos, long sampleNanos, long quantumNanos, Host host,
        Policy policy, KsmPolicy ksmPolicy, List<Vm> vms, long maxWallNanos) {
    /** The default of {@code scenario --max-wall}: one hour of simulation. */
    public static final long DEFAULT_MAX_WALL_NANOS = 3_600_000_000_000L;

    public HostSpec {
        vms = List.copyOf(vms);
        if (maxWallNanos <= 0) throw new IllegalArgumentException("max wall time must be positive");
    }

    /** A host spec with the default {@link #DEFAULT_MAX_WALL_NANOS}. */
    public HostSpec(String name, long durationNanos, long sampleNanos, long quantumNanos, Host host,
            Policy policy, KsmPolicy ksmPolicy, List<Vm> vms) {
        this(name, durationNanos, sampleNanos, quantumNanos, host, policy, ksmPolicy, vms, DEFAULT_MAX_WALL_NANOS);
    }

    /** This spec with another wall-clock limit. */
    public HostSpec withMaxWall(long nanos) {
        return new HostSpec(name, durationNanos, sampleNanos, quantumNanos, host, policy, ksmPolicy, vms, nanos);
    }

    /**
     * The host's memory: RAM, what the host OS keeps for itself, the swap device and ksmd's knobs.
     *
     * @param ramBytes physical RAM (MemTotal)
     * @param reserveBytes memory the host OS and its processes use besides the guests
     * @param swapBytes swap device capacity
     * @param swapKind the class of the swap device
     * @param ksm ksmd's knobs (/sys/kernel/mm/ksm)
     * @param watermarkScaleFactor vm.watermark_scale_factor
     */
    public record Host(long ramBytes, long reserveBytes, long swapBytes, SwapKind swapKind, KsmConfig ksm,
            int watermarkScaleFactor) {
        public static final int DEFAULT_WATERMARK_SCALE_FACTOR = 10;   // linux vm.watermark_scale_factor default (0.1%)

        public Host {
            if (ramBytes <= 0) throw new IllegalArgumentException("host RAM must be positive");
            if (reserveBytes < 0 || reserveBytes >= ramBytes) throw new IllegalArgumentException("host reserve must be in [0, RAM)");
            if (swapBytes < 0) throw new IllegalArgumentException("swap size must be >= 0");
        }
    }

    /**
     * One VM.
     *
     * @param name unique name ({@code name-3} for the fourth of a {@code count})
     * @param machine the VM's machine as QEMU would build it: RAM and its split below and above 4 GiB, the backend,
     *        mem-merge, -smp
     * @param mmu the MMU mode asked for, or null for the engine's own (the host's on kvm; EPT in the sim)
     * @param oomScoreAdj the QEMU process's oom_score_adj
     * @param startNanos virtual time at which the VM starts
     * @param bootTouchBytes memory the guest OS touches and frees at boot (Windows zeroes all of RAM, for example)
     * @param balloon the balloon device, or null for none
     * @param workload the ops, in order
     * @param residentLimitBytes {@code resident_limit}: the VMM keeps at most this much guest RAM resident and swaps
     *        the rest itself (hypervisor-level swap through userfaultfd, kvm engine only); 0: no limit
     * @param guest the guest OS ({@code guest}), or null for the engine's own (the micro-guest on sim and kvm)
     */
    public record Vm(String name, MachineConfig machine, MmuMode mmu, int oomScoreAdj, long startNanos,
            long bootTouchBytes, Balloon balloon, List<Op> workload, long residentLimitBytes, GuestProfile guest) {
        public Vm {
            workload = List.copyOf(workload);
        }

        /** A VM of the engine's own guest. */
        public Vm(String name, MachineConfig machine, MmuMode mmu, int oomScoreAdj, long startNanos, long bootTouchBytes,
                Balloon balloon, List<Op> workload, long residentLimitBytes) {
            this(name, machine, mmu, oomScoreAdj, startNanos, bootTouchBytes, balloon, workload, residentLimitBytes, null);
        }

        /** Guest RAM ({@code -m}). */
        public long ramBytes() {
            return machine.layout().ramSize();
        }

        /** Whether KSM may merge guest RAM (MADV_MERGEABLE): the backend's {@code merge}, else {@code mem-merge}. */
        public boolean memMerge() {
            return machine.backend() != null ? machine.backend().merge() : machine.memMerge();
        }
    }

    /**
     * A virtio-balloon device and its policy settings.
     *
     * @param deflateOnOom QEMU {@code deflate-on-oom} (libvirt autodeflate)
     * @param minBytes the smallest logical size a policy may set (Proxmox {@code balloon}, MOM balloon_min)
     * @param shares Proxmox shares (default 1000)
     * @param targetBytes a fixed target logical size, or 0 for none
     * @param targetAtNanos when the fixed target is set
     * @param reclaim {@code reclaim}: with no free frame left, the guest gives the balloon its process's pages from the
     *        top of the region down, dropping their content (the kvm guest runtime always does); false: "Out of puff!"
     */
    public record Balloon(boolean deflateOnOom, long minBytes, int shares, long targetBytes, long targetAtNanos,
            boolean reclaim) {
        public Balloon(boolean deflateOnOom, long minBytes, int shares, long targetBytes, long targetAtNanos) {
            this(deflateOnOom, minBytes, shares, targetBytes, targetAtNanos, false);
        }
    }

    /** The host-side KSM manager: none (the knobs as given), ksmtuned, or MOM's KSM policy. */
    public enum KsmPolicy { NONE, KSMTUNED, MOM }

    /** The host-side balloon manager: none, fixed targets only, oVirt MOM's rules, or Proxmox auto-ballooning. */
    public enum PolicyKind { NONE, FIXED, MOM, PROXMOX }

    /**
     * @param kind which manager
     * @param intervalNanos how often it runs (MOM policy-engine-interval 10 s; pvestatd 10 s)
     * @param targetPercent Proxmox host RAM usage target (default 80)
     */
    public record Policy(PolicyKind kind, long intervalNanos, int targetPercent) {}
}
