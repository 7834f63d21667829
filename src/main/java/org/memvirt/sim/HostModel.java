package org.memvirt.sim;

import java.util.ArrayList;
import java.util.List;

import org.memvirt.engine.BalloonPolicy;
import org.memvirt.engine.KsmConfig;

/**
 * The full simulated host memory: frame accounting against RAM and the host's own reserve, lazy allocation,
 * watermark-driven reclaim to a swap device, swap-in on access, KSM ({@link KsmScanner}), balloon discards and the
 * OOM killer. Page state lives in per-VM primitive arrays ({@link GuestPages}); {@link #access} allocates nothing.
 *
 * <p>Reclaim: kswapd runs in {@link #advance} when free memory is below the low watermark and swaps pages out until
 * the high watermark, limited by the swap device's write speed; an allocation that would go below the min watermark
 * reclaims directly ({@code SWAP_CLUSTER_MAX} pages at a time, charging the write time to the faulting VM, see
 * {@link #takeStallNanos()}), and when nothing can be reclaimed the OOM killer kills the VM with the highest
 * oom_badness. KSM pages are not swapped out by this model (Linux can swap them; it rarely matters for overcommit).
 */
public final class HostModel implements HostMemory, BalloonPolicy.Host {
    static final int SWAP_CLUSTER_MAX = 32;   // linux include/linux/swap.h: pages per direct-reclaim round

    private final HostConfig config;
    private final Watermarks watermarks;
    private final List<GuestPages> vms = new ArrayList<>();
    private final ContentFormulas formulas = new ContentFormulas();
    private int[] chunkVm = new int[64];        // per 512 page handles: the VM whose RAM they are
    private int nextBase;                       // the handle of the next VM's first page
    private final SwapDevice swap;
    private final ReclaimList lru;
    private final KsmScanner ksm;
    private MmuNotifier notifier = MmuNotifier.NONE;
    private HostListener listener = HostListener.NONE;
    private long nowNanos;
    private long privateFrames;
    private long peakUsedPages;
    private long stallNanos;
    private long pgfault;           // first-touch allocations
    private long cowKsm;            // /proc/vmstat cow_ksm
    private long oomKills;
    private long kswapdPages;       // pgsteal_kswapd
    private long directPages;       // pgsteal_direct
    private String currentRequester = "";

    public HostModel(HostConfig config) {
        this.config = config;
        this.watermarks = Watermarks.of(config.ramPages(), config.watermarkScaleFactor());
        this.swap = new SwapDevice(config.swapPages(), config.swapKind());
        this.lru = new ReclaimList((int) Math.min(1 << 16, config.ramPages()));
        this.ksm = new KsmScanner(this, config.ksm(), formulas);
    }

    public HostConfig config() {
        return config;
    }

    public Watermarks watermarks() {
        return watermarks;
    }

    public void setListener(HostListener l) {
        listener = l;
    }

    HostListener listener() {
        return listener;
    }

    @Override
    public void setNotifier(MmuNotifier n) {
        notifier = n;
    }

    /** The formulas whose values the VMs' pages may hold ({@link #access(int, long, boolean, int, long, long)}). */
    ContentFormulas formulas() {
        return formulas;
    }

    @Override
    public int addVm(String name, long guestPages, boolean mergeable, int oomScoreAdj) {
        long chunks = (guestPages + PageContents.MASK) >>> PageContents.SHIFT;
        if (guestPages <= 0 || nextBase + (chunks << PageContents.SHIFT) > Integer.MAX_VALUE) {
            throw new SimException("the simulated host holds at most " + (Integer.MAX_VALUE >> 18) + " GiB of guest RAM;"
                    + " adding " + name + " (" + guestPages + " pages) exceeds it");
        }
        GuestPages v = new GuestPages(vms.size(), name, guestPages, mergeable, oomScoreAdj, nextBase, formulas);
        int first = nextBase >>> PageContents.SHIFT;
        if (first + chunks > chunkVm.length) chunkVm = java.util.Arrays.copyOf(chunkVm, (int) Math.max(first + chunks, 2L * chunkVm.length));
        java.util.Arrays.fill(chunkVm, first, (int) (first + chunks), v.id);
        nextBase += (int) (chunks << PageContents.SHIFT);
        vms.add(v);
        ksm.register(v);
        return v.id;
    }

