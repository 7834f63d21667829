package org.memvirt.sim;

import java.util.ArrayList;
import java.util.List;

/**
 * KVM's shadow MMU after linux arch/x86/kvm/mmu/mmu.c and paging_tmpl.h: shadow pages keyed by gfn + role (here
 * the level), guest page tables write-protected while shadowed, trapped guest PTE writes emulated
 * ({@code kvm_mmu_track_write}) with write-flooding zap, 4 KiB leaves allowed to go unsync and resynced on INVLPG,
 * MOV CR3 without no-flush and guest TLB flushes, prefetch of neighbours, cached previous roots, recycling. A guest
 * 2 MiB page is shadowed by a direct shadow page of 4 KiB sptes (the host backs guest RAM with 4 KiB pages).
 *
 * <p>The guest kernel's direct map of its page-table pages is modelled as one spte per frame
 * ({@link #directMap}: none, read-only, writable), which is what write protection downgrades.
 *
 * <p>The fault path allocates nothing unless it creates a shadow page: the page hash and the rmap are primitive
 * ({@link LongMap}, {@link PageLongs}, {@link RmapChains} for frames mapped by several sptes).
 */
final class ShadowMmu implements Mmu {
    static final int NUM_PREV_ROOTS = 3;         // arch/x86/include/asm/kvm_host.h KVM_MMU_NUM_PREV_ROOTS
    static final int PTE_PREFETCH_NUM = 8;       // arch/x86/kvm/mmu/mmu.c PTE_PREFETCH_NUM
    static final int FLOODING_THRESHOLD = 3;     // mmu.c detect_write_flooding: write_flooding_count >= 3
    static final int MIN_FREE_MMU_PAGES = 5;     // mmu.c KVM_MIN_FREE_MMU_PAGES
    static final int REFILL_PAGES = 25;          // mmu.c KVM_REFILL_PAGES
    static final int PERMILLE_MMU_PAGES = 20;    // arch/x86/include/asm/kvm_host.h KVM_PERMILLE_MMU_PAGES
    static final int MIN_ALLOC_MMU_PAGES = 64;   // kvm_host.h KVM_MIN_ALLOC_MMU_PAGES

    private static final long DIRECT_NONE = 0, DIRECT_RO = 1, DIRECT_RW = 2;
    private static final long LINK = Paging.P | Paging.RW | Paging.US;

    private final SimVm vm;
    private final GuestPageTables pts;
    private final long[] vmStats;
    private final List<ShadowPage> byId = new ArrayList<>();   // by id, null once zapped; id order = creation order
    private final LongMap hash = new LongMap(64);              // ShadowPage.key(gfn, role) -> id of a live page
    private int oldestLive;                                    // no live shadow page has a smaller id
    private int[] recycleIds = new int[REFILL_PAGES];
    private final PageLongs directMap;
    private final PageLongs rmap;                            // first leaf spte of a frame: (sp id << 9 | index) + 1
    private final RmapChains rmapMore = new RmapChains();      // a frame's further leaf sptes
    private final long maxMmuPages;
    private final long[] gwTable = new long[Paging.LEVELS + 1];
    private final long[] gwPte = new long[Paging.LEVELS + 1];
    private boolean gwLarge;                                 // the last guest walk ended at a PDE with PS = 1
    private int indirectShadowPages;

    ShadowMmu(SimVm vm) {
        this.vm = vm;
        this.pts = vm.pts;
        this.vmStats = vm.stats;
        this.directMap = new PageLongs(vm.ram.ramPages());
        this.rmap = new PageLongs(vm.ram.ramPages());
        // mmu.c kvm_mmu_calculate_default_mmu_pages: 20 per 1000 guest pages, at least 64
        this.maxMmuPages = Math.max(MIN_ALLOC_MMU_PAGES, vm.ram.ramPages() * PERMILLE_MMU_PAGES / 1000);
    }

    // ---- the hardware walk of the shadow table ---------------------------------------------------------------

