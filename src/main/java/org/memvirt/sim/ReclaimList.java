package org.memvirt.sim;

/**
 * The anonymous LRU of the host as a second-chance clock over one growable ring of host-wide page handles
 * ({@link GuestPages#base} + RAM page): a page is queued when it becomes resident; reclaim takes the oldest entry,
 * gives a referenced page a second pass (Linux's activation on a set young bit) and swaps out the rest.
 * Entries for pages that left the RESIDENT state stay in the ring and are dropped when reached (the page's IN_LRU
 * flag says whether an entry exists, so a page is never queued twice).
 */
final class ReclaimList {
    private int[] ring;
    private int head;   // oldest
    private int size;

    ReclaimList(int initialCapacity) {
        ring = new int[Integer.highestOneBit(Math.max(1024, initialCapacity - 1)) << 1];
    }

    int size() {
        return size;
    }

    void addTail(int handle) {
        if (size == ring.length) grow();
        ring[(head + size) & (ring.length - 1)] = handle;
        size++;
    }

    /** Removes and returns the oldest handle; the caller checks {@link #size()} first. */
    int pollHead() {
        int h = ring[head];
        head = (head + 1) & (ring.length - 1);
        size--;
        return h;
    }

    private void grow() {
        int[] bigger = new int[ring.length << 1];
        for (int i = 0; i < size; i++) bigger[i] = ring[(head + i) & (ring.length - 1)];
        ring = bigger;
        head = 0;
    }

    long bytes() {
        return 4L * ring.length;
    }
}
