package org.memvirt.sim;

/**
 * A 64-bit content id per page (0 where nothing was written), stored by extents: a chunk of 512 pages whose pages were
 * all written by one {@link ContentFormulas formula} with arguments in step ({@code arg = page + delta}) costs one bit
 * a page; pages of an extent chunk written any other way are its exceptions, kept sorted by page with their formula
 * id and argument, or their plain value (12 bytes each); a chunk with more than {@link #MAX_EXCEPTIONS} of them keeps
 * the formula id and argument (or value) of every page (10 bytes a page). Either way a page keeps the formula it was
 * written by, so ksmd finds identical contents however they are stored. Writing the value a page already holds
 * changes nothing.
 *
 * <p>A page with an exception has its extent bit clear; a page with neither holds zero.
 */
final class PageContents {
    static final int SHIFT = 9;
    static final int SIZE = 1 << SHIFT;
    static final int MASK = SIZE - 1;
    static final int MAX_EXCEPTIONS = 384;   // 384 x 12 B < 512 x 10 B: beyond it a coded chunk is smaller
    private static final int CODED = -1;

    private final ContentFormulas formulas;
    private final int[] family;          // per chunk: 0 no extent, > 0 the extent's formula, CODED
    private final long[] delta;          // per chunk: an extent page's argument is page + delta
    private final long[] bits;           // 8 words per chunk: the page holds its extent's formula value
    private final Exceptions[] except;   // per extent chunk: the pages written otherwise, or null
    private final long[][] slot;         // CODED chunks: per page the argument (code > 0) or the value (code 0)
    private final char[][] code;         // CODED chunks: per page the formula id, or 0 for a plain value
    private int codedChunks;
    private long exceptionBytes;

    PageContents(ContentFormulas formulas, long pages) {
        if (pages < 0 || pages > Integer.MAX_VALUE) throw new IllegalArgumentException("pages out of range: " + pages);
        this.formulas = formulas;
        int chunks = (int) ((pages + MASK) >>> SHIFT);
        family = new int[chunks];
        delta = new long[chunks];
        bits = new long[chunks * (SIZE / 64)];
        except = new Exceptions[chunks];
        slot = new long[chunks][];
        code = new char[chunks][];
    }

    /** The content id of {@code page}. */
    long value(long page) {
        int c = (int) (page >>> SHIFT);
        int f = family[c];
        if (f >= 0) {
            if (f > 0 && bit(page)) return formulas.value(f, page + delta[c]);
            Exceptions x = except[c];
            int k = x == null ? -1 : x.find((int) page & MASK);
            if (k < 0) return 0;
            return x.code[k] == 0 ? x.slot[k] : formulas.value(x.code[k], x.slot[k]);
        }
        int i = (int) page & MASK;
        int k = code[c][i];
        return k == 0 ? slot[c][i] : formulas.value(k, slot[c][i]);
    }

    /** The formula {@code page}'s content was written by, or 0 for a plain value (or zero). */
    int formula(long page) {
        int c = (int) (page >>> SHIFT);
        int f = family[c];
        if (f >= 0) {
            if (f > 0 && bit(page)) return f;
            Exceptions x = except[c];
            int k = x == null ? -1 : x.find((int) page & MASK);
            return k < 0 ? 0 : x.code[k];
        }
        return code[c][(int) page & MASK];
    }

    /** The argument of {@code page}'s formula; only meaningful where {@link #formula} is not 0. */
    long argument(long page) {
        int c = (int) (page >>> SHIFT);
        int f = family[c];
        if (f >= 0) {
            if (f > 0 && bit(page)) return page + delta[c];
            Exceptions x = except[c];
            int k = x == null ? -1 : x.find((int) page & MASK);
            return k < 0 ? 0 : x.slot[k];
        }
        return slot[c][(int) page & MASK];
    }

    /** {@code page} now holds the plain value {@code v}. */
    void setValue(long page, long v) {
        int c = (int) (page >>> SHIFT);
        int f = family[c];
        int i = (int) page & MASK;
        if (f == CODED) {
            if (code[c][i] != 0 && formulas.value(code[c][i], slot[c][i]) == v) return;
            code[c][i] = 0;
            slot[c][i] = v;
            return;
        }
        if (f > 0 && bit(page)) {
            if (v != 0 && formulas.value(f, page + delta[c]) == v) return;     // the value it holds: nothing changes
            clearBit(page, c);
            if (v != 0) except(c, i, 0, v);
            return;
        }
        Exceptions x = except[c];
        int k = x == null ? -1 : x.find(i);
        if (v == 0) {
            if (k >= 0) removeException(c, k);
            return;
        }
        if (k >= 0 && x.code[k] != 0 && formulas.value(x.code[k], x.slot[k]) == v) return;
        except(c, i, 0, v);
    }

