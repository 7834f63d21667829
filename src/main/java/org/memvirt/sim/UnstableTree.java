package org.memvirt.sim;

import java.util.Arrays;

/**
 * ksmd's unstable tree for one full scan (linux mm/ksm.c unstable_tree_search_insert): for each content, the page
 * whose rmap_item was inserted with it last, as a host-wide page handle. Contents of an
 * {@link ContentFormulas#injective injective} formula are indexed by (formula, argument) in arrays of 512 arguments,
 * so a scan over pages written in step walks the index in step too; other contents (plain values, the
 * {@code same} formula) by their 64-bit value in a {@link LongMap}. Both keep the key an entry was inserted with,
 * so an entry whose page changed since is found under its old content, as before.
 */
final class UnstableTree {
    private static final int SHIFT = PageContents.SHIFT, MASK = PageContents.MASK;
    static final int MISSING = -1;

    private final ContentFormulas formulas;
    private final LongMap byValue = new LongMap(4096);
    private int[][][] byArgument = new int[8][][];        // [formula][argument chunk][i]: handle + 1, 0 for none
    private boolean[][] dirty = new boolean[8][];
    private long chunks;

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
        int[] c = chunk(f, arg);
        int i = (int) arg & MASK;
        int other = c[i] - 1;
        if (other == MISSING) c[i] = handle + 1;
        return other;
    }

    /** Makes {@code handle} the page inserted with this content (the entry there was stale). */
    void put(int f, long arg, long value, int handle) {
        if (f == 0 || !formulas.injective(f)) {
            byValue.put(value, handle);
        } else {
            chunk(f, arg)[(int) arg & MASK] = handle + 1;
        }
    }

    /** root_unstable_tree = RB_ROOT: the start of a full scan. */
    void clear() {
        byValue.clear();
        for (int f = 0; f < byArgument.length; f++) {
            if (byArgument[f] == null) continue;
            for (int c = 0; c < byArgument[f].length; c++) {
                if (dirty[f][c]) {
                    Arrays.fill(byArgument[f][c], 0);
                    dirty[f][c] = false;
                }
            }
        }
    }

    private int[] chunk(int f, long arg) {
        if (arg < 0 || arg > Integer.MAX_VALUE) throw new IllegalStateException("formula argument out of range: " + arg);
        if (f >= byArgument.length) {
            byArgument = Arrays.copyOf(byArgument, Math.max(f + 1, byArgument.length * 2));
            dirty = Arrays.copyOf(dirty, byArgument.length);
        }
        int[][] chunksOfF = byArgument[f];
        int ci = (int) (arg >>> SHIFT);
        if (chunksOfF == null || ci >= chunksOfF.length) {
            int n = Math.max(ci + 1, chunksOfF == null ? 16 : chunksOfF.length * 2);
            chunksOfF = byArgument[f] = chunksOfF == null ? new int[n][] : Arrays.copyOf(chunksOfF, n);
            dirty[f] = dirty[f] == null ? new boolean[n] : Arrays.copyOf(dirty[f], n);
        }
        int[] c = chunksOfF[ci];
        if (c == null) {
            c = chunksOfF[ci] = new int[1 << SHIFT];
            chunks++;
        }
        dirty[f][ci] = true;
        return c;
    }

    long bytes() {
        return byValue.bytes() + chunks * (4L << SHIFT);
    }
}
