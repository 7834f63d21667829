package org.memvirt.x86;

/**
 * The x86-64 page walker over ordinary 4- or 5-level tables (SDM Vol 3A §4.5): native and shadow tables, guest tables
 * inside {@link Walker2d}, and NPT tables. Canonical check, reserved bits, rights (§4.6), A/D update (§4.8) and the
 * exact #PF error code (§4.7). Reuses per-level arrays; a walk allocates nothing.
 */
public final class Walker implements LinearTranslator {
    private final PhysMemory mem;
    private final NestedDimension nested;
    private final int dim;
    private PageWalkCache pwc;
    private RefLog log;
    private final long[] entryGpas = new long[6], entryPas = new long[6], entries = new long[6];
    private final long[] cumRights = new long[6], nestedRwx = new long[6];

    /** A native (or shadow) walker: table addresses are physical addresses in {@code mem}. */
    public Walker(PhysMemory mem) {
        this(mem, null, RefLog.GUEST);
    }

    Walker(PhysMemory mem, NestedDimension nested, int dim) {
        this.mem = mem;
        this.nested = nested;
        this.dim = dim;
    }

    /** Uses {@code cache} (or none, with null) for the paging-structure caches of this dimension. */
    public Walker pageWalkCache(PageWalkCache cache) {
        this.pwc = cache;
        return this;
    }

    /** Records every reference into {@code refs} (or stops recording, with null). */
    public Walker refLog(RefLog refs) {
        this.log = refs;
        return this;
    }

    @Override
    public PageWalkCache pageWalkCache() { return pwc; }

    @Override
    public long eptTag() { return nested == null ? Tlb.EPT_NONE : nested.tag(); }

    @Override
    public boolean translate(final long la, final int access, final CpuMode mode, final WalkResult out) {
        out.reset(la);
        return walk(la, access, mode, out, true);
    }

    /** Walks without resetting {@code out} (its ref count keeps growing) and, for NPT, without the canonical check. */
    boolean walk(final long la, final int access, final CpuMode mode, final WalkResult out, final boolean linear) {
        final int levels = mode.levels();
        if (linear && !Paging.canonical(la, levels)) {
            out.fault = WalkResult.GP;
            return false;
        }
        final int maxPa = mode.maxPhysAddr;
        final long frameMask = Paging.frameMask(maxPa);
        final boolean nxe = mode.nxe();
        final int vpid = mode.vpid, pcid = mode.pcid();
        final long tag = eptTag();
        long table = mode.rootTable();
        long rights = Pte.RW | Pte.US;
        int level = levels;
        int walkedFrom = levels;
        if (pwc != null) {
            long hit = pwc.lookup(la, levels, vpid, pcid, tag);
            if (hit != Tlb.MISS) {
                int cached = PageWalkCache.levelOf(hit);
                table = hit & frameMask;
                rights = hit & Permissions.RIGHTS;
                level = walkedFrom = cached - 1;
            }
        }
        long entry;
        for (;; level--) {
            final long entryGpa = table + 8L * Paging.index(la, level);
            long entryPa = entryGpa;
            if (nested != null) {
                entryPa = nested.tableGpaToHpa(entryGpa, out);
                if (entryPa < 0) return false;
                nestedRwx[level] = nested.lastRwx();
            }
            entry = mem.readLong(entryPa);
            out.refs++;
            if (log != null) log.add(dim, level, dim == RefLog.NESTED ? la : entryGpa, entryPa, entry);
            entryGpas[level] = entryGpa;
            entryPas[level] = entryPa;
            entries[level] = entry;
            if ((entry & Pte.P) == 0) return pageFault(out, Permissions.errorCode(access, mode));
            if ((entry & Pte.reservedMask(entry, level, maxPa, nxe, mode.gbPages)) != 0) {
                return pageFault(out, Permissions.errorCode(access, mode) | PfErrorCode.P | PfErrorCode.RSVD);
            }
            rights = (rights & (entry | Pte.XD)) | (entry & Pte.XD);
            cumRights[level] = rights;
            if (Pte.leaf(entry, level)) break;
            table = entry & frameMask;
        }
        return finish(la, access, mode, out, level, walkedFrom, entry, rights, frameMask);
    }

    private boolean finish(long la, int access, CpuMode mode, WalkResult out, int leafLevel, int walkedFrom,
                           long leaf, long rights, long frameMask) {
        final int shift = Paging.levelShift(leafLevel);
        final long offsetMask = (1L << shift) - 1;
        final long gpa = (leaf & frameMask & ~offsetMask) | (la & offsetMask);
        final int err = Permissions.check(rights, Pte.protectionKey(leaf), access, mode);
        if (err != 0) return pageFault(out, err);
        long pa = gpa;
        int effShift = shift;
        long rwx = EptEntry.RWX;
        if (nested != null) {
            pa = nested.finalGpaToHpa(gpa, access, out);
            if (pa < 0) return false;
            effShift = Math.min(shift, nested.lastShift());
            rwx = nested.lastRwx();
        }
        if (!setAccessedDirty(leafLevel, walkedFrom, Access.write(access), out)) return false;
        fillPageWalkCache(la, leafLevel, walkedFrom, mode, frameMask);
        out.gpa = gpa;
        out.pa = pa;
        out.pageShift = effShift;
        out.guestPageShift = shift;
        long leafNow = entries[leafLevel];
        out.rights = rights | (leafNow & (Pte.D | Pte.PK_MASK)) | (mode.pge() ? leafNow & Pte.G : 0)
                | ((rwx & 7) << TlbEntry.NESTED_SHIFT);
        return true;
    }

    /** Sets A in every entry walked and D in the leaf of a write, as the CPU does after a successful walk (KVM order). */
    private boolean setAccessedDirty(int leafLevel, int walkedFrom, boolean write, WalkResult out) {
        for (int l = walkedFrom; l >= leafLevel; l--) {
            long e = entries[l];
            long want = e | Pte.A | (l == leafLevel && write ? Pte.D : 0);
            if (want == e) continue;
            if (nested != null && !nested.adWriteAllowed(entryGpas[l], nestedRwx[l], out)) return false;
            mem.writeLong(entryPas[l], want);
            entries[l] = want;
        }
        return true;
    }

    private void fillPageWalkCache(long la, int leafLevel, int walkedFrom, CpuMode mode, long frameMask) {
        if (pwc == null) return;
        final long tag = eptTag();
        for (int l = walkedFrom; l > leafLevel; l--) {
            pwc.insert(la, l, mode.vpid, mode.pcid(), tag, entries[l] & frameMask, cumRights[l]);
        }
    }

    private static boolean pageFault(WalkResult out, int errorCode) {
        out.fault = WalkResult.PAGE_FAULT;
        out.errorCode = errorCode;
        return false;
    }
}