    GuestPages vm(int id) {
        return vms.get(id);
    }

    /** The VM whose RAM page {@code handle - base} the host-wide page handle names. */
    GuestPages vmOf(int handle) {
        return vms.get(chunkVm[handle >>> PageContents.SHIFT]);
    }

    public int vmCount() {
        return vms.size();
    }

    public String vmName(int vm) {
        return vms.get(vm).name;
    }

    // ---------------------------------------------------------------- the access path

    @Override
    public int access(int vm, long gfn, boolean write, long newContent) {
        return access(vm, gfn, write, 0, 0, newContent);
    }

    /**
     * {@link #access(int, long, boolean, long)}, where a write stores formula {@code f}'s value for {@code arg}
     * ({@code value}, which the caller has computed), or the plain {@code value} when {@code f} is 0.
     */
    int access(int vm, long gfn, boolean write, int f, long arg, long value) {
        GuestPages v = vms.get(vm);
        if (v.killed) return KILLED;
        int g = checkGfn(v, gfn);
        int state = v.state(g);
        switch (state) {
            case GuestPages.RESIDENT -> {
                v.set(g, GuestPages.REFERENCED);
                if (write) store(v, g, f, arg, value);
                return RESIDENT;
            }
            case GuestPages.SHARED -> {
                if (!write) {
                    v.set(g, GuestPages.REFERENCED);
                    return RESIDENT;
                }
                return breakCow(v, g, f, arg, value);
            }
            case GuestPages.SWAPPED_KSM -> {
                if (!allocateFrame(v)) return KILLED;
                swap.readIn();
                dropKsmMapping(v, g);                 // ksm_might_need_to_copy: a private copy; sharing broken
                v.swapped--;
                v.swapIns++;
                if (write) store(v, g, f, arg, value);
                makeResident(v, g);
                return SWAPPED_IN;
            }
            case GuestPages.UNTOUCHED -> {
                if (!allocateFrame(v)) return KILLED;
                pgfault++;
                if (write) store(v, g, f, arg, value);   // else it stays zero
                makeResident(v, g);
                return FIRST_TOUCH;
            }
            case GuestPages.SWAPPED -> {
                if (!allocateFrame(v)) return KILLED;
                swap.readIn();
                swap.free(1);
                v.swapped--;
                v.swapIns++;
                if (write) store(v, g, f, arg, value);
                makeResident(v, g);
                return SWAPPED_IN;
            }
            case GuestPages.BALLOONED -> {
                if (!allocateFrame(v)) return KILLED;
                v.ballooned--;
                if (write) store(v, g, f, arg, value);   // else it stays zero
                makeResident(v, g);
                return DEFLATED_TOUCH;
            }
            default -> throw new IllegalStateException("page state " + state);
        }
    }

    private static void store(GuestPages v, int g, int f, long arg, long value) {
        if (f == 0) v.writeValue(g, value); else v.writeFormula(g, f, arg, value);
    }

    private int breakCow(GuestPages v, int g, int f, long arg, long value) {
        v.set(g, GuestPages.REFERENCED);     // the page is in use: reclaim for this copy must not swap it out
        if (!allocateFrame(v)) return KILLED;
        if (v.state(g) != GuestPages.SHARED) {   // reclaimed anyway (all its mappings were cold): fault it in instead
            privateFrames--;
            return access(v.id, g, true, f, arg, value);
        }
        int node = v.node(g);
        if (node >= 0) {
            dropKsmMapping(v, g);            // the rmap_item stays on the node until ksmd visits the page again
            v.sharedKsm--;
        } else {
            v.setNode(g, GuestPages.NO_NODE);   // KSM's zero page: ksm_might_unmap_zero_page
            ksm.ksmZeroPages--;
            v.sharedZero--;
        }
        cowKsm++;
        v.cowBreaks++;
        store(v, g, f, arg, value);
        makeResident(v, g);
        return COW_BROKEN;
    }