    @Override
    public long walk(Vcpu v, long gva, boolean write) {
        if (v.root == null) loadRoot(v);
        final long[] s = v.stats;
        s[Stat.WALKS]++;
        final long pdeKey = GuestTlb.pdeKey(v.tag, gva);
        final long cached = v.tlb.lookupPde(pdeKey);
        ShadowPage sp = cached >= 0 ? byId.get((int) cached) : null;
        int refs;
        if (sp != null) {
            s[Stat.PWC_HITS]++;
            refs = 1;
        } else {
            sp = v.root;
            refs = 0;
            for (int level = Paging.LEVELS; level > 1; level--) {
                refs++;
                long spte = sp.spt[Paging.index(gva, level)];
                if (!Paging.present(spte)) {
                    countRefs(s, refs);
                    return pageFault(v, gva, write);
                }
                sp = byId.get((int) (spte >>> Paging.PAGE_SHIFT));
            }
            v.tlb.fillPde(pdeKey, sp.id);
            refs++;
        }
        countRefs(s, refs);
        final long spte = sp.spt[Paging.index(gva, 1)];
        if (!Paging.present(spte) || (write && (spte & Paging.RW) == 0)) return pageFault(v, gva, write);
        return Paging.pteToGfn(spte) << 1 | ((spte & Paging.RW) != 0 ? 1 : 0);
    }

    private static void countRefs(long[] s, int refs) {
        s[Stat.WALK_REFS] += refs;
        s[Stat.NATIVE_WALK_REFS] += refs;
    }

    // ---- FNAME(page_fault): walk the guest table, then fetch ------------------------------------------------

    private long pageFault(Vcpu v, long gva, boolean write) {
        v.exit(Stat.EXIT_EXCEPTION);
        v.stats[Stat.PF_TAKEN]++;
        makeMmuPagesAvailable();
        if (v.root == null) loadRoot(v);
        if (!walkGuest(v, gva, write)) {
            v.stats[Stat.PF_GUEST]++;                        // kvm_inject_page_fault
            return GUEST_FAULT;
        }
        final long gpte = gwLarge ? gwPte[2] : gwPte[1];
        // FNAME(protect_clean_gpte): a clean guest leaf gives no write access (the role of a direct shadow page)
        final boolean directWritable = (gpte & Paging.RW) != 0 && (gpte & Paging.D) != 0;
        ShadowPage sp = v.root;
        for (int level = Paging.LEVELS; level > 1; level--) {
            sp.writeFloodingCount = 0;                       // clear_sp_write_flooding_count
            int index = Paging.index(gva, level);
            boolean direct = gwLarge && level == 2;
            long childGfn = direct ? Paging.largePdeToGfn(gpte) : gwTable[level - 1];
            long spte = sp.spt[index];
            ShadowPage child = Paging.present(spte) ? byId.get((int) (spte >>> Paging.PAGE_SHIFT)) : null;
            if (child != null && (child.gfn != childGfn || child.direct != direct
                    || direct && child.directWritable != directWritable)) {
                dropSpte(sp, index);                         // repointed entry, or validate_direct_spte: drop the link
                remoteFlush();
                child = null;
            }
            if (child == null) {
                child = direct ? getDirectShadowPage(childGfn, directWritable) : getShadowPage(childGfn, level - 1);
                link(sp, index, child);
            }
            sp = child;
        }
        sp.writeFloodingCount = 0;
        final int index = Paging.index(gva, 1);
        final long gfn = gwLarge ? Paging.largePdeToGfn(gpte) + index : Paging.pteToGfn(gpte);
        int host = vm.hostFault(v, gfn, write, mapped(gfn));
        if (host == SimVm.HOST_REPLACED) return RETRY;       // the copy zapped the read-only spte: the fault is stale
        boolean writable = host == SimVm.HOST_WRITABLE && (gpte & Paging.RW) != 0 && (gpte & Paging.D) != 0
                && tryUnsync(gfn);
        setLeaf(sp, index, gfn, writable);
        if (write && !writable) {                            // write to a shadowed guest table: emulate it
            v.stats[Stat.PF_EMULATE]++;
            v.stats[Stat.INSN_EMULATION]++;
            return gfn << 1;
        }
        v.stats[Stat.PF_FIXED]++;
        prefetch(sp, index);
        return RETRY;
    }

