package org.memvirt.sim;

/**
 * The anonymous LRU of the host as a second-chance clock over one growable ring of host-wide page handles
 * ({@link GuestPages#base} + RAM page): a page is queued when it becomes resident; reclaim takes the oldest entry,
 * gives a referenced page a second pass (Linux's activation on a set young bit) and swaps out the rest.
 * Entries for pages that left the RESIDENT state stay in the ring and are dropped when reached (the page's IN_LRU
 * flag says whether an entry exists, so a page is never queued twice).
 *
 * <p>The ring holds runs of consecutive handles: a handle alone is one int ({@code >= 0}); a run of {@code n >= 2}
 * handles from {@code h} is two ints, {@code h} and {@code -n}. A guest touching its memory in order queues its pages
 * as one run, so the ring costs a few bytes per run, not 4 bytes per page; it never costs more than one int a page.
 */
final class ReclaimList {
    private int[] ring;
    private int head;   // the ring index of the oldest run
    private int ints;   // ints in use from head
    private int size;   // handles queued

    ReclaimList(int initialCapacity) {
        ring = new int[Integer.highestOneBit(Math.max(1024, initialCapacity - 1)) << 1];
    }

    int size() {
        return size;
    }

    void addTail(int handle) {
        if (ints > 0) {
            int last = ring[(head + ints - 1) & (ring.length - 1)];
            if (last < 0) {                                          // a run: its start sits one int before
                int start = ring[(head + ints - 2) & (ring.length - 1)];
                if (handle == start - last) {                        // start + n: the next handle of the run
                    ring[(head + ints - 1) & (ring.length - 1)] = last - 1;
                    size++;
                    return;
                }
            } else if (handle == last + 1) {                         // a single handle becomes a run of two
                if (ints == ring.length) grow();
                ring[(head + ints) & (ring.length - 1)] = -2;
                ints++;
                size++;
                return;
            }
        }
        if (ints == ring.length) grow();
        ring[(head + ints) & (ring.length - 1)] = handle;
        ints++;
        size++;
    }

    /** Removes and returns the oldest handle; the caller checks {@link #size()} first. */
    int pollHead() {
        int h = ring[head];
        size--;
        int second = (head + 1) & (ring.length - 1);
        if (ints > 1 && ring[second] < 0) {                          // a run: its next handle stays at the head
            int n = -ring[second] - 1;
            if (n >= 2) {
                ring[head] = h + 1;
                ring[second] = -n;
            } else {                                                 // one handle left: it becomes a single
                ring[second] = h + 1;
                head = second;
                ints--;
            }
            return h;
        }
        head = second;
        ints--;
        return h;
    }

    private void grow() {
        int[] bigger = new int[ring.length << 1];
        for (int i = 0; i < ints; i++) bigger[i] = ring[(head + i) & (ring.length - 1)];
        ring = bigger;
        head = 0;
    }

    long bytes() {
        return 4L * ring.length;
    }
}
