package org.memvirt.engine;

import java.time.Duration;

import org.memvirt.config.MachineConfig;
import org.memvirt.workload.Workload;

/**
 * Everything one run needs.
 *
 * @param machine the resolved memory configuration (layout, backend, -smp)
 * @param workload the ops to run
 * @param mmu shadow, ept or npt (the kvm engine takes what the host gives and reports it)
 * @param vpid VPID/ASID tagging of TLB entries on or off
 * @param tlb TLB preset name ({@code zen5}, {@code golden-cove}) or a file, for the sim engine
 * @param timeout wall-clock bound for the whole run (kvm engine)
 * @param seed seed for everything random the engine itself decides
 */
public record RunSpec(MachineConfig machine, Workload workload, MmuMode mmu, boolean vpid, String tlb,
        Duration timeout, long seed) {}
