package org.memvirt.x86;

/**
 * Builds radix page tables in a {@link PhysMemory}: maps an address to a physical address with a 4-KByte, 2-MByte
 * or 1-GByte page, allocating intermediate tables from a {@link FrameAllocator}. One builder writes one table tree
 * in either the ordinary x86-64 format (guest, native, shadow and NPT tables) or the EPT format.
 */
public final class PageTableBuilder {
    /** The entry format of the tree. */
    public enum Format { X86, EPT }

    /** Default non-leaf flags: the most permissive, so that leaves alone decide rights. */
    public static final long X86_TABLE_FLAGS = Pte.P | Pte.RW | Pte.US;
    public static final long EPT_TABLE_FLAGS = EptEntry.RWX | EptEntry.XU;
    /** Typical leaf flags: a user-writable page, and a read/write/execute write-back EPT page. */
    public static final long X86_USER_RW = Pte.P | Pte.RW | Pte.US;
    public static final long EPT_RWX_WB = EptEntry.RWX | EptEntry.XU | ((long) EptEntry.MT_WB << EptEntry.MT_SHIFT);

    private final PhysMemory mem;
    private final FrameAllocator frames;
    private final Format format;
    private final int levels;
    private final long root;
    private long tableFlags;
    private long tablePages = 1;

    public PageTableBuilder(PhysMemory mem, FrameAllocator frames, Format format, int levels) {
        if (levels != 4 && levels != 5) throw new X86Exception("paging levels must be 4 or 5, not " + levels);
        this.mem = mem;
        this.frames = frames;
        this.format = format;
        this.levels = levels;
        this.root = frames.allocFrame();
        this.tableFlags = format == Format.EPT ? EPT_TABLE_FLAGS : X86_TABLE_FLAGS;
    }

    /** The physical address of the top-level table (for CR3, nCR3 or the EPTP). */
    public long root() { return root; }

    public int levels() { return levels; }

    public Format format() { return format; }

    /** Number of table pages this builder has allocated, the root included. */
    public long tablePages() { return tablePages; }

    /** Flags written into newly created non-leaf entries. */
    public PageTableBuilder tableFlags(long flags) {
        this.tableFlags = flags;
        return this;
    }

    /**
     * Maps the page of {@code 1 << pageShift} bytes at {@code va} to {@code pa}, both aligned, with {@code leafFlags}
     * (PS is added for large pages). Replaces an existing leaf; refuses to replace a table by a leaf or vice versa.
     */
    public void map(long va, long pa, int pageShift, long leafFlags) {
        long size = 1L << pageShift;
        if ((va & (size - 1)) != 0 || (pa & (size - 1)) != 0) {
            throw new X86Exception("0x" + Long.toHexString(va) + " -> 0x" + Long.toHexString(pa)
                    + " is not aligned to " + Paging.pageSizeName(pageShift));
        }
        int leafLevel = (pageShift - Paging.PAGE_SHIFT) / 9 + 1;
        long table = tableFor(va, leafLevel);
        long entryPa = table + 8L * Paging.index(va, leafLevel);
        long existing = mem.readLong(entryPa);
        if (present(existing) && !leaf(existing, leafLevel)) {
            throw new X86Exception("0x" + Long.toHexString(va) + " is already mapped with smaller pages");
        }
        mem.writeLong(entryPa, leafEntry(pa, leafLevel, leafFlags));
    }

    /** Maps {@code bytes} from {@code va} to {@code pa} with pages of {@code 1 << pageShift}. */
    public void mapRange(long va, long pa, long bytes, int pageShift, long leafFlags) {
        for (long off = 0; off < bytes; off += 1L << pageShift) map(va + off, pa + off, pageShift, leafFlags);
    }

    /** The physical address of the entry at {@code level} that translates {@code va}, or -1 if its table is absent. */
    public long entryAddress(long va, int level) {
        long table = root;
        for (int l = levels; l > level; l--) {
            long e = mem.readLong(table + 8L * Paging.index(va, l));
            if (!present(e) || leaf(e, l)) return -1;
            table = e & Pte.ADDR;
        }
        return table + 8L * Paging.index(va, level);
    }

    /**
     * The physical address of the present leaf entry (PTE, or a 2-MByte / 1-GByte PDE / PDPTE) translating
     * {@code va}, or -1 if {@code va} is unmapped.
     */
    public long leafEntryAddress(long va) {
        long found = findLeaf(va);
        return found < 0 ? -1 : found >>> 3 << 3;
    }

    /** Clears the leaf entry translating {@code va} (the tables stay); returns the old entry, or 0 if unmapped. */
    public long unmap(long va) {
        long at = leafEntryAddress(va);
        if (at < 0) return 0;
        long old = mem.readLong(at);
        mem.writeLong(at, 0);
        return old;
    }

    /**
     * Replaces the flags of the leaf translating {@code va} by {@code leafFlags}, keeping its address (and PS in a
     * 2-MByte or 1-GByte leaf); returns the old entry.
     */
    public long protect(long va, long leafFlags) {
        long found = findLeaf(va);
        if (found < 0) throw new X86Exception("0x" + Long.toHexString(va) + " is not mapped");
        long at = found >>> 3 << 3;
        int level = (int) (found & 7);
        long old = mem.readLong(at);
        mem.writeLong(at, (old & Pte.ADDR) | (level > 1 ? Pte.PS : 0) | leafFlags);   // PS is bit 7 in both formats
        return old;
    }

    /** Entry address | level (entries are 8-byte aligned, so the level fits in the low 3 bits), or -1. */
    private long findLeaf(long va) {
        long table = root;
        for (int l = levels; l >= 1; l--) {
            long entryPa = table + 8L * Paging.index(va, l);
            long e = mem.readLong(entryPa);
            if (!present(e)) return -1;
            if (leaf(e, l)) return entryPa | l;
            table = e & Pte.ADDR;
        }
        return -1;
    }

    private long tableFor(long va, int leafLevel) {
        long table = root;
        for (int l = levels; l > leafLevel; l--) {
            long entryPa = table + 8L * Paging.index(va, l);
            long e = mem.readLong(entryPa);
            if (!present(e)) {
                long next = frames.allocFrame();
                tablePages++;
                mem.writeLong(entryPa, (next & Pte.ADDR) | tableFlags);
                table = next;
            } else if (leaf(e, l)) {
                throw new X86Exception("0x" + Long.toHexString(va) + " is already mapped by a larger page");
            } else {
                table = e & Pte.ADDR;
            }
        }
        return table;
    }

    private long leafEntry(long pa, int level, long flags) {
        long ps = level > 1 ? (format == Format.EPT ? EptEntry.PS : Pte.PS) : 0;
        return (pa & Pte.ADDR) | flags | ps;
    }

    private boolean present(long e) {
        return format == Format.EPT ? EptEntry.present(e) : Pte.present(e);
    }

    private boolean leaf(long e, int level) {
        return format == Format.EPT ? EptEntry.leaf(e, level) : Pte.leaf(e, level);
    }
}