    /**
     * Page {@code g} stops mapping its KSM page (resident or swapped out): off the page's rmap list, one mapping less,
     * the swap slot freed with the last mapping of a swapped-out page. {@code node[g]} stays only while the page's
     * rmap_item is still on the node.
     */
    private void dropKsmMapping(GuestPages v, int g) {
        int n = v.node(g);
        int self = v.base + g;
        int h = ksm.stable.firstMapper(n);
        if (h == self) {
            ksm.stable.setFirstMapper(n, v.nextMapper(g));
        } else {
            while (true) {
                GuestPages w = vmOf(h);
                int wg = h - w.base;
                if (w.nextMapper(wg) == self) {
                    w.setNextMapper(wg, v.nextMapper(g));
                    break;
                }
                h = w.nextMapper(wg);
            }
        }
        v.setNextMapper(g, GuestPages.NO_MAPPER);
        if (ksm.stable.unmap(n)) swap.free(1);
        if (!v.has(g, GuestPages.RMAP)) v.setNode(g, GuestPages.NO_NODE);
    }

    /** The page gets a private frame (its content already stored) and joins the reclaim list if not on it. */
    private void makeResident(GuestPages v, int g) {
        v.setState(g, GuestPages.RESIDENT);
        v.set(g, GuestPages.REFERENCED);
        v.resident++;
        if (!v.has(g, GuestPages.IN_LRU)) {
            v.set(g, GuestPages.IN_LRU);
            lru.addTail(v.base + g);
        }
        v.notePeaks();
    }

    private static int checkGfn(GuestPages v, long gfn) {
        if (gfn < 0 || gfn >= v.pages) {
            throw new IndexOutOfBoundsException("gfn 0x" + Long.toHexString(gfn) + " outside " + v.name + "'s "
                    + v.pages + " pages");
        }
        return (int) gfn;
    }

    // ---------------------------------------------------------------- frames

    @Override
    public long ramPages() {
        return config.ramPages();
    }

    @Override
    public long reservePages() {
        return config.reservePages();
    }

    /** Free host pages: RAM minus the host's reserve, guest private frames, KSM pages and zram's store. */
    @Override
    public long freePages() {
        return config.ramPages() - config.reservePages() - privateFrames - ksm.stable.ksmPages - swap.framesUsed();
    }

    /** Host pages in use (the reserve included). */
    @Override
    public long usedPages() {
        return config.ramPages() - freePages();
    }

    /** Takes one frame for {@code requester}, reclaiming or OOM-killing first if needed; false if it was killed. */
    private boolean allocateFrame(GuestPages requester) {
        while (freePages() <= watermarks.min()) {
            if (reclaim(SWAP_CLUSTER_MAX, true) > 0) continue;
            currentRequester = requester.name;
            if (!oomKill() || requester.killed) return false;
        }
        privateFrames++;
        long used = usedPages();
        if (used > peakUsedPages) peakUsedPages = used;
        return true;
    }

    /** Second-chance reclaim of up to {@code want} pages to swap; returns how many were swapped out. */
    private long reclaim(long want, boolean direct) {
        long reclaimed = 0;
        long budget = 2L * lru.size() + want;
        while (reclaimed < want && budget-- > 0 && lru.size() > 0 && !swap.full()) {
            int h = lru.pollHead();
            GuestPages v = vmOf(h);
            int g = h - v.base;
            int f = v.flags[g];
            int state = f & GuestPages.STATE_MASK;
            if (!v.killed && state == GuestPages.SHARED && v.node(g) >= 0) {
                if (ksmPageReferenced(v.node(g))) {
                    lru.addTail(h);
                } else {
                    v.clear(g, GuestPages.IN_LRU);
                    swapOutKsmPage(v.node(g));
                    reclaimed++;
                }
                continue;
            }
            if (v.killed || state != GuestPages.RESIDENT) {
                v.clear(g, GuestPages.IN_LRU);
                continue;
            }
            if ((f & GuestPages.REFERENCED) != 0 || v.pinned(g)) {
                v.clear(g, GuestPages.REFERENCED);   // second chance: the young bit is cleared (clear_young)
                lru.addTail(h);
                continue;
            }
            v.clear(g, GuestPages.IN_LRU);
            swapOut(v, g);
            reclaimed++;
        }
        if (direct) {
            directPages += reclaimed;
            stallNanos += reclaimed * swap.kind.writeNanos;
        } else {
            kswapdPages += reclaimed;
        }
        return reclaimed;
    }

