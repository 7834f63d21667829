package org.memvirt.sim;

import java.util.function.LongSupplier;

import org.memvirt.host.MmuMode;

/**
 * The shadow MMU's fault path in a loop, for the allocation test and the JMH benchmark: a booted shadow-paging VM
 * whose guest maps {@link #PAGES} pages twice (each frame at two addresses of one page table, so every frame has two
 * leaf sptes and the rmap chains them). One round faults every address in (shadow fault, guest walk, host fault, leaf,
 * prefetch) and then invalidates every frame (mmu_notifier: the rmap walk drops both sptes), so the next round faults
 * again. Public, with a public constructor, so that a benchmark can load it beside another build of the sim package.
 */
public final class ShadowFaultLoop implements LongSupplier {
    static final int PAGES = 128;                     // aliases at index + 128 stay in the same 512-entry page table

    private final SimVm vm;
    private final ShadowMmu mmu;
    private final Vcpu vcpu;
    private final long[] gvas = new long[2 * PAGES];
    private final long[] gfns = new long[PAGES];

    public ShadowFaultLoop() {
        vm = new SimVm(SimFixtures.machine(64 * SimFixtures.MIB, 1), new LazyHostMemory(), MmuMode.SHADOW, true,
                TlbGeometry.ZEN5);
        vcpu = vm.vcpus.get(0);
        vm.guest.boot(vcpu);
        mmu = (ShadowMmu) vm.mmu;
        GuestOs.Process p = vcpu.process;
        for (int i = 0; i < PAGES; i++) {
            gvas[i] = GuestOs.REGION_BASE + 4096L * i;
            gvas[PAGES + i] = gvas[i] + 4096L * PAGES;
            vm.guest.ensureMapped(vcpu, p, gvas[i]);
            vm.guest.ensureMapped(vcpu, p, gvas[PAGES + i]);
            gfns[i] = fault(gvas[i]) >>> 1;
        }
        long table = leafTable(p, gvas[0]);
        for (int i = 0; i < PAGES; i++) {                // the alias now maps the same frame, as a shared mapping would
            mmu.guestPteWrite(vcpu, table, PAGES + i, Paging.gfnToPte(gfns[i], GuestOs.LEAF_FLAGS));
        }
    }

    /** The page table that holds the PTE of {@code gva}. */
    private long leafTable(GuestOs.Process p, long gva) {
        long table = p.pml4Gfn;
        for (int level = Paging.LEVELS; level > 1; level--) table = Paging.pteToGfn(vm.pts.read(table, Paging.index(gva, level)));
        return table;
    }

    /** Walks {@code gva} for a write until the shadow table maps it; the TLB value ({@code gfn << 1 | writable}). */
    private long fault(long gva) {
        long r;
        do {
            r = mmu.walk(vcpu, gva, true);
        } while (r == Mmu.RETRY);
        if (r == Mmu.GUEST_FAULT) throw new IllegalStateException("guest fault at 0x" + Long.toHexString(gva));
        return r;
    }

    /** One round; the sum of the TLB values, so that nothing is optimized away. */
    @Override
    public long getAsLong() {
        long sum = 0;
        for (long gva : gvas) sum += fault(gva);
        for (long gfn : gfns) mmu.invalidateGfn(gfn);
        return sum;
    }

    /** KVM's pf_fixed so far (the faults a round fixes: every fault prefetch did not pre-empt). */
    long pfFixed() {
        return vcpu.stats[Stat.PF_FIXED];
    }

    void checkInvariants() {
        mmu.checkInvariants();
    }
}
