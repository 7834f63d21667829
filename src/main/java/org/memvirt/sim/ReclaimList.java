package org.memvirt.sim;

/**
 * The anonymous LRU of the host as a second-chance clock over one growable ring of page handles
 * ({@code vm << 40 | gfn}): a page is queued when it becomes resident; reclaim takes the oldest entry, gives a
 * referenced page a second pass (Linux's activation on a set young bit) and swaps out the rest.
 * Entries for pages that left the RESIDENT state stay in the ring and are dropped when reached (the page's IN_LRU
 * flag says whether an entry exists, so a page is never queued twice).
 */
final class ReclaimList {
    static final int GFN_BITS = 40;
    static final long GFN_MASK = (1L << GFN_BITS) - 1;

    private long[] ring;
    private int head;   // oldest
    private int size;

    ReclaimList(int initialCapacity) {
        ring = new long[Integer.highestOneBit(Math.max(1024, initialCapacity - 1)) << 1];
    }

    static long handle(int vm, long gfn) {
        return ((long) vm << GFN_BITS) | gfn;
    }

    static int vmOf(long handle) {
        return (int) (handle >>> GFN_BITS);
    }

    static int gfnOf(long handle) {
        return (int) (handle & GFN_MASK);
    }

    int size() {
        return size;
    }

    void addTail(long handle) {
        if (size == ring.length) grow();
        ring[(head + size) & (ring.length - 1)] = handle;
        size++;
    }

    /** Removes and returns the oldest handle; the caller checks {@link #size()} first. */
    long pollHead() {
        long h = ring[head];
        head = (head + 1) & (ring.length - 1);
        size--;
        return h;
    }

    private void grow() {
        long[] bigger = new long[ring.length << 1];
        for (int i = 0; i < size; i++) bigger[i] = ring[(head + i) & (ring.length - 1)];
        ring = bigger;
        head = 0;
    }

    long bytes() {
        return 8L * ring.length;
    }
}