    /**
     * FNAME(walk_addr): false if the guest's tables deny a user access; sets guest A/D as the CPU would. A walk that
     * ends at a PDE with PS = 1 sets {@link #gwLarge} and leaves {@code gwPte[2]} as the leaf.
     */
    private boolean walkGuest(Vcpu v, long gva, boolean write) {
        long table = v.pml4Gfn();
        gwLarge = false;
        for (int level = Paging.LEVELS; level >= 1; level--) {
            gwTable[level] = table;
            long[] t = pts.table(table);
            int index = Paging.index(gva, level);
            long gpte = t[index];
            if (!Paging.present(gpte) || (gpte & Paging.US) == 0 || (write && (gpte & Paging.RW) == 0)) return false;
            boolean large = Paging.largeLeaf(gpte, level);
            long ad = Paging.A | ((level == 1 || large) && write ? Paging.D : 0);
            if ((gpte & ad) != ad) t[index] = gpte |= ad;   // FNAME(update_accessed_dirty_bits), via the hva
            gwPte[level] = gpte;
            if (large) {
                gwLarge = true;
                return true;
            }
            table = Paging.pteToGfn(gpte);
        }
        return true;
    }

    /** FNAME(pte_prefetch): the aligned group of 8 around the fault, stopping at the first that cannot be mapped. */
    private void prefetch(ShadowPage sp, int faultIndex) {
        if (sp.direct) {
            directPrefetch(sp, faultIndex);
            return;
        }
        final long[] gptes = pts.table(sp.gfn);
        final int start = faultIndex & ~(PTE_PREFETCH_NUM - 1);
        for (int i = start; i < start + PTE_PREFETCH_NUM; i++) {
            if (i == faultIndex || Paging.present(sp.spt[i])) continue;
            long gpte = gptes[i];
            if (!Paging.present(gpte) || (gpte & Paging.A) == 0) break;     // FNAME(prefetch_invalid_gpte)
            long gfn = Paging.pteToGfn(gpte);
            boolean writable = (gpte & Paging.RW) != 0 && (gpte & Paging.D) != 0;   // FNAME(protect_clean_gpte)
            if (!vm.hostPresent(gfn, writable)) break;                    // atomic gfn-to-pfn: no host fault
            setLeaf(sp, i, gfn, writable && tryUnsyncForPrefetch(gfn));
        }
    }

    /**
     * __direct_pte_prefetch: each run of non-present sptes of the aligned group of 8 gets the leading frames the host
     * already maps writable (gfn_to_page_many_atomic); a run whose first frame is not mapped ends the prefetch.
     */
    private void directPrefetch(ShadowPage sp, int faultIndex) {
        final int start = faultIndex & ~(PTE_PREFETCH_NUM - 1);
        int runStart = -1;
        for (int i = start; i <= start + PTE_PREFETCH_NUM; i++) {
            boolean taken = i == start + PTE_PREFETCH_NUM || i == faultIndex || Paging.present(sp.spt[i]);
            if (!taken) {
                if (runStart < 0) runStart = i;
                continue;
            }
            if (runStart < 0) continue;
            if (!directPrefetchRun(sp, runStart, i)) return;
            runStart = -1;
        }
    }

    /** direct_pte_prefetch_many over sptes {@code [from, to)}: false if not even the first frame could be mapped. */
    private boolean directPrefetchRun(ShadowPage sp, int from, int to) {
        int i = from;
        for (; i < to; i++) {
            long gfn = sp.gfn + i;
            if (!vm.hostPresent(gfn, true)) break;
            setLeaf(sp, i, gfn, sp.directWritable && tryUnsyncForPrefetch(gfn));
        }
        return i > from;
    }

    // ---- shadow pages ----------------------------------------------------------------------------------------

    /** The live shadow page hashed under {@code key}, or null. */
    private ShadowPage lookup(long key) {
        long id = hash.get(key);
        return id == LongMap.MISSING ? null : byId.get((int) id);
    }

    private ShadowPage getShadowPage(long gfn, int level) {
        ShadowPage sp = lookup(ShadowPage.key(gfn, level));
        if (sp != null) return sp;
        vmStats[Stat.MMU_CACHE_MISS]++;
        sp = new ShadowPage(byId.size(), gfn, level);
        byId.add(sp);
        hash.put(ShadowPage.key(gfn, level), sp.id);
        vmStats[Stat.SHADOW_PAGES]++;
        indirectShadowPages++;
        if (writeProtectDirectMap(gfn)) remoteFlush();        // account_shadowed
        return sp;
    }

