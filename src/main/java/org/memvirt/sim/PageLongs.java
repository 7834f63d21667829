package org.memvirt.sim;

/**
 * A long per guest page, stored in chunks of 512 pages allocated on first write, so a large guest that touches
 * little costs little heap. Unwritten pages read 0.
 */
final class PageLongs {
    private static final int SHIFT = 9;
    private static final int MASK = (1 << SHIFT) - 1;
    private final long[][] chunks;

    PageLongs(long pages) {
        chunks = new long[(int) ((pages + MASK) >>> SHIFT)][];
    }

    long get(long page) {
        long[] c = chunks[(int) (page >>> SHIFT)];
        return c == null ? 0 : c[(int) page & MASK];
    }

    void set(long page, long value) {
        long[] c = chunks[(int) (page >>> SHIFT)];
        if (c == null) {
            if (value == 0) return;
            c = chunks[(int) (page >>> SHIFT)] = new long[1 << SHIFT];
        }
        c[(int) page & MASK] = value;
    }

    /** Calls {@code visitor} for every page whose value is not 0, in page order. */
    void forEachNonZero(PageVisitor visitor) {
        for (int ci = 0; ci < chunks.length; ci++) {
            long[] c = chunks[ci];
            if (c == null) continue;
            for (int i = 0; i <= MASK; i++) if (c[i] != 0) visitor.visit(((long) ci << SHIFT) | i, c[i]);
        }
    }

    interface PageVisitor {
        void visit(long page, long value);
    }
}