    /** {@code page} now holds {@code value(f, arg)}. */
    void setFormula(long page, int f, long arg) {
        if (f > Character.MAX_VALUE) throw new SimException("too many content formulas on one host: " + f);
        int c = (int) (page >>> SHIFT);
        int cf = family[c];
        int i = (int) page & MASK;
        if (cf == CODED) {
            code[c][i] = (char) f;
            slot[c][i] = arg;
            return;
        }
        if (cf > 0 && !(cf == f && delta[c] == arg - page) && bit(page)) clearBit(page, c);   // may end the extent
        cf = family[c];
        if (cf == 0) {                                     // no extent: this page starts one
            family[c] = f;
            delta[c] = arg - page;
            cf = f;
        }
        if (cf == f && delta[c] == arg - page) {
            Exceptions x = except[c];
            int k = x == null ? -1 : x.find(i);
            if (k >= 0) removeException(c, k);
            setBit(page);
            return;
        }
        except(c, i, f, arg);
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

    /** Page {@code i} of extent chunk {@code c} (its bit clear) holds (code, slot); too many and the chunk is coded. */
    private void except(int c, int i, int k, long s) {
        Exceptions x = except[c];
        if (x == null) {
            x = except[c] = new Exceptions();
            exceptionBytes += x.bytes();
        }
        int at = x.find(i);
        if (at >= 0) {
            x.code[at] = (char) k;
            x.slot[at] = s;
            return;
        }
        if (x.n == MAX_EXCEPTIONS) {
            toCoded(c);
            code[c][i] = (char) k;
            slot[c][i] = s;
            return;
        }
        long before = x.bytes();
        x.insert(-at - 1, i, k, s);
        exceptionBytes += x.bytes() - before;
    }

    private void removeException(int c, int k) {
        Exceptions x = except[c];
        x.remove(k);
        if (x.n == 0) {
            exceptionBytes -= x.bytes();
            except[c] = null;
        }
    }

    /** Turns extent chunk {@code c} and its exceptions into per-page codes. */
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
        Exceptions x = except[c];
        if (x != null) {
            for (int j = 0; j < x.n; j++) {
                k[x.index[j]] = x.code[j];
                s[x.index[j]] = x.slot[j];
            }
            exceptionBytes -= x.bytes();
            except[c] = null;
        }
        slot[c] = s;
        code[c] = k;
        family[c] = CODED;
        codedChunks++;
    }

    /** Bytes this store holds: the per-chunk extent fields, the exceptions and the coded chunks. */
    long bytes() {
        return family.length * (4L + 8 + SIZE / 8 + 4 + 8 + 8) + exceptionBytes + codedChunks * (long) SIZE * (8 + 2);
    }

    /** The exceptions of one extent chunk, sorted by page within the chunk. */
    private static final class Exceptions {
        char[] index = new char[4];
        char[] code = new char[4];
        long[] slot = new long[4];
        int n;

        /** The position of page {@code i}, or {@code -(insertion point) - 1}. */
        int find(int i) {
            int lo = 0;
            int hi = n - 1;
            while (lo <= hi) {
                int mid = (lo + hi) >>> 1;
                int p = index[mid];
                if (p < i) lo = mid + 1; else if (p > i) hi = mid - 1; else return mid;
            }
            return -lo - 1;
        }

        void insert(int at, int i, int k, long s) {
            if (n == index.length) {
                int cap = Math.min(n * 2, MAX_EXCEPTIONS);
                index = java.util.Arrays.copyOf(index, cap);
                code = java.util.Arrays.copyOf(code, cap);
                slot = java.util.Arrays.copyOf(slot, cap);
            }
            System.arraycopy(index, at, index, at + 1, n - at);
            System.arraycopy(code, at, code, at + 1, n - at);
            System.arraycopy(slot, at, slot, at + 1, n - at);
            index[at] = (char) i;
            code[at] = (char) k;
            slot[at] = s;
            n++;
        }

        void remove(int k) {
            System.arraycopy(index, k + 1, index, k, n - k - 1);
            System.arraycopy(code, k + 1, code, k, n - k - 1);
            System.arraycopy(slot, k + 1, slot, k, n - k - 1);
            n--;
        }

        /** Heap bytes: the object and its three arrays (16 B headers, 8 B alignment ignored). */
        long bytes() {
            return 16 + 3 * 16 + index.length * (2L + 2 + 8);
        }
    }
}
