package org.memvirt.sim;

import java.util.Arrays;

/**
 * 512 sptes shadowing the guest table at {@code gfn} one level {@code level} (linux Documentation/virt/kvm/x86/mmu.rst,
 * "Shadow pages"; struct kvm_mmu_page). Sptes of level 1 map data frames ({@code gfn << 12 | P | RW | US});
 * higher-level sptes link child shadow pages ({@code id << 12 | P | RW | US}).
 * A direct shadow page (role.direct) shadows no guest table: it maps the 512 frames of a guest 2 MiB page from
 * {@code gfn} on with 4 KiB sptes, writable only if its role allows writes ({@code directWritable}).
 * Invariants: unsync implies level 1 and not direct; unsyncChildren equals the number of set bits of unsyncChildBitmap.
 */
final class ShadowPage {
    final int id;
    final long gfn;
    final int level;
    final boolean direct;
    final boolean directWritable;
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
        this(id, gfn, level, false, false);
    }

    ShadowPage(int id, long gfn, int level, boolean direct, boolean directWritable) {
        this.id = id;
        this.gfn = gfn;
        this.level = level;
        this.direct = direct;
        this.directWritable = directWritable;
    }

    /** The hash key of the indirect shadow page of guest table {@code gfn} at {@code level}. */
    static long key(long gfn, int level) {
        return gfn << 5 | level;
    }

    /** The hash key of a direct level-1 shadow page over the 2 MiB page from {@code gfn}, by its role's write access. */
    static long directKey(long gfn, boolean writable) {
        return gfn << 5 | 1L << 4 | (writable ? 1L << 3 : 0) | 1;
    }

    long key() {
        return direct ? directKey(gfn, directWritable) : key(gfn, level);
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
        if (unsync && (level != 1 || direct)) throw new IllegalStateException("unsync shadow page at level " + level);
        int bits = 0;
        for (long w : unsyncChildBitmap) bits += Long.bitCount(w);
        if (bits != unsyncChildren) throw new IllegalStateException("unsync_children " + unsyncChildren + " != " + bits);
    }
}
