package org.memvirt.sim;

import org.memvirt.engine.Counters;

/**
 * Turns a run's counters into estimated cycles, for the VM and for the same work run natively, so a run reports a
 * slowdown against native. One table of constants, each with its source; see docs/sim-engine.md.
 *
 * @param ghz clock used to turn cycles into virtual time
 * @param accessCycles one data access that hits the first-level DTLB
 * @param stlbHitCycles extra for a first-level miss served by the second-level TLB
 * @param walkRefCycles one page-walk memory reference
 * @param exitCycles one VM exit and re-entry handled in the kernel
 * @param emulationCycles one instruction emulated by KVM
 * @param kvmFaultCycles KVM's work to fix one fault (shadow page fault or EPT violation), beyond the exit
 * @param zeroPageCycles the host zeroing one fresh 4 KiB page
 * @param guestFaultCycles the guest kernel's own #PF handler, native or virtual
 */
public record CostModel(double ghz, long accessCycles, long stlbHitCycles, long walkRefCycles, long exitCycles,
        long emulationCycles, long kvmFaultCycles, long zeroPageCycles, long guestFaultCycles) {

    /** The defaults; docs/sim-engine.md gives each one's source. */
    public static final CostModel DEFAULT = new CostModel(
            3.0,     // nominal clock (assumption)
            1,       // one load per cycle on an L1 DTLB hit (the TLB lookup is hidden in the L1D access)
            7,       // Zen 5: 4-cycle load-to-use on L1 DTLB hit, 11 from the L2 DTLB (J. Chen's Zen 5 measurements, 2024)
            20,      // paging-structure entries mostly from L2/L3 cache (assumption; Zen 5 L2 ~14 cycles)
            3000,    // ~1 µs: a KVM_RUN exit to user space ~2,500 cycles on AMD SVM (LKML, Dec 2020); in-kernel is cheaper
            4500,    // ~1.5 µs per emulated instruction (assumption; 1–2 µs in KVM's emulator on host A, docs/HOST-FACTS.md)
            3000,    // ~1 µs to walk the guest table and install sptes (assumption; host A: ~6 µs per first touch incl. zeroing)
            1000,    // 4 KiB clear_page at ~4 bytes/cycle (assumption)
            1500);   // a native anonymous #PF, ~0.5 µs (assumption)

    /** Cycles and slowdown of a run. */
    public record Estimate(long vmCycles, long nativeCycles, double slowdown, long vmNanos, long nativeNanos) {}

    /** The estimate for a sim run's counters (every counter of {@link Stat}; a kvm run's counters are refused). */
    public Estimate estimate(Counters c) {
        long[] s = new long[Stat.COUNT];
        for (int i = 0; i < Stat.COUNT; i++) s[i] = c.get(Stat.counter(i));
        long vm = vmCycles(s);
        long nat = nativeCycles(s);
        return new Estimate(vm, nat, nat == 0 ? 1.0 : (double) vm / nat, nanos(vm), nanos(nat));
    }

    /** The VM's cycles for counter values {@code s} (indexed by {@link Stat}): the guest's own work plus KVM's. */
    long vmCycles(long[] s) {
        return guestCycles(s) + s[Stat.WALK_REFS] * walkRefCycles + s[Stat.EXITS] * exitCycles
                + s[Stat.INSN_EMULATION] * emulationCycles + (s[Stat.PF_FIXED] + s[Stat.PF_GUEST]) * kvmFaultCycles;
    }

    /** The same work on bare metal: the guest's own work with one-dimensional walks. */
    long nativeCycles(long[] s) {
        return guestCycles(s) + s[Stat.NATIVE_WALK_REFS] * walkRefCycles;
    }

    /** What costs the same with and without virtualization: accesses, STLB hits, the guest's #PFs, zeroing. */
    private long guestCycles(long[] s) {
        return s[Stat.ACCESSES] * accessCycles + s[Stat.STLB_HITS] * stlbHitCycles
                + s[Stat.GUEST_PAGE_FAULTS] * guestFaultCycles + s[Stat.HOST_PAGES_ZEROED] * zeroPageCycles;
    }

    long nanos(long cycles) {
        return Math.round(cycles / ghz);
    }
}
