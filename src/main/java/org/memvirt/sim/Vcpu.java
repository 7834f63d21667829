package org.memvirt.sim;

/**
 * One virtual CPU: its TLBs tagged by its VPID, its CR3, and its vCPU-scoped counters. Translates the guest's
 * data accesses; the TLB-hit path is allocation-free and touches only this object's arrays.
 */
final class Vcpu {
    private static final int MAX_RETRIES = 16;

    final int index;
    final int vpid;                 // 0 when VPID is off (SDM §28.3.3.1)
    final GuestTlb tlb;
    final long[] stats = new long[Stat.COUNT];
    final SimVm vm;
    long cr3;                       // PML4 gpa | PCID
    long tag;                       // vpid << 12 | pcid
    GuestOs.Process process;
    boolean pcide;                  // CR4.PCIDE: set by this vCPU's first MOV CR3 with a PCID (the runtime's pcide[cpu])
    boolean flushBeforeNextOp;      // another vCPU freed frames this one may still translate to (the runtime's MB_FLUSH)
    private int requests;           // pending KVM requests, serviced on the next VM entry (x86.c vcpu_enter_guest)
    static final int REQ_TLB_FLUSH = 1;          // KVM_REQ_TLB_FLUSH: kvm_vcpu_flush_tlb_all
    static final int REQ_TLB_FLUSH_CURRENT = 2;  // KVM_REQ_TLB_FLUSH_CURRENT: kvm_vcpu_flush_tlb_current
    // shadow paging: the root and KVM's cached previous roots (arch/x86/include/asm/kvm_host.h KVM_MMU_NUM_PREV_ROOTS)
    ShadowPage root;
    long rootPgd;
    final long[] prevPgd = new long[ShadowMmu.NUM_PREV_ROOTS];
    final ShadowPage[] prevRoot = new ShadowPage[ShadowMmu.NUM_PREV_ROOTS];

    Vcpu(SimVm vm, int index, int vpid, TlbGeometry geometry) {
        this.vm = vm;
        this.index = index;
        this.vpid = vpid;
        this.tlb = GuestTlb.of(geometry);
    }

    void loadCr3(long cr3) {
        this.cr3 = cr3 & ~Paging.CR3_NOFLUSH;
        this.tag = (long) vpid << 12 | (cr3 & Paging.CR3_PCID);
    }

    long pml4Gfn() {
        return Paging.pteToGfn(cr3);
    }

    /** The guest frame behind {@code gva} for a data access, taking every TLB miss, walk, fault and exit on the way. */
    long translate(long gva, boolean write) {
        if (requests != 0) serviceRequests();
        final long[] s = stats;
        final long key = GuestTlb.key(tag, gva >>> Paging.PAGE_SHIFT);
        final long hit = tlb.lookupL1(key);
        if (hit >= 0 && (!write || (hit & 1) != 0)) {
            s[Stat.DTLB_HITS]++;
            return hit >>> 1;
        }
        return translateMiss(gva, key, write);
    }

    private long translateMiss(long gva, long key, boolean write) {
        stats[Stat.DTLB_MISSES]++;
        long v = tlb.lookupL2(key);
        if (v >= 0 && (!write || (v & 1) != 0)) {
            stats[Stat.STLB_HITS]++;
            tlb.fillL1(key, v);
            return v >>> 1;
        }
        stats[Stat.STLB_MISSES]++;
        for (int i = 0; i < MAX_RETRIES; i++) {
            if (requests != 0) serviceRequests();
            long r = vm.mmu.walk(this, gva, write);
            if (r >= 0) {
                tlb.fill(GuestTlb.key(tag, gva >>> Paging.PAGE_SHIFT), r);
                return r >>> 1;
            }
            if (r == Mmu.GUEST_FAULT) vm.guest.handlePageFault(this, gva);
        }
        throw new SimException("no progress translating gva 0x" + Long.toHexString(gva) + " (model bug)");
    }

    /** This vCPU's counters; {@code accesses} is derived (every access is a DTLB hit or miss). */
    long[] statsSnapshot() {
        long[] s = stats.clone();
        s[Stat.ACCESSES] = s[Stat.DTLB_HITS] + s[Stat.DTLB_MISSES];
        return s;
    }

    /** A VM exit for {@code reason} and the VM entry after it; without VPID both flush VPID 0 (SDM §28.3.3.1). */
    void exit(int reason) {
        stats[Stat.EXITS]++;
        stats[reason]++;
        if (vpid == 0) tlb.flushAll();
    }

    /** Raises a KVM request; requests coalesce until the vCPU next enters the guest. */
    void request(int request) {
        requests |= request;
    }

    /**
     * The VM entry's request processing: one flush however many requests were raised, a full flush covering the
     * current-context one (x86.c kvm_vcpu_flush_tlb_all / kvm_vcpu_flush_tlb_current: ++vcpu->stat.tlb_flush).
     */
    void serviceRequests() {
        if (requests == 0) return;
        stats[Stat.TLB_FLUSH]++;
        if ((requests & REQ_TLB_FLUSH) != 0) tlb.flushAll();
        else tlb.flushVpid(vpid);
        requests = 0;
    }
}
