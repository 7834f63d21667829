package org.memvirt.sim;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

import org.memvirt.engine.KsmConfig;
import org.memvirt.workload.Patterns;

/**
 * ksmd after linux mm/ksm.c: every {@code sleep_millisecs} of virtual time it processes up to {@code pages_to_scan}
 * rmap_items (ksm_do_scan), walking the registered VMs in list order and their present anonymous pages in gfn
 * order. For each page (cmp_and_merge_page): search the stable tree first; otherwise require the checksum to be
 * unchanged since the last visit, then try the kernel zero page ({@code use_zero_pages}), then the unstable tree,
 * which is emptied at the start of every full scan. Smart scan skips pages that failed to merge several times.
 *
 * <p>Counters keep their sysfs names ({@link #counters()}). Checksums are a 32-bit hash of the content id.
 */
final class KsmScanner {
    private static final long NANOS_PER_MS = 1_000_000L;
    /** Eight flag bytes as one long, the first page in the low byte. */
    private static final VarHandle FLAG_WORDS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long LOW_BITS = 0x0101_0101_0101_0101L;

    private final HostModel host;
    final StableTree stable = new StableTree();
    private final UnstableTree unstable;                    // content -> page handle, this full scan only
    private final List<GuestPages> mmList = new ArrayList<>();
    private int cursor = -1;                                // -1: at ksm_mm_head (between full scans)
    private int cursorGfn;
    private KsmConfig config;
    private long nextWakeNanos;

    long pagesUnshared;
    long pagesScanned;
    long pagesSkipped;
    long fullScans;
    long ksmZeroPages;
    long rmapItems;

    KsmScanner(HostModel host, KsmConfig config, ContentFormulas formulas) {
        this.host = host;
        this.config = config;
        this.unstable = new UnstableTree(formulas);
    }

    KsmConfig config() {
        return config;
    }

    void setConfig(KsmConfig c, long nowNanos) {
        if (!config.run() && c.run()) nextWakeNanos = nowNanos;
        config = c;
    }

    /** A mergeable VM starts: its mm is inserted just behind the scan cursor (mm/ksm.c __ksm_enter). */
    void register(GuestPages v) {
        if (!v.mergeable) return;
        if (cursor < 0) {
            mmList.add(v);
        } else {
            mmList.add(cursor, v);
            cursor++;
        }
    }

    /** The VM exited or was killed: its rmap_items are already gone; drop its mm from the list. */
    void unregister(GuestPages v) {
        int i = mmList.indexOf(v);
        if (i < 0) return;
        mmList.remove(i);
        if (cursor > i) {
            cursor--;
        } else if (cursor == i) {
            cursorGfn = 0;
        }
    }

    /** Runs ksmd's wake-ups due up to {@code nowNanos}. */
    void advanceTo(long nowNanos) {
        if (!config.run()) {
            nextWakeNanos = nowNanos;
            return;
        }
        long sleep = Math.max(1, config.sleepMillisecs()) * NANOS_PER_MS;   // sleep 0 is treated as 1 ms
        while (nextWakeNanos <= nowNanos) {
            doScan(config.pagesToScan(), nextWakeNanos);
            nextWakeNanos += sleep;
        }
    }

    /** ksm_do_scan: up to {@code budget} rmap_items; stops early at the end of a full scan. */
    void doScan(int budget, long nowNanos) {
        for (int i = 0; i < budget; i++) {
            int gfn = nextRmapItem(nowNanos);
            if (gfn < 0) return;
            pagesScanned++;
            cmpAndMergePage(mmList.get(cursor), gfn);
        }
    }

