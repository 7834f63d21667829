package org.memvirt.scenario;

import java.util.List;

import org.memvirt.engine.MmuMode;
import org.memvirt.sim.HostConfig;
import org.memvirt.workload.Op;

/**
 * A validated scenario: one host and the VMs on it (with {@code count: N} already expanded), in virtual time.
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
 *        when {@link ScenarioCost} expects more, stopped when it is used up
 */
public record Scenario(String name, long durationNanos, long sampleNanos, long quantumNanos, HostConfig host,
        Policy policy, KsmPolicy ksmPolicy, List<Vm> vms, long maxWallNanos) {
    /** The default of {@code --max-wall}: one hour of simulation. */
    public static final long DEFAULT_MAX_WALL_NANOS = 3_600_000_000_000L;

    public Scenario {
        vms = List.copyOf(vms);
        if (maxWallNanos <= 0) throw new IllegalArgumentException("max wall time must be positive");
    }

    /** A scenario with the default {@link #DEFAULT_MAX_WALL_NANOS}. */
    public Scenario(String name, long durationNanos, long sampleNanos, long quantumNanos, HostConfig host,
            Policy policy, KsmPolicy ksmPolicy, List<Vm> vms) {
        this(name, durationNanos, sampleNanos, quantumNanos, host, policy, ksmPolicy, vms, DEFAULT_MAX_WALL_NANOS);
    }

    /** This scenario with another wall-clock limit. */
    public Scenario withMaxWall(long nanos) {
        return new Scenario(name, durationNanos, sampleNanos, quantumNanos, host, policy, ksmPolicy, vms, nanos);
    }

    /**
     * One VM.
     *
     * @param name unique name ({@code name-3} for the fourth of a {@code count})
     * @param ramBytes guest RAM ({@code -m})
     * @param memMerge QEMU {@code -machine mem-merge} (KSM)
     * @param mmu the MMU mode (recorded; scenarios run at page granularity)
     * @param oomScoreAdj the QEMU process's oom_score_adj
     * @param startNanos virtual time at which the VM starts
     * @param bootTouchBytes memory the guest OS touches and frees at boot (Windows zeroes all of RAM, for example)
     * @param balloon the balloon device, or null for none
     * @param workload the ops, in order
     * @param residentLimitBytes {@code resident_limit}: the VMM keeps at most this much guest RAM resident and swaps
     *        the rest itself (hypervisor-level swap through userfaultfd, kvm engine only); 0: no limit
     */
    public record Vm(String name, long ramBytes, boolean memMerge, MmuMode mmu, int oomScoreAdj, long startNanos,
            long bootTouchBytes, Balloon balloon, List<Op> workload, long residentLimitBytes) {
        public Vm {
            workload = List.copyOf(workload);
        }

        public Vm(String name, long ramBytes, boolean memMerge, MmuMode mmu, int oomScoreAdj, long startNanos,
                long bootTouchBytes, Balloon balloon, List<Op> workload) {
            this(name, ramBytes, memMerge, mmu, oomScoreAdj, startNanos, bootTouchBytes, balloon, workload, 0);
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
