package org.memvirt.sim;

import java.util.ArrayList;
import java.util.List;

import org.memvirt.config.MachineConfig;
import org.memvirt.host.MmuMode;

/**
 * One simulated VM: its vCPUs, its MMU, its guest OS and its RAM block in host memory, plus the VM-scoped counters.
 * Receives the host's mmu_notifier invalidations.
 */
final class SimVm implements MmuNotifier {
    final HostMemory host;
    final int vmId;
    final RamMap ram;
    final GuestPageTables pts;
    final long[] stats = new long[Stat.COUNT];
    final List<Vcpu> vcpus = new ArrayList<>();
    final Mmu mmu;
    final GuestOs guest;
    final boolean vpid;
    private final List<PageLongs> expected = new ArrayList<>();   // per process: what it last wrote to each region page

    SimVm(MachineConfig machine, HostMemory host, MmuMode mode, boolean vpid, TlbGeometry tlb) {
        this(machine, host, mode, vpid, tlb, false);
    }

    /** @param linux a Linux guest: its frame allocator hands frames out top down */
    SimVm(MachineConfig machine, HostMemory host, MmuMode mode, boolean vpid, TlbGeometry tlb, boolean linux) {
        this.host = host;
        this.vpid = vpid;
        this.ram = new RamMap(machine.layout());
        if (ram.ramPages() < 1024) throw new SimException("the sim engine needs at least 4 MiB of guest RAM");
        this.vmId = host.addVm("vm0", ram.ramPages(), machine.memMerge(), 0);
        this.pts = new GuestPageTables(ram);
        int smp = Math.max(1, machine.smp());
        // linux arch/x86/kvm/vmx/vmx.c allocate_vpid: lowest free VPID, 0 reserved for the host; 0 when VPID is off
        for (int i = 0; i < smp; i++) vcpus.add(new Vcpu(this, i, vpid ? i + 1 : 0, tlb));
        this.mmu = mode == MmuMode.SHADOW ? new ShadowMmu(this) : new TdpMmu(this, mode == MmuMode.EPT);
        this.guest = new GuestOs(this, new FrameAllocator(machine.layout().ramRegions(), linux));
        host.setNotifier(this);
    }

    /** {@link #hostFault} results: the host page may be mapped writable, only read-only, or the fault is stale. */
    static final int HOST_WRITABLE = 0, HOST_READ_ONLY = 1, HOST_REPLACED = 2;

    /**
     * KVM faults the host page behind {@code gfn} in (hva_to_pfn). A read of a page the host has no frame for maps
     * the shared zero page read-only and allocates nothing (mm/memory.c do_anonymous_page); a write allocates and
     * zeroes a frame, or copies a shared page. When {@code mapped} (KVM maps the old read-only page) that copy's
     * mmu_notifier invalidation zaps the mapping and the fault is stale: {@link #HOST_REPLACED}, KVM retries it
     * (mmu.c is_page_fault_stale).
     */
    int hostFault(Vcpu v, long gfn, boolean write, boolean mapped) {
        long rp = ram.gfnToRamPage(gfn);
        HostMemory.PageState before = host.state(vmId, rp);
        if (!write && (before == HostMemory.PageState.UNTOUCHED || before == HostMemory.PageState.BALLOONED)) {
            return HOST_READ_ONLY;
        }
        int outcome = host.access(vmId, rp, write, host.content(vmId, rp));
        if (outcome == HostMemory.FIRST_TOUCH || outcome == HostMemory.DEFLATED_TOUCH) v.stats[Stat.HOST_PAGES_ZEROED]++;
        if (outcome == HostMemory.KILLED) throw new SimException("the VM was killed by the host's OOM killer");
        if (write && mapped && before != HostMemory.PageState.RESIDENT) {
            mmu.invalidateGfn(gfn);
            return HOST_REPLACED;
        }
        return host.state(vmId, rp) == HostMemory.PageState.RESIDENT ? HOST_WRITABLE : HOST_READ_ONLY;
    }

    /** Whether KVM's atomic gfn-to-pfn finds a host page for {@code gfn} without faulting (prefetch). */
    boolean hostPresent(long gfn, boolean writable) {
        HostMemory.PageState s = host.state(vmId, ram.gfnToRamPage(gfn));
        return s == HostMemory.PageState.RESIDENT || (s == HostMemory.PageState.SHARED && !writable);
    }

    /** Whether the host backs {@code gfn} with a private frame (else a read-only zero or shared page, or nothing). */
    boolean hostPrivate(long gfn) {
        return host.state(vmId, ram.gfnToRamPage(gfn)) == HostMemory.PageState.RESIDENT;
    }

    /**
     * Process {@code pid} stores {@code content} into region page {@code regionPage}, which its vCPU translated to data
     * frame {@code gfn}. The expectation is kept by (process, region page), not by frame, so that a wrong translation
     * (a stale TLB entry, a missed INVLPG or shadow-page write-protection) shows in {@link #verify} as the kvm
     * engine's host-side verify shows it.
     */
    void write(int pid, long regionPage, long gfn, long content) {
        host.access(vmId, ram.gfnToRamPage(gfn), true, content);
        expectations(pid).set(regionPage, content);
    }

    /** Process {@code pid} gave region page {@code regionPage} back ({@code free}): verify no longer expects it. */
    void forget(int pid, long regionPage) {
        if (pid < expected.size()) expected.get(pid).set(regionPage, 0);
    }

    private PageLongs expectations(int pid) {
        while (expected.size() <= pid) expected.add(new PageLongs(ram.ramPages()));   // region pages < RAM pages
        return expected.get(pid);
    }

    /**
     * Every region page a process wrote still holds what it wrote, found as the guest finds it: by walking that
     * process's guest page tables to the frame (a page unmapped by {@code unmap} keeps its frame in the entry), then
     * reading the host page behind the frame. A page whose entry holds no frame is a mismatch.
     */
    void verify() {
        for (int pid = 0; pid < expected.size(); pid++) {
            GuestOs.Process p = guest.processes.get(pid);
            expected.get(pid).forEachNonZero((n, content) -> {
                stats[Stat.VERIFY_PAGES]++;
                long gfn = guest.frameOf(p, GuestOs.REGION_BASE + (n << Paging.PAGE_SHIFT));
                if (gfn < 0 || host.content(vmId, ram.gfnToRamPage(gfn)) != content) stats[Stat.VERIFY_MISMATCHES]++;
            });
        }
    }

    @Override
    public void invalidateGfn(int vm, long ramPage) {
        if (vm == vmId) mmu.invalidateGfn(ram.ramPageToGfn(ramPage));
    }

    @Override
    public void vmKilled(int vm) {
        // the next host access reports KILLED and the run stops there
    }

    /** Totals: VM-scoped counters plus the sum over vCPUs. */
    long[] totals() {
        long[] t = stats.clone();
        for (Vcpu v : vcpus) {
            long[] s = v.statsSnapshot();
            for (int i = 0; i < Stat.COUNT; i++) t[i] += s[i];
        }
        return t;
    }
}