    /** kvm_mmu_get_child_sp for a direct role: no guest table to write-protect, so no write tracking. */
    private ShadowPage getDirectShadowPage(long gfn, boolean writable) {
        long key = ShadowPage.directKey(gfn, writable);
        ShadowPage sp = lookup(key);
        if (sp != null) return sp;
        vmStats[Stat.MMU_CACHE_MISS]++;
        sp = new ShadowPage(byId.size(), gfn, 1, true, writable);
        byId.add(sp);
        hash.put(key, sp.id);
        vmStats[Stat.SHADOW_PAGES]++;
        return sp;
    }

    private boolean writeProtectDirectMap(long gfn) {
        long rp = vm.ram.gfnToRamPage(gfn);
        if (directMap.get(rp) != DIRECT_RW) return false;
        directMap.set(rp, DIRECT_RO);
        return true;
    }

    private void link(ShadowPage parent, int index, ShadowPage child) {
        parent.spt[index] = (long) child.id << Paging.PAGE_SHIFT | LINK;
        child.addParent(parent.id, index);
        if (child.unsync || child.unsyncChildren > 0) {
            if (parent.markUnsyncChild(index) && parent.unsyncChildren == 1) markParentsUnsync(parent);
        }
    }

    private void setLeaf(ShadowPage sp, int index, long gfn, boolean writable) {
        long old = sp.spt[index];
        if (Paging.present(old) && Paging.pteToGfn(old) != gfn) dropSpte(sp, index);
        if (!Paging.present(sp.spt[index])) {
            rmapAdd(gfn, (long) sp.id << 9 | index);
            vmStats[Stat.PAGES_4K]++;
        }
        sp.spt[index] = Paging.gfnToPte(gfn, Paging.P | Paging.US | (writable ? Paging.RW : 0));
    }

    private void dropSpte(ShadowPage sp, int index) {
        long spte = sp.spt[index];
        if (!Paging.present(spte)) return;
        if (sp.level == 1) {
            rmapRemove(Paging.pteToGfn(spte), (long) sp.id << 9 | index);
            vmStats[Stat.PAGES_4K]--;
        } else {
            ShadowPage child = byId.get((int) (spte >>> Paging.PAGE_SHIFT));
            if (child != null) child.removeParent(sp.id, index);
            sp.clearUnsyncChild(index);
        }
        sp.spt[index] = 0;
    }

    /** kvm_mmu_prepare_zap_page + commit: returns the number of shadow pages zapped. */
    private int zap(ShadowPage sp) {
        if (sp.invalid) return 0;
        int zapped = 1;
        if (sp.level > 1 && sp.unsyncChildren > 0) zapped += zapUnsyncChildren(sp);
        for (int i = 0; i < Paging.ENTRIES; i++) dropSpte(sp, i);
        for (int i = 0; i < sp.parentCount(); i++) {
            long p = sp.parent(i);
            ShadowPage parent = byId.get((int) (p >>> 9));
            if (parent == null) continue;
            parent.spt[(int) p & 511] = 0;
            parent.clearUnsyncChild((int) p & 511);
        }
        sp.clearParents();
        if (sp.unsync) {
            sp.unsync = false;
            vmStats[Stat.MMU_UNSYNC]--;
        }
        sp.invalid = true;
        hash.remove(sp.key());
        byId.set(sp.id, null);
        while (oldestLive < byId.size() && byId.get(oldestLive) == null) oldestLive++;
        vmStats[Stat.SHADOW_PAGES]--;
        vmStats[Stat.MMU_SHADOW_ZAPPED]++;
        if (!sp.direct) indirectShadowPages--;
        final List<Vcpu> vcpus = vm.vcpus;
        for (int c = 0; c < vcpus.size(); c++) {                  // indexed: no iterator
            Vcpu v = vcpus.get(c);
            if (v.root == sp) v.root = null;                 // the vCPU reloads its root on the next entry
            for (int i = 0; i < NUM_PREV_ROOTS; i++) if (v.prevRoot[i] == sp) v.prevRoot[i] = null;
        }
        return zapped;
    }

    private int zapUnsyncChildren(ShadowPage sp) {
        int zapped = 0;
        for (int i = 0; i < Paging.ENTRIES; i++) {
            if (!sp.hasUnsyncChild(i)) continue;
            ShadowPage child = byId.get((int) (sp.spt[i] >>> Paging.PAGE_SHIFT));
            sp.clearUnsyncChild(i);
            if (child == null) continue;
            if (child.level == 1 && child.unsync) zapped += zap(child);
            else if (child.unsyncChildren > 0) zapped += zapUnsyncChildren(child);
        }
        return zapped;
    }