    private void swapOut(GuestPages v, int g) {
        v.setState(g, GuestPages.SWAPPED);
        v.resident--;
        v.swapped++;
        privateFrames--;
        swap.pageOut();
        v.notePeaks();
        notifier.invalidateGfn(v.id, g);
    }

    /** page_referenced over the KSM page's rmap: any young mapping keeps it; the young bits are cleared. */
    private boolean ksmPageReferenced(int n) {
        boolean young = false;
        for (int h = ksm.stable.firstMapper(n); h != GuestPages.NO_MAPPER; ) {
            GuestPages w = vmOf(h);
            int wg = h - w.base;
            if (w.has(wg, GuestPages.REFERENCED)) {
                young = true;
                w.clear(wg, GuestPages.REFERENCED);
            }
            h = w.nextMapper(wg);
        }
        return young;
    }

    /** try_to_unmap of a KSM page: every mapping becomes a swap entry for one slot, the frame is freed. */
    private void swapOutKsmPage(int n) {
        for (int h = ksm.stable.firstMapper(n); h != GuestPages.NO_MAPPER; ) {
            GuestPages w = vmOf(h);
            int wg = h - w.base;
            w.setState(wg, GuestPages.SWAPPED_KSM);
            w.sharedKsm--;
            w.swapped++;
            w.notePeaks();
            notifier.invalidateGfn(w.id, wg);
            h = w.nextMapper(wg);
        }
        ksm.stable.swapOut(n);
        swap.pageOut();
    }

    /** KSM merged a private page (into a KSM page or the zero page): its private frame is freed. */
    void privateToShared(GuestPages v, int g) {
        v.setState(g, GuestPages.SHARED);
        v.resident--;
        privateFrames--;
        if (v.node(g) >= 0) v.sharedKsm++; else v.sharedZero++;
        notifier.invalidateGfn(v.id, g);
    }

    // ---------------------------------------------------------------- OOM

    private boolean oomKill() {
        long totalPages = config.ramPages() + config.swapPages();
        int victim = OomKiller.selectVictim(vms, totalPages);
        if (victim < 0) return false;
        GuestPages v = vms.get(victim);
        HostListener.OomKill kill = new HostListener.OomKill(v.id, v.name, nowNanos, OomKiller.badness(v, totalPages),
                v.rss(), v.swapped, OomKiller.pageTablePages(v), currentRequester);
        kill(v);
        oomKills++;
        listener.oomKilled(kill);
        return true;
    }

    /** Frees everything {@code v} holds (exit_mmap): frames, swap slots, KSM mappings and rmap_items. */
    private void kill(GuestPages v) {
        v.killed = true;
        v.killedAtNanos = nowNanos;
        for (int g = 0; g < v.pages; g++) {
            int state = v.state(g);
            switch (state) {
                case GuestPages.RESIDENT -> privateFrames--;
                case GuestPages.SWAPPED -> swap.free(1);
                case GuestPages.SWAPPED_KSM -> dropKsmMapping(v, g);
                case GuestPages.SHARED -> {
                    if (v.node(g) >= 0) dropKsmMapping(v, g); else ksm.ksmZeroPages--;
                }
                default -> { }
            }
            v.setState(g, GuestPages.UNTOUCHED);
            if (v.has(g, GuestPages.RMAP)) ksm.dropRmapItem(v, g);
            if (v.mergeable) v.setNode(g, GuestPages.NO_NODE);
            v.writeValue(g, ZERO_CONTENT);
            v.flags[g] = 0;   // the reclaim list drops its stale entry by the killed flag
            v.setPinned(g, false);
        }
        v.resident = v.sharedKsm = v.sharedZero = v.swapped = v.ballooned = 0;
        ksm.unregister(v);
        notifier.vmKilled(v.id);
    }

