package org.memvirt.sim;

/**
 * KVM's MMU for one VM as the vCPUs see it: the hardware walk on a TLB miss, and the guest events that may exit
 * (page-table writes, MOV CR3, INVLPG). Shadow paging or two-dimensional paging.
 */
sealed interface Mmu permits ShadowMmu, TdpMmu {
    /** {@link #walk} result: the guest's own tables deny the access; the guest must take a #PF. */
    long GUEST_FAULT = -1;
    /** {@link #walk} result: KVM handled an exit and fixed something; walk again. */
    long RETRY = -2;

    /**
     * The hardware page walk for {@code gva} after a TLB miss, including whatever exits it causes (shadow-page
     * fault, EPT violation). Returns a TLB value ({@code gfn << 1 | writable}) or {@link #GUEST_FAULT} or {@link #RETRY}.
     */
    long walk(Vcpu vcpu, long gva, boolean write);

    /** The guest kernel stores {@code pte} at {@code index} of its page-table page {@code tableGfn}. */
    void guestPteWrite(Vcpu vcpu, long tableGfn, int index, long pte);

    /** The guest kernel makes a new page-table page of {@code gfn} (its first store to the frame). */
    void guestTableCreated(Vcpu vcpu, long gfn);

    /** The guest kernel loads from frame {@code gfn} through its direct map. */
    void kernelRead(Vcpu vcpu, long gfn);

    /** The guest executes MOV to CR3 with {@code cr3} (PCID in bits 11:0, no-flush in bit 63). */
    void movCr3(Vcpu vcpu, long cr3);

    /** The guest executes INVLPG {@code gva}; {@code large} if the guest's tables mapped it with a 2 MiB page. */
    void invlpg(Vcpu vcpu, long gva, boolean large);

    /** The host dropped guest frame {@code gfn} (mmu_notifier invalidate). */
    void invalidateGfn(long gfn);
}
