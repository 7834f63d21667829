package org.memvirt.sim;

import java.util.Arrays;

/**
 * The further leaf sptes of guest frames that several sptes map (the pte_list_desc chains of linux
 * arch/x86/kvm/mmu/mmu.c), as singly linked chains in one pool of primitive arrays: a {@link LongMap} from ram page to
 * its chain's first node, and per node an rmap entry and the next node. Freed nodes are reused, so once the pool has
 * grown to the largest number of extra sptes, adding and removing allocate nothing.
 */
final class RmapChains {
    /** {@link #pop} of a page without a chain. */
    static final long NONE = -1;
    private static final int END = -1;

    private final LongMap heads = new LongMap(16);
    private long[] entries = new long[64];
    private int[] next = new int[64];
    private int free = END;       // the free list, linked through next[]
    private int used;             // nodes handed out so far from the arrays' end
    private int size;

    /** Adds {@code entry} (non-negative) to {@code page}'s chain. */
    void push(long page, long entry) {
        int node = allocate();
        long head = heads.get(page);
        entries[node] = entry;
        next[node] = head == LongMap.MISSING ? END : (int) head;
        heads.put(page, node);
        size++;
    }

    /** Removes and returns the most recently pushed entry of {@code page}, or {@link #NONE}. */
    long pop(long page) {
        long head = heads.get(page);
        if (head == LongMap.MISSING) return NONE;
        int node = (int) head;
        long entry = entries[node];
        setHead(page, next[node]);
        release(node);
        return entry;
    }

    /** Removes {@code entry} from {@code page}'s chain, if it is there. */
    void remove(long page, long entry) {
        long head = heads.get(page);
        int prev = END;
        for (int node = head == LongMap.MISSING ? END : (int) head; node != END; prev = node, node = next[node]) {
            if (entries[node] != entry) continue;
            if (prev == END) setHead(page, next[node]);
            else next[prev] = next[node];
            release(node);
            return;
        }
    }

    /** Entries in all chains. */
    int size() {
        return size;
    }

    private void setHead(long page, int node) {
        if (node == END) heads.remove(page);
        else heads.put(page, node);
    }

    private int allocate() {
        if (free != END) {
            int node = free;
            free = next[node];
            return node;
        }
        if (used == entries.length) {
            entries = Arrays.copyOf(entries, used * 2);
            next = Arrays.copyOf(next, used * 2);
        }
        return used++;
    }

    private void release(int node) {
        next[node] = free;
        free = node;
        size--;
    }
}
