package org.memvirt.sim;

/**
 * A 64-bit content id per page (0 where nothing was written), stored by extents: a chunk of 512 pages whose pages were
 * all written by one {@link ContentFormulas formula} with arguments in step ({@code arg = page + delta}) costs one bit
 * a page; a chunk written any other way keeps, per page, a formula id and its argument, or the plain value (10 bytes
 * a page). Either way a page keeps the formula it was written by, so ksmd finds identical contents however they are
 * stored. Writing the value a page already holds changes nothing.
 */
final class PageContents {
    static final int SHIFT = 9;
    static final int SIZE = 1 << SHIFT;
    static final int MASK = SIZE - 1;
    private static final int CODED = -1;

    private final ContentFormulas formulas;
    private final int[] family;          // per chunk: 0 nothing but zeros, > 0 the extent's formula, CODED
    private final long[] delta;          // per chunk: an extent page's argument is page + delta
    private final long[] bits;           // 8 words per chunk: the page holds its extent's formula value, else zero
    private final long[][] slot;         // CODED chunks: per page the argument (code > 0) or the value (code 0)
    private final char[][] code;         // CODED chunks: per page the formula id, or 0 for a plain value
    private int codedChunks;

    PageContents(ContentFormulas formulas, long pages) {
        if (pages < 0 || pages > Integer.MAX_VALUE) throw new IllegalArgumentException("pages out of range: " + pages);
        this.formulas = formulas;
        int chunks = (int) ((pages + MASK) >>> SHIFT);
        family = new int[chunks];
        delta = new long[chunks];
        bits = new long[chunks * (SIZE / 64)];
        slot = new long[chunks][];
        code = new char[chunks][];
    }

    /** The content id of {@code page}. */
    long value(long page) {
        int c = (int) (page >>> SHIFT);
        int f = family[c];
        if (f > 0) return bit(page) ? formulas.value(f, page + delta[c]) : 0;
        if (f == 0) return 0;
        int i = (int) page & MASK;
        int k = code[c][i];
        return k == 0 ? slot[c][i] : formulas.value(k, slot[c][i]);
    }

    /** The formula {@code page}'s content was written by, or 0 for a plain value (or zero). */
    int formula(long page) {
        int c = (int) (page >>> SHIFT);
        int f = family[c];
        if (f > 0) return bit(page) ? f : 0;
        return f == 0 ? 0 : code[c][(int) page & MASK];
    }

    /** The argument of {@code page}'s formula; only meaningful where {@link #formula} is not 0. */
    long argument(long page) {
        int c = (int) (page >>> SHIFT);
        return family[c] > 0 ? page + delta[c] : slot[c][(int) page & MASK];
    }

    /** {@code page} now holds the plain value {@code v}. */
    void setValue(long page, long v) {
        int c = (int) (page >>> SHIFT);
        int f = family[c];
        if (f == 0) {
            if (v == 0) return;
            toCoded(c);
        } else if (f > 0) {
            boolean held = bit(page);
            if (v == 0) {
                if (held) clearBit(page, c);
                return;
            }
            if (held && formulas.value(f, page + delta[c]) == v) return;     // the value it holds: nothing changes
            toCoded(c);
        }
        int i = (int) page & MASK;
        if (code[c][i] != 0 && formulas.value(code[c][i], slot[c][i]) == v) return;
        code[c][i] = 0;
        slot[c][i] = v;
    }

    /** {@code page} now holds {@code value(f, arg)}. */
    void setFormula(long page, int f, long arg) {
        int c = (int) (page >>> SHIFT);
        int cf = family[c];
        if (cf == 0) {
            family[c] = f;
            delta[c] = arg - page;
            setBit(page);
            return;
        }
        if (cf == f && delta[c] == arg - page) {
            setBit(page);
            return;
        }
        if (cf > 0) toCoded(c);
        if (f > Character.MAX_VALUE) throw new SimException("too many content formulas on one host: " + f);
        int i = (int) page & MASK;
        code[c][i] = (char) f;
        slot[c][i] = arg;
    }

    private boolean bit(long page) {
        return (bits[(int) (page >>> 6)] & (1L << page)) != 0;
    }

    private void setBit(long page) {
        bits[(int) (page >>> 6)] |= 1L << page;
    }

    /** Clears the bit of an extent page; an extent left with no page is free for any formula again. */
    private void clearBit(long page, int c) {
        bits[(int) (page >>> 6)] &= ~(1L << page);
        for (int w = c * (SIZE / 64), end = w + SIZE / 64; w < end; w++) if (bits[w] != 0) return;
        family[c] = 0;
    }

    /** Turns chunk {@code c} (empty or an extent) into per-page codes. */
    private void toCoded(int c) {
        int f = family[c];
        long[] s = new long[SIZE];
        char[] k = new char[SIZE];
        long first = (long) c << SHIFT;
        for (int i = 0; i < SIZE; i++) {
            if (f > 0 && bit(first + i)) {
                k[i] = (char) f;
                s[i] = first + i + delta[c];
            }
        }
        slot[c] = s;
        code[c] = k;
        family[c] = CODED;
        codedChunks++;
    }

    /** Bytes this store holds: the per-chunk extent fields and the coded chunks. */
    long bytes() {
        return family.length * (4L + 8 + SIZE / 8 + 8 + 8) + codedChunks * (long) SIZE * (8 + 2);
    }
}
