package org.memvirt.sim;

import java.util.Arrays;

/**
 * ksmd's unstable tree for one full scan (linux mm/ksm.c unstable_tree_search_insert): for each content, the page
 * whose rmap_item was inserted with it last, as a host-wide page handle. Contents of an
 * {@link ContentFormulas#injective injective} formula are indexed by (formula, argument) in chunks of 512 arguments,
 * so a scan over pages written in step walks the index in step too; other contents (plain values, the
 * {@code same} formula) by their 64-bit value in a {@link LongMap}. Both keep the key an entry was inserted with,
 * so an entry whose page changed since is found under its old content, as before.
 *
 * <p>A chunk of arguments whose entries all name the page {@code argument + delta} (pages written in step and scanned
 * in step, the common case) is an extent: one bit an argument. A chunk that meets any other entry keeps a handle per
 * argument until the next full scan.
 */
final class UnstableTree {
    private static final int SHIFT = PageContents.SHIFT, MASK = PageContents.MASK, WORDS = PageContents.SIZE / 64;
    static final int MISSING = -1;

    private final ContentFormulas formulas;
    private final LongMap byValue = new LongMap(4096);
    private long[][][] present = new long[8][][];       // [formula][argument chunk]: extent entries, a bit each
    private int[][] delta = new int[8][];               // [formula][argument chunk]: an extent entry's handle - argument
    private int[][][] explicit = new int[8][][];        // [formula][argument chunk]: handle + 1 (0: none), or null
    private boolean[][] dirty = new boolean[8][];
    private long bitmaps;
    private long explicitChunks;

    UnstableTree(ContentFormulas formulas) {
        this.formulas = formulas;
    }

    /**
     * The page inserted with this content, or {@link #MISSING} after inserting {@code handle} with it (one probe).
     *
     * @param f the formula the content was written by (0: a plain value)
     * @param arg its argument
     * @param value the content id
     */
    int putIfAbsent(int f, long arg, long value, int handle) {
        if (f == 0 || !formulas.injective(f)) {
            long other = byValue.putIfAbsent(value, handle);
            return other == LongMap.MISSING ? MISSING : (int) other;
        }
        int ci = chunk(f, arg);
        int i = (int) arg & MASK;
        int[] e = explicit[f][ci];
        if (e != null) {
            int other = e[i] - 1;
            if (other == MISSING) e[i] = handle + 1;
            return other;
        }
        long[] bits = present[f][ci];
        if ((bits[i >>> 6] & (1L << i)) != 0) return (int) arg + delta[f][ci];
        insert(f, ci, bits, (int) arg, handle);
        return MISSING;
    }

    /** Makes {@code handle} the page inserted with this content (the entry there was stale). */
    void put(int f, long arg, long value, int handle) {
        if (f == 0 || !formulas.injective(f)) {
            byValue.put(value, handle);
            return;
        }
        int ci = chunk(f, arg);
        int[] e = explicit[f][ci];
        if (e != null) {
            e[(int) arg & MASK] = handle + 1;
            return;
        }
        long[] bits = present[f][ci];
        int i = (int) arg & MASK;
        bits[i >>> 6] &= ~(1L << i);
        insert(f, ci, bits, (int) arg, handle);
    }

    /** Enters {@code handle} for argument {@code arg}, which has no entry, into an extent chunk. */
    private void insert(int f, int ci, long[] bits, int arg, int handle) {
        int i = arg & MASK;
        boolean empty = true;
        for (long w : bits) {
            if (w != 0) {
                empty = false;
                break;
            }
        }
        if (empty) delta[f][ci] = handle - arg;
        if (delta[f][ci] == handle - arg) {
            bits[i >>> 6] |= 1L << i;
            return;
        }
        int[] e = explicit[f][ci] = new int[PageContents.SIZE];       // another step: a handle per argument
        explicitChunks++;
        int first = arg & ~MASK;
        for (int j = 0; j < PageContents.SIZE; j++) {
            if ((bits[j >>> 6] & (1L << j)) != 0) e[j] = first + j + delta[f][ci] + 1;
        }
        java.util.Arrays.fill(bits, 0);
        e[i] = handle + 1;
    }

    /** root_unstable_tree = RB_ROOT: the start of a full scan. */
    void clear() {
        byValue.clear();
        for (int f = 0; f < present.length; f++) {
            if (present[f] == null) continue;
            for (int c = 0; c < present[f].length; c++) {
                if (!dirty[f][c]) continue;
                Arrays.fill(present[f][c], 0);
                if (explicit[f][c] != null) {
                    explicit[f][c] = null;
                    explicitChunks--;
                }
                dirty[f][c] = false;
            }
        }
    }

    /** The index of {@code arg}'s chunk of formula {@code f}, made ready for an entry. */
    private int chunk(int f, long arg) {
        if (arg < 0 || arg > Integer.MAX_VALUE) throw new IllegalStateException("formula argument out of range: " + arg);
        if (f >= present.length) {
            int n = Math.max(f + 1, present.length * 2);
            present = Arrays.copyOf(present, n);
            delta = Arrays.copyOf(delta, n);
            explicit = Arrays.copyOf(explicit, n);
            dirty = Arrays.copyOf(dirty, n);
        }
        long[][] chunksOfF = present[f];
        int ci = (int) (arg >>> SHIFT);
        if (chunksOfF == null || ci >= chunksOfF.length) {
            int n = Math.max(ci + 1, chunksOfF == null ? 16 : chunksOfF.length * 2);
            chunksOfF = present[f] = chunksOfF == null ? new long[n][] : Arrays.copyOf(chunksOfF, n);
            delta[f] = delta[f] == null ? new int[n] : Arrays.copyOf(delta[f], n);
            explicit[f] = explicit[f] == null ? new int[n][] : Arrays.copyOf(explicit[f], n);
            dirty[f] = dirty[f] == null ? new boolean[n] : Arrays.copyOf(dirty[f], n);
        }
        if (chunksOfF[ci] == null) {
            chunksOfF[ci] = new long[WORDS];
            bitmaps++;
        }
        dirty[f][ci] = true;
        return ci;
    }

    long bytes() {
        long index = 0;
        for (int f = 0; f < present.length; f++) if (present[f] != null) index += present[f].length * (8L + 4 + 8 + 1);
        return byValue.bytes() + bitmaps * 8L * WORDS + explicitChunks * (4L << SHIFT) + index;
    }
}
