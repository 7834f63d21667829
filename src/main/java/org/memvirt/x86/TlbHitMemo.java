package org.memvirt.x86;

/**
 * A direct-mapped software memo of recent first-level TLB hits, valid while the hit structure's epoch is unchanged.
 * It is not a hardware structure: a memo hit returns exactly what the first-level lookup would return and repeats its
 * side effects (hit count, LRU age), so every count and replacement decision stays as without it. Any insert, eviction
 * or invalidation of that structure changes its epoch and so retires every memo entry recorded from it at once.
 */
final class TlbHitMemo {
    static final int ENTRIES = 256;                                // covers a 96-entry L1 with few conflicts
    private static final int STRIDE = 8;                           // one 64-byte cache line per entry
    private static final long EMPTY = -1;                          // no (vpn << 1 | side) key is all ones
    private final long[] lines = new long[ENTRIES * STRIDE];       // key, ctx, ept, epoch, value, slot

    TlbHitMemo() {
        for (int i = 0; i < ENTRIES; i++) lines[i * STRIDE] = EMPTY;
    }

    static long key(long la, boolean fetch) { return ((la >>> 12) << 1) | (fetch ? 1 : 0); }

    static long ctx(int vpid, int pcid) { return ((long) vpid << 32) | (pcid & 0xFFFF_FFFFL); }

    /** The line for a key: by the page number's low bits, instruction fetches on the other half. */
    static int line(long key) { return (((int) (key >>> 1) ^ ((int) key << 7)) & (ENTRIES - 1)) * STRIDE; }

    /** The memo line for the key if it was recorded at {@code epoch} under the same tags, else -1. */
    int find(final long key, final long ctx, final long ept, final long epoch) {
        final long[] l = lines;
        final int i = line(key);
        return l[i] == key && l[i + 1] == ctx && l[i + 2] == ept && l[i + 3] == epoch ? i : -1;
    }

    long value(int line) { return lines[line + 4]; }

    int slot(int line) { return (int) lines[line + 5]; }

    /** Records that the lookup of the key hit {@code slot} of a structure at {@code epoch}, answering {@code value}. */
    void record(long key, long ctx, long ept, long epoch, long value, int slot) {
        final long[] l = lines;
        final int i = line(key);
        l[i] = key;
        l[i + 1] = ctx;
        l[i + 2] = ept;
        l[i + 3] = epoch;
        l[i + 4] = value;
        l[i + 5] = slot;
    }
}