    /** make_mmu_pages_available: recycle the oldest pages when fewer than 5 are free. */
    private void makeMmuPagesAvailable() {
        long avail = maxMmuPages - vmStats[Stat.SHADOW_PAGES];
        if (avail >= MIN_FREE_MMU_PAGES) return;
        int toZap = (int) (REFILL_PAGES - avail);
        if (recycleIds.length < toZap) recycleIds = new int[toZap];
        int chosen = 0;
        for (int id = oldestLive; id < byId.size() && chosen < toZap; id++) {   // the oldest first, as the active list
            ShadowPage sp = byId.get(id);
            if (sp != null && sp.rootCount == 0) recycleIds[chosen++] = id;
        }
        int zapped = 0;
        for (int i = 0; i < chosen; i++) {
            ShadowPage sp = byId.get(recycleIds[i]);
            if (sp != null) zapped += zap(sp);                 // an earlier zap may have taken it already
        }
        vmStats[Stat.MMU_RECYCLED] += zapped;
        if (zapped > 0) remoteFlush();
    }

    // ---- unsync and sync ---------------------------------------------------------------------------------------

    /** mmu_try_to_unsync_pages: false if {@code gfn} is write-tracked (shadowed above 4K level). */
    private boolean tryUnsync(long gfn) {
        for (int level = 2; level <= Paging.LEVELS; level++) {
            if (hash.get(ShadowPage.key(gfn, level)) != LongMap.MISSING) return false;
        }
        ShadowPage sp = lookup(ShadowPage.key(gfn, 1));
        if (sp != null && !sp.unsync) {
            sp.unsync = true;
            vmStats[Stat.MMU_UNSYNC]++;                      // kvm_unsync_page
            markParentsUnsync(sp);
        }
        return true;
    }

    /** Prefetched sptes never unsync a page (mmu_try_to_unsync_pages returns -EEXIST for prefetch). */
    private boolean tryUnsyncForPrefetch(long gfn) {
        for (int level = 1; level <= Paging.LEVELS; level++) {
            ShadowPage sp = lookup(ShadowPage.key(gfn, level));
            if (sp != null && !sp.unsync) return false;
        }
        return true;
    }

    private void markParentsUnsync(ShadowPage sp) {
        for (int i = 0; i < sp.parentCount(); i++) {
            long p = sp.parent(i);
            ShadowPage parent = byId.get((int) (p >>> 9));
            if (parent != null && parent.markUnsyncChild((int) p & 511) && parent.unsyncChildren == 1) {
                markParentsUnsync(parent);
            }
        }
    }

    /** kvm_mmu_sync_roots for the vCPU's current root. */
    private void syncRoots(Vcpu v) {
        if (v.root != null && v.root.unsyncChildren > 0 && syncChildren(v.root)) remoteFlush();
    }

    private boolean syncChildren(ShadowPage sp) {
        boolean flush = false;
        for (int i = 0; i < Paging.ENTRIES; i++) {
            if (!sp.hasUnsyncChild(i)) continue;
            long spte = sp.spt[i];
            ShadowPage child = Paging.present(spte) ? byId.get((int) (spte >>> Paging.PAGE_SHIFT)) : null;
            if (child != null && child.level == 1 && child.unsync) flush |= syncPage(child);
            else if (child != null && child.unsyncChildren > 0) flush |= syncChildren(child);
            if (child == null || child.unsyncChildren == 0) sp.clearUnsyncChild(i);
        }
        return flush;
    }

    /** kvm_sync_page: re-read every gpte, drop what changed, then write-protect the table again. */
    private boolean syncPage(ShadowPage sp) {
        boolean flush = false;
        long[] gptes = pts.table(sp.gfn);
        for (int i = 0; i < Paging.ENTRIES; i++) flush |= syncSpte(sp, i, gptes[i]);
        sp.unsync = false;
        vmStats[Stat.MMU_UNSYNC]--;
        flush |= writeProtectDirectMap(sp.gfn);
        return flush;
    }

