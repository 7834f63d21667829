package org.memvirt.sim;

import java.util.Arrays;

/**
 * KSM's stable tree (linux mm/ksm.c): one node per write-protected KSM page, looked up by content, with the
 * rmap_items hanging on each node and, once a node holds {@code max_page_sharing} items, chains of "dups" with the
 * same content. Content ids stand in for memcmp order; a map from content to the chain head replaces the rbtree.
 *
 * <p>Per node: {@code items} is rmap_hlist_len (which sets pages_shared and pages_sharing), {@code mapped} the
 * page-table entries that really map the KSM page (its refcount). A CoW break drops {@code mapped} at once, but its
 * rmap_item stays on the node until ksmd next visits that address, as in Linux. A node whose page is no longer
 * mapped leaves the chain (it can take no more merges) and is freed when its last item goes. A KSM page can be
 * swapped out whole: its mappings keep pointing at the node, which holds one swap slot until the last of them is
 * swapped in or unmapped.
 */
final class StableTree {
    private final LongMap heads = new LongMap(1024);   // content -> first node of its chain
    private long[] content = new long[1024];
    private int[] items = new int[1024];
    private int[] mapped = new int[1024];
    private int[] next = new int[1024];                 // next dup in the chain, or next free node
    private boolean[] inChain = new boolean[1024];
    private boolean[] out = new boolean[1024];       // swapped out: the page is in one swap slot, not in RAM
    private int[] firstMapper = new int[1024];      // the rmap of the KSM page: a list of page handles through GuestPages.nextMapper
    private int freeHead = GuestPages.NO_NODE;
    private int allocated;

    long pagesShared;       // nodes with at least one rmap_item
    long pagesSharing;      // further rmap_items on those nodes
    long ksmPages;          // nodes whose page is still mapped and in RAM: host frames held by KSM
    long swappedNodes;      // swapped-out KSM pages still mapped: swap slots held by KSM

    /** The fullest dup of {@code c} that is still mapped and under {@code maxPageSharing} items, or NO_NODE. */
    int search(long c, int maxPageSharing) {
        long head = heads.get(c);
        if (head == LongMap.MISSING) return GuestPages.NO_NODE;
        int best = GuestPages.NO_NODE;
        for (int n = (int) head; n != GuestPages.NO_NODE; n = next[n]) {
            if (items[n] < maxPageSharing && (best == GuestPages.NO_NODE || items[n] > items[best])) best = n;
        }
        return best;
    }

    /** stable_tree_insert: a new KSM page with content {@code c}, added to the chain of {@code c} (as a dup). */
    int insert(long c) {
        int n = allocate();
        content[n] = c;
        items[n] = 0;
        mapped[n] = 0;
        out[n] = false;
        firstMapper[n] = GuestPages.NO_MAPPER;
        long head = heads.get(c);
        next[n] = head == LongMap.MISSING ? GuestPages.NO_NODE : (int) head;
        heads.put(c, n);
        inChain[n] = true;
        ksmPages++;
        return n;
    }

    /** stable_tree_append: one more rmap_item on node {@code n}, mapping its page. */
    void appendMapped(int n) {
        if (items[n]++ == 0) pagesShared++; else pagesSharing++;
        mapped[n]++;
    }

    /**
     * A mapping of the node's page went away (CoW break, swap-in of a swapped-out KSM page, balloon, exit).
     *
     * @return whether that was the last mapping of a swapped-out KSM page, whose swap slot is now free
     */
    boolean unmap(int n) {
        if (--mapped[n] != 0) return false;
        boolean slotFreed = out[n];
        if (out[n]) {
            swappedNodes--;
        } else {
            unlinkFromChain(n);
            ksmPages--;
        }
        if (items[n] == 0) release(n);
        return slotFreed;
    }

    /** The KSM page goes to swap: one slot for all its mappings, no frame, no more merges into it. */
    void swapOut(int n) {
        out[n] = true;
        unlinkFromChain(n);
        ksmPages--;
        swappedNodes++;
    }

    boolean out(int n) {
        return out[n];
    }

    int firstMapper(int n) {
        return firstMapper[n];
    }

    void setFirstMapper(int n, int handle) {
        firstMapper[n] = handle;
    }

    /** remove_rmap_item_from_tree for an item on node {@code n}. */
    void removeItem(int n) {
        if (--items[n] == 0) pagesShared--; else pagesSharing--;
        if (items[n] == 0 && mapped[n] == 0) release(n);
    }

    long content(int n) {
        return content[n];
    }

    int items(int n) {
        return items[n];
    }

    int mapped(int n) {
        return mapped[n];
    }

    /** {stable_node_chains, stable_node_dups}: chains of two or more dups, and the dups in them. */
    long[] chainsAndDups() {
        long[] r = new long[2];
        heads.forEach((c, head) -> {
            int dups = 0;
            for (int n = (int) (long) head; n != GuestPages.NO_NODE; n = next[n]) dups++;
            if (dups >= 2) {
                r[0]++;
                r[1] += dups;
            }
        });
        return r;
    }

    private void unlinkFromChain(int n) {
        if (!inChain[n]) return;
        inChain[n] = false;
        long c = content[n];
        int head = (int) heads.get(c);
        if (head == n) {
            if (next[n] == GuestPages.NO_NODE) heads.remove(c); else heads.put(c, next[n]);
        } else {
            int p = head;
            while (next[p] != n) p = next[p];
            next[p] = next[n];
        }
        next[n] = GuestPages.NO_NODE;
    }

    private int allocate() {
        if (freeHead != GuestPages.NO_NODE) {
            int n = freeHead;
            freeHead = next[n];
            return n;
        }
        if (allocated == content.length) {
            int cap = content.length << 1;
            content = Arrays.copyOf(content, cap);
            items = Arrays.copyOf(items, cap);
            mapped = Arrays.copyOf(mapped, cap);
            next = Arrays.copyOf(next, cap);
            inChain = Arrays.copyOf(inChain, cap);
            out = Arrays.copyOf(out, cap);
            firstMapper = Arrays.copyOf(firstMapper, cap);
        }
        return allocated++;
    }

    private void release(int n) {
        next[n] = freeHead;
        freeHead = n;
    }

    long bytes() {
        return heads.bytes() + (long) content.length * (8 + 4 + 4 + 4 + 1 + 1 + 4);
    }
}
