package org.memvirt.x86;

/**
 * The EPT walker: guest-physical to host-physical through 4- or 5-level EPT tables (SDM Vol 3C §28.2), with EPT
 * misconfiguration checked before EPT violation (§28.2.3), EPT A/D flags when EPTP[6] = 1 (§28.2.4), the exit
 * qualification of Table 27-7, and optional paging-structure caches and nested TLB. Allocation-free.
 */
public final class EptWalker implements NestedDimension {
    private final PhysMemory mem;
    private final long eptp;
    private final int levels;
    private final boolean ad;
    private final long ep4ta;
    private int maxPhysAddr = 48;
    private boolean gbPages = true, executeOnly = true;
    private PageWalkCache pwc;
    private NestedTlb ntlb;
    private RefLog log;
    private final long[] entryPas = new long[6], entries = new long[6], cumRwx = new long[6];
    private int lastShift;
    private long lastRwx;

    public EptWalker(PhysMemory hostMemory, long eptp) {
        if (Eptp.walkLength(eptp) != 4 && Eptp.walkLength(eptp) != 5) {
            throw new X86Exception("EPTP 0x" + Long.toHexString(eptp) + " has page-walk length "
                    + Eptp.walkLength(eptp) + "; 4 or 5 expected");
        }
        this.mem = hostMemory;
        this.eptp = eptp;
        this.levels = Eptp.walkLength(eptp);
        this.ad = Eptp.adEnabled(eptp);
        this.ep4ta = Eptp.ep4ta(eptp);
    }

    /** CPU properties: physical-address width, 1-GByte EPT pages, execute-only EPT (IA32_VMX_EPT_VPID_CAP bits 17, 0). */
    public EptWalker cpu(int maxPhysAddr, boolean gbPages, boolean executeOnly) {
        this.maxPhysAddr = maxPhysAddr;
        this.gbPages = gbPages;
        this.executeOnly = executeOnly;
        return this;
    }

    public EptWalker caches(PageWalkCache eptPwc, NestedTlb nestedTlb) {
        this.pwc = eptPwc;
        this.ntlb = nestedTlb;
        return this;
    }

    public EptWalker refLog(RefLog refs) {
        this.log = refs;
        return this;
    }

    public long eptp() { return eptp; }

    @Override public long tag() { return ep4ta; }
    @Override public String name() { return "ept"; }
    @Override public int lastShift() { return lastShift; }
    @Override public long lastRwx() { return lastRwx; }