    // ---------------------------------------------------------------- balloon, pinning, time

    @Override
    public void balloonRelease(int vm, long gfn) {
        GuestPages v = vms.get(vm);
        if (v.killed) return;
        int g = checkGfn(v, gfn);
        if (v.pinned(g)) throw new IllegalStateException("balloon given a pinned page: gfn 0x" + Long.toHexString(gfn));
        switch (v.state(g)) {
            case GuestPages.RESIDENT -> {
                v.resident--;
                privateFrames--;
            }
            case GuestPages.SWAPPED -> {
                v.swapped--;
                swap.free(1);
            }
            case GuestPages.SWAPPED_KSM -> {
                v.swapped--;
                dropKsmMapping(v, g);
            }
            case GuestPages.SHARED -> {
                if (v.node(g) >= 0) {
                    dropKsmMapping(v, g);
                    v.sharedKsm--;
                } else {
                    v.setNode(g, GuestPages.NO_NODE);
                    ksm.ksmZeroPages--;
                    v.sharedZero--;
                }
            }
            case GuestPages.BALLOONED -> {
                return;
            }
            default -> { }
        }
        v.setState(g, GuestPages.BALLOONED);
        v.ballooned++;
        v.writeValue(g, ZERO_CONTENT);
        notifier.invalidateGfn(vm, g);
    }

    @Override
    public void pin(int vm, long gfn, boolean pinned) {
        GuestPages v = vms.get(vm);
        int g = checkGfn(v, gfn);
        v.setPinned(g, pinned);
    }

    @Override
    public void advance(long nanos) {
        if (nanos < 0) throw new IllegalArgumentException("negative time step");
        nowNanos += nanos;
        kswapd(nanos);
        ksm.advanceTo(nowNanos);
    }

    /** Background reclaim: below the low watermark, swap out toward the high one at the device's write speed. */
    private void kswapd(long nanos) {
        long free = freePages();
        if (free >= watermarks.low()) return;
        long budget = Math.max(1, nanos / Math.max(1, swap.kind.writeNanos));
        reclaim(Math.min(budget, watermarks.high() - free), false);
    }

    public long nowNanos() {
        return nowNanos;
    }

    /** Virtual time the accesses since the last call spent in direct reclaim; resets it. */
    public long takeStallNanos() {
        long s = stallNanos;
        stallNanos = 0;
        return s;
    }

    public void setKsmConfig(KsmConfig c) {
        ksm.setConfig(c, nowNanos);
    }

    public KsmConfig ksmConfig() {
        return ksm.config();
    }

    // ---------------------------------------------------------------- queries

    @Override
    public long content(int vm, long gfn) {
        GuestPages v = vms.get(vm);
        int g = checkGfn(v, gfn);
        int s = v.state(g);
        return s == GuestPages.UNTOUCHED || s == GuestPages.BALLOONED ? ZERO_CONTENT : v.content(g);
    }

    @Override
    public PageState state(int vm, long gfn) {
        GuestPages v = vms.get(vm);
        int s = v.state(checkGfn(v, gfn));
        return s == GuestPages.SWAPPED_KSM ? PageState.SWAPPED : PageState.values()[s];
    }

    /**
     * Host frames backing {@code vm}: its private frames plus each KSM page it maps, counted once however many of its
     * pages map it (a walk over the VM's pages; not for hot paths). The process RSS, which counts every mapping, is
     * {@link VmMemory#rssPages()}.
     */
    @Override
    public long residentPages(int vm) {
        GuestPages v = vms.get(vm);
        if (v.sharedKsm == 0) return v.resident;
        java.util.BitSet nodes = new java.util.BitSet();
        for (int g = 0; g < v.pages; g++) {
            if (v.state(g) == GuestPages.SHARED && v.node(g) >= 0) nodes.set(v.node(g));
        }
        return v.resident + nodes.cardinality();
    }

