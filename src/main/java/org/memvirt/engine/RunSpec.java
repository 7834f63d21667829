package org.memvirt.engine;

import java.time.Duration;

import org.memvirt.config.MachineConfig;
import org.memvirt.host.MmuMode;
import org.memvirt.workload.Workload;

/**
 * Everything one run needs.
 *
 * @param machine the resolved memory configuration (layout, backend, -smp)
 * @param workload the ops to run
 * @param mmu shadow, ept or npt (the kvm engine refuses any but the one this host's KVM gives)
 * @param vpid VPID/ASID tagging of TLB entries on or off; null: the engine's own (on in the sim, as kvm_intel's
 *        enable_vpid; the host's on kvm, which refuses any other)
 * @param tlb TLB preset name ({@code zen5}, {@code golden-cove}) or a file, for the sim engine; null: the engine's
 *        own (zen5 in the sim; the host's TLBs on kvm, which refuses any other)
 * @param timeout wall-clock bound for the whole run (kvm engine)
 * @param seed seed for everything random the engine itself decides
 * @param ksm run the host's ksmd for the run (restored afterwards)
 * @param residentLimitBytes the VMM keeps at most this much guest RAM resident and swaps the rest itself
 *        (hypervisor-level swap); 0: no limit
 * @param guest what only a real Linux guest takes (the qemu engine): its kernel, the balloon's features, a duration
 * @param guestProfile the guest OS asked for ({@code --guest}), or null for the engine's own (the micro-guest on sim
 *        and kvm, which refuses any other)
 */
public record RunSpec(MachineConfig machine, Workload workload, MmuMode mmu, Boolean vpid, String tlb,
        Duration timeout, long seed, boolean ksm, long residentLimitBytes, GuestOptions guest, GuestProfile guestProfile) {
    public RunSpec {
        if (guest == null) guest = GuestOptions.DEFAULT;
    }

    /** A run of the engine's own guest with the default guest options. */
    public RunSpec(MachineConfig machine, Workload workload, MmuMode mmu, Boolean vpid, String tlb,
            Duration timeout, long seed, boolean ksm, long residentLimitBytes) {
        this(machine, workload, mmu, vpid, tlb, timeout, seed, ksm, residentLimitBytes, GuestOptions.DEFAULT, null);
    }

    /** A run that leaves the host's KSM alone and sets no resident limit. */
    public RunSpec(MachineConfig machine, Workload workload, MmuMode mmu, Boolean vpid, String tlb, Duration timeout,
            long seed) {
        this(machine, workload, mmu, vpid, tlb, timeout, seed, false, 0);
    }

    /** This run with {@code options} for a real guest. */
    public RunSpec withGuest(GuestOptions options) {
        return new RunSpec(machine, workload, mmu, vpid, tlb, timeout, seed, ksm, residentLimitBytes, options, guestProfile);
    }
}