    /**
     * Translates {@code gpa} for an access described by exit-qualification bits 2:0 ({@link EptViolation#READ},
     * {@code WRITE}, {@code FETCH}). Returns the HPA, or -1 with an EPT violation or misconfiguration in {@code out}.
     * {@code finalGpa} says whether the GPA is the translation of the linear address (exit qualification bit 8).
     */
    public long translate(final long gpa, final long accessBits, final boolean finalGpa, final WalkResult out) {
        final long frameMask = Paging.frameMask(maxPhysAddr);
        if (!finalGpa && ntlb != null) {
            long v = ntlb.lookup(gpa, ep4ta);
            if (v != Tlb.MISS && allowed(v >>> TlbEntry.NESTED_SHIFT, accessBits)
                    && ((accessBits & EptViolation.WRITE) == 0 || !ad || (v & Pte.D) != 0)) {
                lastShift = Paging.SHIFT_4K;
                lastRwx = (v >>> TlbEntry.NESTED_SHIFT) & 7;
                return TlbEntry.pa(v, gpa);
            }
        }
        long table = ep4ta;
        long rwx = EptEntry.RWX;
        int level = levels, walkedFrom = levels;
        if (pwc != null) {
            long hit = pwc.lookup(gpa, levels, 0, 0, ep4ta);
            if (hit != Tlb.MISS) {
                int cached = PageWalkCache.levelOf(hit);
                table = hit & frameMask;
                rwx = (hit >>> TlbEntry.NESTED_SHIFT) & 7;
                level = walkedFrom = cached - 1;
            }
        }
        long entry;
        for (;; level--) {
            final long entryPa = table + 8L * Paging.index(gpa, level);
            entry = mem.readLong(entryPa);
            out.refs++;
            if (log != null) log.add(RefLog.NESTED, level, gpa, entryPa, entry);
            entryPas[level] = entryPa;
            entries[level] = entry;
            rwx &= entry;
            cumRwx[level] = rwx;
            if (!EptEntry.present(entry)) return violation(gpa, accessBits, rwx, finalGpa, out);
            if (EptEntry.misconfigured(entry, level, maxPhysAddr, gbPages, executeOnly)) {
                out.fault = WalkResult.EPT_MISCONFIG;
                out.errorCode = 0;
                out.faultGpa = gpa;
                return -1;
            }
            if (EptEntry.leaf(entry, level)) break;
            table = entry & frameMask;
        }
        if (!allowed(rwx, accessBits)) return violation(gpa, accessBits, rwx, finalGpa, out);
        final int shift = Paging.levelShift(level);
        if (ad) setAccessedDirty(level, walkedFrom, (accessBits & EptViolation.WRITE) != 0);
        if (pwc != null) {
            for (int l = walkedFrom; l > level; l--) {
                pwc.insert(gpa, l, 0, 0, ep4ta, entries[l] & frameMask, cumRwx[l] << TlbEntry.NESTED_SHIFT);
            }
        }
        final long hpa = (entry & frameMask & ~((1L << shift) - 1)) | (gpa & ((1L << shift) - 1));
        if (!finalGpa && ntlb != null) {
            ntlb.insert(gpa, ep4ta, TlbEntry.make(hpa, Paging.SHIFT_4K,
                    (entries[level] & EptEntry.D) != 0 ? Pte.D : 0, rwx));
        }
        lastShift = shift;
        lastRwx = rwx;
        return hpa;
    }

    private static boolean allowed(long rwx, long accessBits) {
        return ((accessBits & EptViolation.READ) == 0 || (rwx & EptEntry.R) != 0)
                && ((accessBits & EptViolation.WRITE) == 0 || (rwx & EptEntry.W) != 0)
                && ((accessBits & EptViolation.FETCH) == 0 || (rwx & EptEntry.X) != 0);
    }

    private void setAccessedDirty(int leafLevel, int walkedFrom, boolean write) {
        for (int l = walkedFrom; l >= leafLevel; l--) {
            long e = entries[l];
            long want = e | EptEntry.A | (l == leafLevel && write ? EptEntry.D : 0);
            if (want != e) {
                mem.writeLong(entryPas[l], want);
                entries[l] = want;
            }
        }
    }

    private static long violation(long gpa, long accessBits, long rwx, boolean finalGpa, WalkResult out) {
        out.fault = WalkResult.EPT_VIOLATION;
        out.faultGpa = gpa;
        out.errorCode = (accessBits & 7) | ((rwx & 7) << 3) | EptViolation.GLA_VALID
                | (finalGpa ? EptViolation.GLA_TRANSLATION : 0);
        return -1;
    }

    /** Guest paging-structure reads are data reads, or writes with EPT A/D enabled (§28.2.3.2; RMW sets bits 0 and 1). */
    @Override
    public long tableGpaToHpa(long gpa, WalkResult out) {
        return translate(gpa, ad ? EptViolation.READ | EptViolation.WRITE : EptViolation.READ, false, out);
    }

    @Override
    public long finalGpaToHpa(long gpa, int access, WalkResult out) {
        long bits = Access.fetch(access) ? EptViolation.FETCH
                : Access.write(access) ? EptViolation.WRITE : EptViolation.READ;
        return translate(gpa, bits, true, out);
    }

    /** The CPU's writes of guest A/D flags are data writes (§28.2.3.2); with EPT A/D the table access already was one. */
    @Override
    public boolean adWriteAllowed(long gpa, long rwx, WalkResult out) {
        if ((rwx & EptEntry.W) != 0) return true;
        violation(gpa, EptViolation.WRITE, rwx, false, out);
        return false;
    }
}
