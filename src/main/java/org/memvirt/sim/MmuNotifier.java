package org.memvirt.sim;

/**
 * What the MMU is told when the host changes a guest page behind its back, after Linux's mmu_notifier
 * (include/linux/mmu_notifier.h invalidate_range_start / change_pte): swap-out, KSM merge, balloon release, OOM kill.
 */
public interface MmuNotifier {
    MmuNotifier NONE = new MmuNotifier() {
        @Override public void invalidateGfn(int vm, long gfn) {}
        @Override public void vmKilled(int vm) {}
    };

    /** Drop every mapping (spte, EPT entry, TLB entry) of guest frame {@code gfn} of {@code vm}. */
    void invalidateGfn(int vm, long gfn);

    /** {@code vm} was killed: its vCPUs stop. */
    void vmKilled(int vm);
}