    @Override
    public long swappedPages(int vm) {
        return vms.get(vm).swapped;
    }

    @Override
    public boolean killed(int vm) {
        return vms.get(vm).killed;
    }

    /** A snapshot of one VM's memory as the host sees it. */
    public VmMemory vmMemory(int vm) {
        GuestPages v = vms.get(vm);
        return new VmMemory(v.name, v.pages, v.resident, v.sharedKsm, v.sharedZero, v.swapped, v.ballooned,
                v.untouched(), v.peakResident, v.peakSwapped, v.swapIns, v.cowBreaks, v.killed, v.killedAtNanos);
    }

    public KsmCounters ksmCounters() {
        return ksm.counters();
    }

    /** /sys/kernel/mm/ksm as a map of file name to value: the knobs, then the read-only counters. */
    public java.util.Map<String, Long> ksmSysfs() {
        KsmConfig c = ksm.config();
        KsmCounters k = ksm.counters();
        java.util.LinkedHashMap<String, Long> m = new java.util.LinkedHashMap<>();
        m.put("run", c.run() ? 1L : 0L);
        m.put("pages_to_scan", (long) c.pagesToScan());
        m.put("sleep_millisecs", (long) c.sleepMillisecs());
        m.put("max_page_sharing", (long) c.maxPageSharing());
        m.put("use_zero_pages", c.useZeroPages() ? 1L : 0L);
        m.put("smart_scan", c.smartScan() ? 1L : 0L);
        m.put("merge_across_nodes", c.mergeAcrossNodes() ? 1L : 0L);
        m.put("pages_shared", k.pagesShared());
        m.put("pages_sharing", k.pagesSharing());
        m.put("pages_unshared", k.pagesUnshared());
        m.put("pages_volatile", k.pagesVolatile());
        m.put("pages_scanned", k.pagesScanned());
        m.put("pages_skipped", k.pagesSkipped());
        m.put("full_scans", k.fullScans());
        m.put("stable_node_chains", k.stableNodeChains());
        m.put("stable_node_dups", k.stableNodeDups());
        m.put("ksm_zero_pages", k.ksmZeroPages());
        m.put("general_profit", k.generalProfit());
        return m;
    }

    public long swapUsedPages() {
        return swap.usedPages;
    }

    public long peakSwapUsedPages() {
        return swap.peakUsedPages;
    }

    public long peakUsedPages() {
        return peakUsedPages;
    }

    public long ksmPages() {
        return ksm.stable.ksmPages;
    }

    /** Host-wide event counters under their /proc/vmstat names. */
    public java.util.Map<String, Long> vmstat() {
        java.util.LinkedHashMap<String, Long> m = new java.util.LinkedHashMap<>();
        m.put("pgfault_first_touch", pgfault);
        m.put("pswpin", swap.pswpin);
        m.put("pswpout", swap.pswpout);
        m.put("pgsteal_kswapd", kswapdPages);
        m.put("pgsteal_direct", directPages);
        m.put("cow_ksm", cowKsm);
        m.put("oom_kill", oomKills);
        return m;
    }

    /** Bytes of model state: every VM's pages, the reclaim list and KSM's trees. */
    public long modelBytes() {
        long bytes = lru.bytes() + ksm.bytes() + 4L * chunkVm.length;
        for (GuestPages v : vms) bytes += v.bytes();
        return bytes;
    }

    /** Guest pages of all VMs. */
    public long guestPages() {
        long pages = 0;
        for (GuestPages v : vms) pages += v.pages;
        return pages;
    }

    /** {@link #modelBytes()} per guest page. */
    public double modelBytesPerGuestPage() {
        long pages = guestPages();
        return pages == 0 ? 0 : (double) modelBytes() / pages;
    }

