package org.memvirt.sim;

/**
 * KVM's TDP MMU after linux arch/x86/kvm/mmu/tdp_mmu.c: one nested table per VM (EPT format on Intel, the ordinary
 * long-mode format for AMD NPT), built leaf by leaf on EPT violations (NPF on AMD). Guest #PF, INVLPG, MOV CR3 and
 * guest page-table writes never exit; the hardware does a two-dimensional walk on each TLB miss.
 */
final class TdpMmu implements Mmu {
    // EPT entry bits (SDM Vol 3C §28.2.2, Table 28-6), from the x86 package's codec
    static final long EPT_RWX = org.memvirt.x86.EptEntry.RWX, EPT_A = org.memvirt.x86.EptEntry.A,
            EPT_D = org.memvirt.x86.EptEntry.D;
    // NPT entries use the ordinary format (AMD APM Vol 2 §15.25.5): P | RW | US, A bit 5, D bit 6
    static final long NPT_PRESENT = Paging.P | Paging.RW | Paging.US;
    static final int TDP_LEVELS = 4;                         // 4-level EPT (EPTP page-walk length 3)
    static final long WRITE = 1L << 1;                       // EPT W (Table 28-6) and NPT R/W are both bit 1

    private final SimVm vm;
    private final GuestPageTables pts;
    private final long[] vmStats;
    private final boolean ept;
    private final long present, accessed, dirty;
    private final int violationStat;
    private long[][] tables = new long[64][];                 // table id -> 512 entries; id 0 is the root
    private int tableCount;

    TdpMmu(SimVm vm, boolean ept) {
        this.vm = vm;
        this.pts = vm.pts;
        this.vmStats = vm.stats;
        this.ept = ept;
        this.present = ept ? EPT_RWX : NPT_PRESENT;
        this.accessed = ept ? EPT_A : Paging.A;
        this.dirty = ept ? EPT_D : Paging.D;
        this.violationStat = ept ? Stat.EPT_VIOLATIONS : Stat.NPF;
        newTable();                                          // the root (EPTP / nCR3 target)
    }

    boolean ept() {
        return ept;
    }

    private int newTable() {
        if (tableCount == tables.length) tables = java.util.Arrays.copyOf(tables, tableCount * 2);
        tables[tableCount] = new long[Paging.ENTRIES];
        vmStats[Stat.TDP_PAGES]++;
        return tableCount++;
    }

    /** The leaf entry mapping {@code gfn} for the access, 0 if none (or read-only for a write); sets its A (and D) flag. */
    private long leaf(long gfn, boolean write) {
        final long gpa = gfn << Paging.PAGE_SHIFT;
        final long[] t = leafTable(gpa);
        if (t == null) return 0;
        final int i = Paging.index(gpa, 1);
        final long e = t[i];
        if ((e & present) == 0 || (write && (e & WRITE) == 0)) return 0;
        final long ad = accessed | (write ? dirty : 0);
        if ((e & ad) != ad) t[i] = e | ad;
        return e;
    }

    @Override
    public long walk(Vcpu v, long gva, boolean write) {
        final long[] s = v.stats;
        s[Stat.WALKS]++;
        final long pdeKey = GuestTlb.pdeKey(v.tag, gva);
        final long cached = v.tlb.lookupPde(pdeKey);
        long table;
        int level;
        int refs = 0;
        if (cached >= 0) {
            s[Stat.PWC_HITS]++;
            table = cached;
            level = 1;
        } else {
            table = v.pml4Gfn();
            level = Paging.LEVELS;
        }
        int nativeRefs = level;
        long gpte = 0;
        for (; level >= 1; level--) {
            refs += TDP_LEVELS;                              // nested walk for the guest table's gpa
            final long tableLeaf = leaf(table, true);        // EPTP[6] A/D: guest-table reads count as writes
            if (tableLeaf == 0) {
                count(s, refs, nativeRefs);
                return violation(v, table, true);
            }
            refs++;
            final long[] t = pts.table(frameGfn(tableLeaf));   // the guest table where the EPT leaf points
            final int index = Paging.index(gva, level);
            gpte = t[index];
            if (!Paging.present(gpte) || (gpte & Paging.US) == 0 || (write && (gpte & Paging.RW) == 0)) {
                count(s, refs, nativeRefs);
                return GUEST_FAULT;                          // delivered to the guest without an exit
            }
            final boolean large = Paging.largeLeaf(gpte, level);
            final long ad = Paging.A | ((level == 1 || large) && write ? Paging.D : 0);
            if ((gpte & ad) != ad) t[index] = gpte |= ad;
            if (large) {                                     // a 2 MiB guest page: the walk ends at the PDE
                table = Paging.largePdeToGfn(gpte) + Paging.index(gva, 1);
                nativeRefs--;
                break;
            }
            if (level == 2) v.tlb.fillPde(pdeKey, Paging.pteToGfn(gpte));
            table = Paging.pteToGfn(gpte);
        }
        refs += TDP_LEVELS;                                  // nested walk for the data gpa
        count(s, refs, nativeRefs);
        final long e = leaf(table, write);
        if (e == 0) return violation(v, table, write);
        return frameGfn(e) << 1 | ((gpte & Paging.RW) != 0 && (e & WRITE) != 0 ? 1 : 0);
    }

