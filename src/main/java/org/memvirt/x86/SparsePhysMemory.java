package org.memvirt.x86;

import java.util.Arrays;

/**
 * Sparse physical memory backed by 4-KByte {@code long[512]} pages allocated on first write; unwritten memory reads
 * as zero. Pages hang off per-2-MByte directories found by open addressing over a {@code long[]}, so a read is one
 * probe (usually cache-resident), one directory load and the page load.
 */
public final class SparsePhysMemory implements PhysMemory {
    private static final long EMPTY = -1L;                         // no 2-MByte chunk number is -1
    private static final int CHUNK_SHIFT = 21;
    private long[] keys = new long[64];
    private long[][][] dirs = new long[64][][];
    private int chunks;
    private long pages;
    private long lastKey = EMPTY;
    private long[][] lastDir;

    public SparsePhysMemory() {
        Arrays.fill(keys, EMPTY);
    }

    @Override
    public long readLong(long pa) {
        final long[][] dir = dir(pa >>> CHUNK_SHIFT);
        if (dir == null) return 0;
        final long[] page = dir[(int) (pa >>> Paging.PAGE_SHIFT) & 511];
        return page == null ? 0 : page[(int) (pa >>> 3) & 511];
    }

    @Override
    public void writeLong(long pa, long value) {
        page(pa)[(int) (pa >>> 3) & 511] = value;
    }

    /** The backing page of {@code pa}, allocated (zeroed) if absent. */
    public long[] page(long pa) {
        final long key = pa >>> CHUNK_SHIFT;
        long[][] dir = dir(key);
        if (dir == null) dir = addDir(key);
        final int i = (int) (pa >>> Paging.PAGE_SHIFT) & 511;
        long[] page = dir[i];
        if (page == null) {
            page = dir[i] = new long[512];
            pages++;
        }
        return page;
    }

    /** Number of 4-KByte pages allocated. */
    public long pages() {
        return pages;
    }

    private long[][] dir(final long key) {
        if (key == lastKey) return lastDir;
        final long[] k = keys;
        final int mask = k.length - 1;
        for (int i = mix(key) & mask; ; i = (i + 1) & mask) {
            final long found = k[i];
            if (found == key) {
                lastKey = key;
                return lastDir = dirs[i];
            }
            if (found == EMPTY) return null;
        }
    }

    private long[][] addDir(long key) {
        if (2 * (chunks + 1) > keys.length) grow();
        long[][] dir = new long[512][];
        insert(keys, dirs, key, dir);
        chunks++;
        return dir;
    }

    private static void insert(long[] k, long[][][] d, long key, long[][] dir) {
        final int mask = k.length - 1;
        int i = mix(key) & mask;
        while (k[i] != EMPTY) i = (i + 1) & mask;
        k[i] = key;
        d[i] = dir;
    }

    private void grow() {
        long[] k = new long[keys.length * 2];
        long[][][] d = new long[k.length][][];
        Arrays.fill(k, EMPTY);
        for (int i = 0; i < keys.length; i++) {
            if (keys[i] != EMPTY) insert(k, d, keys[i], dirs[i]);
        }
        keys = k;
        dirs = d;
        lastKey = EMPTY;
        lastDir = null;
    }

    private static int mix(long key) {
        long h = key * 0x9E37_79B9_7F4A_7C15L;
        return (int) (h ^ (h >>> 32));
    }
}
