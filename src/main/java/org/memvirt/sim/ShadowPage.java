package org.memvirt.sim;

import java.util.Arrays;

/**
 * 512 sptes shadowing the guest table at {@code gfn} one level {@code level} (linux Documentation/virt/kvm/x86/mmu.rst,
 * "Shadow pages"; struct kvm_mmu_page). Sptes of level 1 map data frames ({@code gfn << 12 | P | RW | US});
 * higher-level sptes link child shadow pages ({@code id << 12 | P | RW | US}).
 * Invariants: unsync implies level 1; unsyncChildren equals the number of set bits of unsyncChildBitmap.
 */
final class ShadowPage {
    final int id;
    final long gfn;
    final int level;
    final long[] spt = new long[Paging.ENTRIES];
    final long[] unsyncChildBitmap = new long[Paging.ENTRIES / 64];
    int unsyncChildren;
    boolean unsync;
    boolean invalid;
    int writeFloodingCount;
    int rootCount;
    private long[] parents = new long[2];   // parent id << 9 | index
    private int parentCount;

    ShadowPage(int id, long gfn, int level) {
        this.id = id;
        this.gfn = gfn;
        this.level = level;
    }

    static long key(long gfn, int level) {
        return gfn << 3 | level;
    }

    void addParent(int parentId, int index) {
        if (parentCount == parents.length) parents = Arrays.copyOf(parents, parentCount * 2);
        parents[parentCount++] = (long) parentId << 9 | index;
    }

    void removeParent(int parentId, int index) {
        long p = (long) parentId << 9 | index;
        for (int i = 0; i < parentCount; i++) {
            if (parents[i] == p) {
                parents[i] = parents[--parentCount];
                return;
            }
        }
    }

    int parentCount() {
        return parentCount;
    }

    long parent(int i) {
        return parents[i];
    }

    void clearParents() {
        parentCount = 0;
    }

    /** Sets the unsync-child bit of {@code index}; true if it was clear. */
    boolean markUnsyncChild(int index) {
        long bit = 1L << (index & 63);
        if ((unsyncChildBitmap[index >>> 6] & bit) != 0) return false;
        unsyncChildBitmap[index >>> 6] |= bit;
        unsyncChildren++;
        return true;
    }

    void clearUnsyncChild(int index) {
        long bit = 1L << (index & 63);
        if ((unsyncChildBitmap[index >>> 6] & bit) == 0) return;
        unsyncChildBitmap[index >>> 6] &= ~bit;
        unsyncChildren--;
    }

    boolean hasUnsyncChild(int index) {
        return (unsyncChildBitmap[index >>> 6] & (1L << (index & 63))) != 0;
    }

    /** Throws if an invariant of the class comment does not hold. */
    void checkInvariants() {
        if (unsync && level != 1) throw new IllegalStateException("unsync shadow page at level " + level);
        int bits = 0;
        for (long w : unsyncChildBitmap) bits += Long.bitCount(w);
        if (bits != unsyncChildren) throw new IllegalStateException("unsync_children " + unsyncChildren + " != " + bits);
    }
}
