package org.memvirt.x86;

/**
 * Paging-structure caches (SDM Vol 3A §4.10.3): a PML5E, PML4E, PDPTE and PDE cache, each keyed by the linear (or,
 * for EPT, guest-physical) address bits above the table it points to, holding the next table's address and the rights
 * combined down to that level. Entries are made only from present entries without reserved bits whose A flag the walk
 * has set, never for leaves; they carry no G flag.
 */
public final class PageWalkCache {
    private final Tlb[] byLevel = new Tlb[6];                      // index 2 = PDE cache ... 5 = PML5E cache
    private long hits, misses;

    /** Each level with {@code entries} entries in {@code ways} ways, LRU. */
    public PageWalkCache(int entries, int ways) {
        for (int level = 2; level <= 5; level++) {
            byLevel[level] = new Tlb(Paging.tableName(level) + "E cache", entries, ways,
                    new int[] {Paging.levelShift(level)}, Tlb.Replacement.LRU);
        }
    }

    /** Three levels of 32 entries, 4-way, as Virtuoso's mmu_base.cfg (Intel does not publish its sizes). */
    public static PageWalkCache defaults() {
        return new PageWalkCache(32, 4);
    }

    /** The cache of entries at {@code level} (2 = PDE ... 5 = PML5E). */
    public Tlb level(int level) {
        return byLevel[level];
    }

    /**
     * The deepest cached entry on the walk of {@code va} in a {@code levels}-level tree, as
     * {@code next table | rights | level << 52 | 1}, or {@link Tlb#MISS}.
     */
    public long lookup(long va, int levels, int vpid, int pcid, long ept) {
        for (int level = 2; level <= levels; level++) {
            long v = byLevel[level].lookup(va, vpid, pcid, ept);
            if (v != Tlb.MISS) {
                hits++;
                return v;
            }
        }
        misses++;
        return Tlb.MISS;
    }

    /** Caches the entry at {@code level} that points to {@code nextTable}, with {@code rights} combined so far. */
    public void insert(long va, int level, int vpid, int pcid, long ept, long nextTable, long rights) {
        int shift = Paging.levelShift(level);
        long v = (nextTable & Pte.ADDR) | (rights & Permissions.RIGHTS) | ((long) level << TlbEntry.SHIFT_POS)
                | ((rights & TlbEntry.NESTED_RWX)) | TlbEntry.VALID;
        byLevel[level].insert(va, shift, vpid, pcid, ept, false, v);
    }

    /** The level a looked-up value came from. */
    public static int levelOf(long v) {
        return TlbEntry.pageShift(v);
    }

    /** Drops matching entries at every level; see {@link Tlb#invalidate}. */
    public int invalidate(long va, int vpid, int pcid, long ept) {
        int n = 0;
        for (int level = 2; level <= 5; level++) n += byLevel[level].invalidate(va, vpid, pcid, ept, true);
        return n;
    }

    public long hits() { return hits; }
    public long misses() { return misses; }
}