    /** kvm_sync_spte: true if a present spte was dropped or lost write access. */
    private boolean syncSpte(ShadowPage sp, int index, long gpte) {
        long spte = sp.spt[index];
        if (!Paging.present(spte)) return false;
        if (!Paging.present(gpte) || Paging.pteToGfn(gpte) != Paging.pteToGfn(spte) || (gpte & Paging.US) == 0) {
            dropSpte(sp, index);
            return true;
        }
        boolean writable = (gpte & Paging.RW) != 0 && (gpte & Paging.D) != 0;
        if (!writable && (spte & Paging.RW) != 0) {
            sp.spt[index] = spte & ~Paging.RW;
            return true;
        }
        return false;
    }

    private void loadRoot(Vcpu v) {
        ShadowPage root = getShadowPage(v.pml4Gfn(), Paging.LEVELS);
        root.rootCount++;
        v.root = root;
        v.rootPgd = v.cr3;
        syncRoots(v);
        v.tlb.flushVpid(v.vpid);                            // kvm_mmu_load: flush_tlb_current (no stat)
    }

    private static void releaseRoot(ShadowPage sp) {
        if (sp != null) sp.rootCount--;
    }

    // ---- guest events that exit under shadow paging ------------------------------------------------------------

    @Override
    public void guestTableCreated(Vcpu v, long gfn) {
        kernelWriteFault(v, gfn);
    }

    /** A kernel load through the direct map: a first one faults and maps the frame (the zero page read-only). */
    @Override
    public void kernelRead(Vcpu v, long gfn) {
        long rp = vm.ram.gfnToRamPage(gfn);
        if (directMap.get(rp) != DIRECT_NONE) return;
        v.exit(Stat.EXIT_EXCEPTION);
        v.stats[Stat.PF_TAKEN]++;
        boolean writable = vm.hostFault(v, gfn, false, false) == SimVm.HOST_WRITABLE && tryUnsync(gfn);
        directMap.set(rp, writable ? DIRECT_RW : DIRECT_RO);
        v.stats[Stat.PF_FIXED]++;
    }

    /** Whether KVM maps {@code gfn} anywhere (a leaf spte or the direct map). */
    private boolean mapped(long gfn) {
        long rp = vm.ram.gfnToRamPage(gfn);
        return rmap.get(rp) != 0 || directMap.get(rp) != DIRECT_NONE;
    }

    @Override
    public void guestPteWrite(Vcpu v, long tableGfn, int index, long pte) {
        pts.write(tableGfn, index, pte);
        if (kernelWriteFault(v, tableGfn)) return;
        // the frame is write-tracked: the write exits and is emulated (pf_emulate), then kvm_mmu_track_write
        v.stats[Stat.PF_EMULATE]++;
        v.stats[Stat.INSN_EMULATION]++;
        trackWrite(tableGfn, index, pte);
    }

    /**
     * A guest kernel write to frame {@code gfn} through its direct map: no exit if the spte is writable, else a
     * #PF exit that maps it writable (unsyncing a 4K shadow page) and returns true, or leaves it read-only for
     * emulation and returns false.
     */
    private boolean kernelWriteFault(Vcpu v, long gfn) {
        long rp = vm.ram.gfnToRamPage(gfn);
        if (directMap.get(rp) == DIRECT_RW) return true;
        v.exit(Stat.EXIT_EXCEPTION);
        v.stats[Stat.PF_TAKEN]++;
        if (vm.hostFault(v, gfn, true, mapped(gfn)) == SimVm.HOST_REPLACED) {
            v.serviceRequests();                             // the zap's flush on re-entry, then KVM takes the fault again
            v.exit(Stat.EXIT_EXCEPTION);
            v.stats[Stat.PF_TAKEN]++;
        }
        if (tryUnsync(gfn)) {
            directMap.set(rp, DIRECT_RW);
            v.stats[Stat.PF_FIXED]++;
            return true;
        }
        directMap.set(rp, DIRECT_RO);
        return false;
    }

    /** kvm_mmu_track_write: count, detect flooding, zap the written sptes. */
    private void trackWrite(long gfn, int index, long gpte) {
        if (indirectShadowPages == 0) return;
        vmStats[Stat.MMU_PTE_WRITE]++;
        boolean flush = false;
        for (int level = 1; level <= Paging.LEVELS; level++) {
            ShadowPage sp = lookup(ShadowPage.key(gfn, level));
            if (sp == null) continue;
            if (level > 1 && ++sp.writeFloodingCount >= FLOODING_THRESHOLD) {
                zap(sp);
                vmStats[Stat.MMU_FLOODED]++;
                flush = true;
                continue;
            }
            if (Paging.present(sp.spt[index])) {
                dropSpte(sp, index);
                flush = true;
            }
            if (gpte != 0 && level > 1) vmStats[Stat.MMU_PDE_ZAPPED]++;
        }
        if (flush) remoteFlush();
    }