    /**
     * Checks every invariant against a full recount and throws {@link IllegalStateException} on the first broken one:
     * each VM's state counts, frames conserved ({@code private + KSM pages + free + reserve = RAM}), swap slots,
     * and the KSM counter identities.
     */
    public void verify() {
        long frames = 0;
        long swapped = 0;
        long zero = 0;
        long rmap = 0;
        long unshared = 0;
        for (GuestPages v : vms) {
            long[] count = new long[6];
            long ksmMapped = 0;
            long vRmap = 0;
            for (int g = 0; g < v.pages; g++) {
                int s = v.state(g);
                count[s]++;
                int node = v.mergeable ? v.node(g) : GuestPages.NO_NODE;
                if (s == GuestPages.SHARED && node >= 0) ksmMapped++;
                if (s == GuestPages.SHARED && node == GuestPages.ZERO_NODE) zero++;
                if (s == GuestPages.SHARED && node == GuestPages.NO_NODE) fail(v, g, "shared page without a node");
                if (s == GuestPages.SWAPPED_KSM && (node < 0 || !ksm.stable.out(node))) {
                    fail(v, g, "swapped KSM mapping without a swapped-out node");
                }
                if (s == GuestPages.SHARED && node >= 0 && ksm.stable.out(node)) fail(v, g, "mapping of a swapped-out node");
                if (v.has(g, GuestPages.RMAP)) vRmap++;
                if (v.has(g, GuestPages.UNSTABLE)) {
                    unshared++;
                    if (!v.has(g, GuestPages.RMAP)) fail(v, g, "unstable flag without an rmap_item");
                }
                if (v.has(g, GuestPages.CHANGED) && !v.has(g, GuestPages.RMAP)) fail(v, g, "changed flag without an rmap_item");
                if ((s == GuestPages.UNTOUCHED || s == GuestPages.BALLOONED) && v.content(g) != ZERO_CONTENT) {
                    fail(v, g, "untouched or ballooned page with content");
                }
            }
            check(count[GuestPages.RESIDENT] == v.resident, v.name + ": resident count");
            check(ksmMapped == v.sharedKsm, v.name + ": KSM mapping count");
            check(count[GuestPages.SHARED] == v.sharedKsm + v.sharedZero, v.name + ": shared count");
            check(count[GuestPages.SWAPPED] + count[GuestPages.SWAPPED_KSM] == v.swapped, v.name + ": swapped count");
            check(count[GuestPages.BALLOONED] == v.ballooned, v.name + ": ballooned count");
            check(count[GuestPages.UNTOUCHED] == v.untouched(), v.name + ": untouched count");
            check(vRmap == v.rmapItems, v.name + ": rmap_items");
            frames += v.resident;
            swapped += count[GuestPages.SWAPPED];
            rmap += vRmap;
        }
        check(frames == privateFrames, "private frames " + frames + " != " + privateFrames);
        check(swapped + ksm.stable.swappedNodes == swap.usedPages, "swap slots " + swapped + " + "
                + ksm.stable.swappedNodes + " KSM != " + swap.usedPages);
        check(swap.usedPages <= swap.capacityPages, "swap over capacity");
        check(freePages() >= 0, "negative free memory");
        check(zero == ksm.ksmZeroPages, "ksm_zero_pages " + zero + " != " + ksm.ksmZeroPages);
        check(rmap == ksm.rmapItems, "ksm rmap_items");
        check(unshared == ksm.pagesUnshared, "pages_unshared " + unshared + " != " + ksm.pagesUnshared);
        KsmCounters c = ksm.counters();
        check(c.pagesShared() + c.pagesSharing() + c.pagesUnshared() <= c.ksmRmapItems(), "KSM counters exceed rmap_items");
    }

    private static void fail(GuestPages v, int g, String what) {
        throw new IllegalStateException(v.name + " gfn 0x" + Integer.toHexString(g) + ": " + what);
    }

    private static void check(boolean ok, String what) {
        if (!ok) throw new IllegalStateException("host memory invariant broken: " + what);
    }
}
