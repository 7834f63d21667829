package org.memvirt.sim;

import java.util.ArrayList;
import java.util.List;

/**
 * What the workload last wrote at each (process, region page): the expectation {@code verify} checks against guest
 * memory, found through the guest's own page tables (docs/guest-model.md, "verify"). Kept by virtual page, never by
 * frame, so a write that a wrong translation sent to another frame is a mismatch, not a new expectation.
 */
final class GuestWrites {
    private final long regionPages;
    private final List<PageLongs> content = new ArrayList<>();   // by pid: the content id last written
    private final List<PageLongs> written = new ArrayList<>();   // by pid: a bit per page where a write happened
                                                                 // (content may be 0), 64 pages a long

    GuestWrites(long regionPages) {
        this.regionPages = regionPages;
    }

    /** Process {@code pid} wrote {@code contentId} to region page {@code page}. */
    void record(int pid, long page, long contentId) {
        while (content.size() <= pid) {
            content.add(new PageLongs(regionPages));
            written.add(new PageLongs((regionPages + 63) >>> 6));
        }
        content.get(pid).set(page, contentId);
        PageLongs w = written.get(pid);
        w.set(page >>> 6, w.get(page >>> 6) | 1L << (page & 63));
    }

    /** Process {@code pid} gave region page {@code page} back ({@code free}): verify no longer expects its content. */
    void forget(int pid, long page) {
        if (pid >= content.size()) return;
        content.get(pid).set(page, 0);
        PageLongs w = written.get(pid);
        w.set(page >>> 6, w.get(page >>> 6) & ~(1L << (page & 63)));
    }

    /** Calls {@code visitor} for every written page, by pid and then page order. */
    void forEach(Visitor visitor) {
        for (int pid = 0; pid < written.size(); pid++) {
            final int p = pid;
            final PageLongs c = content.get(pid);
            written.get(pid).forEachNonZero((word, bits) -> {
                for (long b = bits; b != 0; b &= b - 1) {
                    long page = word << 6 | Long.numberOfTrailingZeros(b);
                    visitor.visit(p, page, c.get(page));
                }
            });
        }
    }

    interface Visitor {
        void visit(int pid, long page, long contentId);
    }
}