    @Override
    public void movCr3(Vcpu v, long cr3) {
        v.exit(Stat.EXIT_CR_ACCESS);
        v.stats[Stat.MOV_CR3]++;
        boolean noFlush = (cr3 & Paging.CR3_NOFLUSH) != 0;
        long pgd = cr3 & ~Paging.CR3_NOFLUSH;
        if (pgd != v.cr3) newPgd(v, pgd);
        if (!noFlush) invalidatePcid(v, pgd & Paging.CR3_PCID);
    }

    /** kvm_mmu_new_pgd via cached_root_find_and_keep_current. */
    private void newPgd(Vcpu v, long pgd) {
        v.loadCr3(pgd);
        boolean found = v.root != null && v.rootPgd == pgd;
        for (int i = 0; i < NUM_PREV_ROOTS && !found; i++) {
            ShadowPage r = v.root;
            long p = v.rootPgd;
            v.root = v.prevRoot[i];
            v.rootPgd = v.prevPgd[i];
            v.prevRoot[i] = r;
            v.prevPgd[i] = p;
            found = v.root != null && v.rootPgd == pgd;
        }
        if (found) {
            v.root.writeFloodingCount = 0;
            return;
        }
        releaseRoot(v.root);
        v.root = null;
        loadRoot(v);
    }

    /** kvm_invalidate_pcid under shadow paging, with CR4.PCIDE = 1. */
    private void invalidatePcid(Vcpu v, long pcid) {
        syncRoots(v);                                        // KVM_REQ_MMU_SYNC
        v.request(Vcpu.REQ_TLB_FLUSH_CURRENT);
        for (int i = 0; i < NUM_PREV_ROOTS; i++) {
            if (v.prevRoot[i] != null && (v.prevPgd[i] & Paging.CR3_PCID) == pcid) {
                releaseRoot(v.prevRoot[i]);
                v.prevRoot[i] = null;
            }
        }
    }

    @Override
    public void invlpg(Vcpu v, long gva, boolean large) {   // the exit does not tell KVM the guest's page size
        v.exit(Stat.EXIT_INVLPG);
        v.stats[Stat.INVLPG]++;
        // kvm_mmu_invalidate_addr: every root; a changed spte may be cached by any vCPU, so each change flushes all
        if (invalidateAddr(v.root, gva)) remoteFlush();
        for (ShadowPage r : v.prevRoot) if (invalidateAddr(r, gva)) remoteFlush();
        if (v.vpid != 0) v.tlb.invalidatePage(v.tag, gva >>> Paging.PAGE_SHIFT);   // vpid_sync_vcpu_addr
    }

    /**
     * __kvm_mmu_invalidate_addr for one root: resyncs the leaf spte if its shadow page is unsync. Returns whether the
     * spte changed (then KVM calls kvm_flush_remote_tlbs_sptep).
     */
    private boolean invalidateAddr(ShadowPage root, long gva) {
        ShadowPage sp = root;
        for (int level = Paging.LEVELS; level > 1 && sp != null; level--) {
            long spte = sp.spt[Paging.index(gva, level)];
            sp = Paging.present(spte) ? byId.get((int) (spte >>> Paging.PAGE_SHIFT)) : null;
        }
        if (sp == null || !sp.unsync) return false;
        int index = Paging.index(gva, 1);
        return syncSpte(sp, index, pts.read(sp.gfn, index));
    }

    @Override
    public void invalidateGfn(long gfn) {
        long rp = vm.ram.gfnToRamPage(gfn);
        boolean flush = directMap.get(rp) != DIRECT_NONE;
        directMap.set(rp, DIRECT_NONE);
        for (long r = rmap.get(rp); r != 0; r = rmap.get(rp)) {
            long entry = r - 1;
            dropSpte(byId.get((int) (entry >>> 9)), (int) entry & 511);
            flush = true;
        }
        if (flush) remoteFlush();
    }