    /**
     * scan_get_next_rmap_item: the next present anonymous page that is not skipped (a RAM page of the VM at the
     * cursor), or -1 at the end of a pass.
     */
    private int nextRmapItem(long nowNanos) {
        if (mmList.isEmpty()) return -1;
        if (cursor < 0) {                                   // start of a full scan: root_unstable_tree = RB_ROOT
            unstable.clear();
            cursor = 0;
            cursorGfn = 0;
        }
        while (cursor < mmList.size()) {
            GuestPages v = mmList.get(cursor);
            while (cursorGfn < v.pages) {
                int gfn = nextCandidate(v.flags, cursorGfn, v.pages);   // what it passes over needs no work
                if (gfn == v.pages) {
                    cursorGfn = gfn;
                    break;
                }
                cursorGfn = gfn + 1;
                int f = v.flags[gfn];
                int state = f & GuestPages.STATE_MASK;
                boolean ksmPage = state == GuestPages.SHARED && v.node(gfn) >= 0;
                boolean anon = (state == GuestPages.RESIDENT || ksmPage) && !v.pinned(gfn);
                if (!anon) {
                    if ((f & GuestPages.RMAP) != 0) dropRmapItem(v, gfn);
                    continue;
                }
                if ((f & GuestPages.RMAP) == 0) createRmapItem(v, gfn);
                if (!ksmPage && shouldSkip(v, gfn)) continue;
                return gfn;
            }
            cursor++;
            cursorGfn = 0;
        }
        fullScans++;                                        // ksm_scan.seqnr++
        cursor = -1;
        host.listener().ksmFullScan(fullScans, nowNanos);
        return -1;
    }

    /**
     * The first page in {@code [from, to)} that {@link #nextRmapItem} has work for: present (RESIDENT or SHARED) or
     * with an rmap_item to drop ({@link GuestPages#RMAP}). Every other page (untouched, swapped out, ballooned) it
     * passes over without a change, so this looks at eight flag bytes at a time: per byte, bit 0 of
     * {@code (x ^ x >>> 1) & ~(x >>> 2)} is set for states 1 and 2 (bits 2..0 = 001 or 010), bit 0 of
     * {@code x >>> 5} is the RMAP bit (a right shift by at most 5 moves no bit of a byte into the byte below's bit 0).
     */
    static int nextCandidate(byte[] flags, int from, int to) {
        int i = from;
        for (; i + Long.BYTES <= to; i += Long.BYTES) {
            long x = (long) FLAG_WORDS.get(flags, i);
            long hit = ((x ^ x >>> 1) & ~(x >>> 2) | x >>> 5) & LOW_BITS;
            if (hit != 0) return i + (Long.numberOfTrailingZeros(hit) >>> 3);
        }
        for (; i < to; i++) if (candidate(flags[i])) return i;
        return to;
    }

    /** Whether {@link #nextRmapItem} has work for a page with flags {@code f}. */
    static boolean candidate(int f) {
        int state = f & GuestPages.STATE_MASK;
        return state == GuestPages.RESIDENT || state == GuestPages.SHARED || (f & GuestPages.RMAP) != 0;
    }

    /** should_skip_rmap_item (smart scan). */
    private boolean shouldSkip(GuestPages v, int gfn) {
        if (!config.smartScan()) return false;
        int age = v.age(gfn);                               // the age kept saturates at AGE_MAX (all skip 8)
        int skips = v.skips(gfn);
        v.setAgeAndSkips(gfn, age + 1, skips);
        if (age < 3) return false;
        if (skips == 0) {
            v.setAgeAndSkips(gfn, age + 1, skipAge(age));
            return false;
        }
        pagesSkipped++;
        v.setAgeAndSkips(gfn, age + 1, skips - 1);
        removeFromTree(v, gfn);
        return true;
    }

    static int skipAge(int age) {
        if (age <= 3) return 1;
        if (age <= 5) return 2;
        if (age <= 8) return 4;
        return 8;
    }