    /** The guest frame whose host page (RAM-block page) leaf entry {@code e} maps: GPA to HPA as the hardware uses it. */
    private long frameGfn(long e) {
        return vm.ram.ramPageToGfn(Paging.pteToGfn(e));
    }

    private static void count(long[] s, int refs, int nativeRefs) {
        s[Stat.WALK_REFS] += refs;
        s[Stat.NATIVE_WALK_REFS] += nativeRefs;
    }

    /**
     * An EPT violation (NPF): exit, fault the host page in, install the missing tables and the leaf (read-only over
     * the host's zero page); a write that replaced a read-only host page finds its leaf zapped and is retried.
     */
    private long violation(Vcpu v, long gfn, boolean write) {
        v.exit(violationStat);
        v.stats[Stat.PF_TAKEN]++;
        int host = vm.hostFault(v, gfn, write, peekLeaf(gfn) != 0);
        if (host == SimVm.HOST_REPLACED) return RETRY;
        map(gfn, host == SimVm.HOST_WRITABLE);
        v.stats[Stat.PF_FIXED]++;
        return RETRY;
    }

    /** kvm_tdp_mmu_map for one 4 KiB gfn. */
    private void map(long gfn, boolean writable) {
        final long gpa = gfn << Paging.PAGE_SHIFT;
        long[] t = tables[0];
        for (int level = TDP_LEVELS; level > 1; level--) {
            int i = Paging.index(gpa, level);
            if ((t[i] & present) == 0) t[i] = (long) newTable() << Paging.PAGE_SHIFT | present | accessed;
            t = tables[(int) (t[i] >>> Paging.PAGE_SHIFT)];
        }
        int i = Paging.index(gpa, 1);
        if ((t[i] & present) == 0) vmStats[Stat.PAGES_4K]++;
        t[i] = Paging.gfnToPte(vm.ram.gfnToRamPage(gfn), writable ? present : present & ~WRITE);
    }

    /** The leaf entry of {@code gfn} as it is, 0 if unmapped (tests read the A/D bits). */
    long peekLeaf(long gfn) {
        final long gpa = gfn << Paging.PAGE_SHIFT;
        final long[] t = leafTable(gpa);
        return t == null ? 0 : t[Paging.index(gpa, 1)];
    }

    /** The last-level table that maps {@code gpa}, or null if an upper entry is not present. */
    private long[] leafTable(long gpa) {
        long[] t = tables[0];
        for (int level = TDP_LEVELS; level > 1; level--) {
            long e = t[Paging.index(gpa, level)];
            if ((e & present) == 0) return null;
            t = tables[(int) (e >>> Paging.PAGE_SHIFT)];
        }
        return t;
    }

    /** Test hook: points the leaf entry of {@code gfn} at the host page of {@code otherGfn}, as a bug would (no flush). */
    void repointLeafForTest(long gfn, long otherGfn) {
        final long gpa = gfn << Paging.PAGE_SHIFT;
        final long[] t = leafTable(gpa);
        final int i = Paging.index(gpa, 1);
        t[i] = Paging.gfnToPte(vm.ram.gfnToRamPage(otherGfn), t[i] & ~Paging.ADDR);
    }

    private void ensureMapped(Vcpu v, long gfn) {
        while (leaf(gfn, true) == 0) violation(v, gfn, true);
    }

    @Override
    public void guestTableCreated(Vcpu v, long gfn) {
        ensureMapped(v, gfn);
    }

    @Override
    public void kernelRead(Vcpu v, long gfn) {
        if (leaf(gfn, false) == 0) violation(v, gfn, false);
    }

    @Override
    public void guestPteWrite(Vcpu v, long tableGfn, int index, long pte) {
        ensureMapped(v, tableGfn);
        pts.write(tableGfn, index, pte);
    }

    @Override
    public void movCr3(Vcpu v, long cr3) {
        v.stats[Stat.MOV_CR3]++;
        v.loadCr3(cr3);
        if ((cr3 & Paging.CR3_NOFLUSH) == 0) v.tlb.flushTag(v.tag);   // SDM §4.10.4.1, no exit (CR3_LOAD_EXITING off)
    }

    @Override
    public void invlpg(Vcpu v, long gva, boolean large) {         // no exit (INVLPG_EXITING off with EPT)
        if (!large) {
            v.tlb.invalidatePage(v.tag, gva >>> Paging.PAGE_SHIFT);
            return;
        }
        // SDM Vol 3A §4.10.2.3: the 4 KiB entries cached for a larger page all go with it
        final long firstVpn = (gva >>> Paging.PAGE_SHIFT) & -Paging.LARGE_PAGES;
        for (long vpn = firstVpn; vpn < firstVpn + Paging.LARGE_PAGES; vpn++) v.tlb.invalidatePage(v.tag, vpn);
    }

    @Override
    public void invalidateGfn(long gfn) {
        final long gpa = gfn << Paging.PAGE_SHIFT;
        final long[] t = leafTable(gpa);
        final int i = Paging.index(gpa, 1);
        if (t == null || (t[i] & present) == 0) return;
        t[i] = 0;
        vmStats[Stat.PAGES_4K]--;
        vmStats[Stat.REMOTE_TLB_FLUSH]++;                    // kvm_flush_remote_tlbs after the zap
        for (Vcpu v : vm.vcpus) v.request(Vcpu.REQ_TLB_FLUSH);
    }
}