    /** pte_list_add: the frame's first leaf spte in {@link #rmap}, any further one in its chain. */
    private void rmapAdd(long gfn, long entry) {
        long rp = vm.ram.gfnToRamPage(gfn);
        if (rmap.get(rp) == 0) {
            rmap.set(rp, entry + 1);
            return;
        }
        rmapMore.push(rp, entry);
    }

    /** pte_list_remove: a chained spte moves up into {@link #rmap} when the first one goes. */
    private void rmapRemove(long gfn, long entry) {
        long rp = vm.ram.gfnToRamPage(gfn);
        if (rmap.get(rp) == entry + 1) {
            long next = rmapMore.pop(rp);
            rmap.set(rp, next == RmapChains.NONE ? 0 : next + 1);
            return;
        }
        rmapMore.remove(rp, entry);
    }

    /** kvm_flush_remote_tlbs: every vCPU flushes on its next entry. */
    private void remoteFlush() {
        vmStats[Stat.REMOTE_TLB_FLUSH]++;
        final List<Vcpu> vcpus = vm.vcpus;
        for (int i = 0; i < vcpus.size(); i++) vcpus.get(i).request(Vcpu.REQ_TLB_FLUSH);   // indexed: no iterator
    }

    /**
     * Test hook: points the leaf spte that maps {@code gva} in {@code v}'s current root at frame {@code gfn}, keeping
     * its access bits, as a bug in the MMU would (no rmap update, no flush).
     */
    void repointLeafForTest(Vcpu v, long gva, long gfn) {
        ShadowPage sp = v.root;
        for (int level = Paging.LEVELS; level > 1; level--) sp = byId.get((int) (sp.spt[Paging.index(gva, level)] >>> Paging.PAGE_SHIFT));
        int index = Paging.index(gva, 1);
        sp.spt[index] = Paging.gfnToPte(gfn, sp.spt[index] & ~Paging.ADDR);
    }

    /** A direct shadow page maps frame {@code gfn + i} at index {@code i}, writable only if its role allows it. */
    private static void checkDirect(ShadowPage sp) {
        for (int i = 0; i < Paging.ENTRIES; i++) {
            long spte = sp.spt[i];
            if (!Paging.present(spte)) continue;
            if (Paging.pteToGfn(spte) != sp.gfn + i || (spte & Paging.RW) != 0 && !sp.directWritable) {
                throw new IllegalStateException("direct shadow page of gfn 0x" + Long.toHexString(sp.gfn) + " index " + i
                        + ": spte 0x" + Long.toHexString(spte));
            }
        }
    }

    /**
     * Checks every shadow page's invariants (tests call this), and that a synced shadow page agrees with the guest
     * table it shadows: each present spte maps the frame (or links the table) its gpte names.
     */
    void checkInvariants() {
        int live = 0;
        for (int id = 0; id < byId.size(); id++) {
            ShadowPage sp = byId.get(id);
            if (sp == null) continue;
            if (id < oldestLive) throw new IllegalStateException("live shadow page " + id + " below " + oldestLive);
            if (hash.get(sp.key()) != id) throw new IllegalStateException("shadow page " + id + " not hashed");
            live++;
            sp.checkInvariants();
            if (sp.direct) {
                checkDirect(sp);
                continue;
            }
            if (sp.unsync) continue;
            long[] gptes = pts.table(sp.gfn);
            for (int i = 0; i < Paging.ENTRIES; i++) {
                long spte = sp.spt[i];
                if (!Paging.present(spte)) continue;
                long gpte = gptes[i];
                long target = sp.level == 1 ? Paging.pteToGfn(spte) : byId.get((int) (spte >>> Paging.PAGE_SHIFT)).gfn;
                if (!Paging.present(gpte) || Paging.pteToGfn(gpte) != target) {
                    throw new IllegalStateException("synced shadow page of gfn 0x" + Long.toHexString(sp.gfn) + " level "
                            + sp.level + " index " + i + ": spte 0x" + Long.toHexString(spte) + " but gpte 0x"
                            + Long.toHexString(gpte));
                }
            }
        }
        if (live != hash.size() || live != vmStats[Stat.SHADOW_PAGES]) {
            throw new IllegalStateException(live + " live shadow pages, " + hash.size() + " hashed, shadow_pages "
                    + vmStats[Stat.SHADOW_PAGES]);
        }
    }
}