    /** cmp_and_merge_page. */
    private void cmpAndMergePage(GuestPages v, int gfn) {
        if (v.state(gfn) == GuestPages.SHARED) return;      // already a KSM page whose rmap_item is on its node
        removeFromTree(v, gfn);
        long content = v.content(gfn);
        int n = stable.search(content, config.maxPageSharing());
        if (n != GuestPages.NO_NODE) {
            mergeInto(v, gfn, n);
            return;
        }
        // volatile: changed since the last visit (a page not written since keeps its checksum: no hash to compare)
        boolean changed = v.has(gfn, GuestPages.CHANGED) && v.oldChecksum(gfn) != checksum(content);
        v.clear(gfn, GuestPages.CHANGED);                   // rmap_item->oldchecksum = checksum
        if (changed) return;
        if (config.useZeroPages() && content == HostMemory.ZERO_CONTENT) {
            mergeWithZeroPage(v, gfn);
            return;
        }
        int self = v.base + gfn;
        int f = v.content.formula(gfn);
        long arg = f == 0 ? 0 : v.content.argument(gfn);
        int other = unstable.putIfAbsent(f, arg, content, self);   // unstable_tree_search_insert: one probe
        if (other != UnstableTree.MISSING) {
            if (mergeableTreePage(other, v, gfn, content)) {
                GuestPages w = host.vmOf(other);
                int wGfn = other - w.base;
                removeFromTree(w, wGfn);
                int node = stable.insert(content);
                mergeInto(w, wGfn, node);
                mergeInto(v, gfn, node);
                return;
            }
            unstable.put(f, arg, content, self);           // the entry was stale: the page changed or went away
        }
        v.set(gfn, GuestPages.UNSTABLE);
        pagesUnshared++;
    }

    /** Whether the unstable-tree entry {@code h} still is a plain, unchanged page with this content (not this page). */
    private boolean mergeableTreePage(int h, GuestPages v, int gfn, long content) {
        GuestPages w = host.vmOf(h);
        int wGfn = h - w.base;
        if (w.killed || (w == v && wGfn == gfn)) return false;
        int f = w.flags[wGfn];
        return (f & GuestPages.STATE_MASK) == GuestPages.RESIDENT && (f & GuestPages.UNSTABLE) != 0
                && !w.pinned(wGfn) && w.content(wGfn) == content;
    }

    private void mergeInto(GuestPages v, int gfn, int node) {
        v.setNode(gfn, node);
        stable.appendMapped(node);
        v.setNextMapper(gfn, stable.firstMapper(node));         // rmap: the KSM page's list of mappings
        stable.setFirstMapper(node, v.base + gfn);
        host.privateToShared(v, gfn);
    }

    private void mergeWithZeroPage(GuestPages v, int gfn) {
        v.setNode(gfn, GuestPages.ZERO_NODE);
        ksmZeroPages++;
        host.privateToShared(v, gfn);
    }

    private void createRmapItem(GuestPages v, int gfn) {
        v.newRmapItem(gfn);
        v.rmapItems++;
        rmapItems++;
    }

    void dropRmapItem(GuestPages v, int gfn) {
        removeFromTree(v, gfn);
        v.clear(gfn, GuestPages.RMAP | GuestPages.CHANGED);
        v.rmapItems--;
        rmapItems--;
    }

    /** remove_rmap_item_from_tree: out of the unstable tree (pages_unshared--) or off its stable node. */
    void removeFromTree(GuestPages v, int gfn) {
        if (v.has(gfn, GuestPages.UNSTABLE)) {
            v.clear(gfn, GuestPages.UNSTABLE);
            pagesUnshared--;
        } else {
            int n = v.node(gfn);
            if (n < 0) return;
            stable.removeItem(n);
            int state = v.state(gfn);
            if (state != GuestPages.SHARED && state != GuestPages.SWAPPED_KSM) v.setNode(gfn, GuestPages.NO_NODE);
        }
    }

    static int checksum(long content) {
        return (int) Patterns.mix(content ^ 0x6B73_6D00_0000_0000L);   // stands in for xxhash(page) (mm/ksm.c calc_checksum)
    }

    KsmCounters counters() {
        long shared = stable.pagesShared;
        long sharing = stable.pagesSharing;
        long volatilePages = Math.max(0, rmapItems - shared - sharing - pagesUnshared);
        long[] chains = stable.chainsAndDups();
        long profit = (sharing + ksmZeroPages) * HostConfig.PAGE_SIZE - rmapItems * KsmCounters.RMAP_ITEM_BYTES;
        return new KsmCounters(shared, sharing, pagesUnshared, volatilePages, pagesScanned, pagesSkipped, fullScans,
                chains[0], chains[1], ksmZeroPages, profit, rmapItems);
    }

    long bytes() {
        return stable.bytes() + unstable.bytes();
    }
}
