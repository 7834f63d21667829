package org.memvirt.x86;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A guest address space and its host mapping, built in one {@link SparsePhysMemory}: guest tables mapping gva to gpa,
 * and EPT or NPT tables mapping each used gpa to {@code gpa + HOST_OFFSET}; or, for native and shadow paging, one
 * table tree mapping the linear address straight to its final address. Construction only; walks go through
 * {@link #mmu}.
 */
public final class AddressSpace {
    /** How linear addresses reach host memory. */
    public enum Kind {
        NATIVE, SHADOW, EPT, NPT;

        public static Kind parse(String s) {
            try {
                return valueOf(s.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new X86Exception("--mmu must be ept, npt, shadow or native, not '" + s + "'");
            }
        }

        public boolean nested() { return this == EPT || this == NPT; }
    }

    public static final long GUEST_TABLES = 0x10_0000L;             // guest page-table frames from 1 MiB
    public static final long GUEST_TABLES_END = 0x4000_0000L;
    public static final long DATA_BASE = 0x4000_0000L;              // data gpa = DATA_BASE + (gva mod 512 GiB)
    public static final long HOST_OFFSET = 0x100_0000_0000L;        // hpa = gpa + 1 TiB
    public static final long HOST_TABLES = 0x10_0000_0000L;         // nested-table frames from 64 GiB

    private final Kind kind;
    private final int guestLevels, hostLevels, guestPageShift, hostPageShift;
    private final SparsePhysMemory host = new SparsePhysMemory();
    private final PageTableBuilder guest;
    private final PageTableBuilder nested;
    private final List<Long> newGuestFrames = new ArrayList<>();
    private final CpuMode guestMode;
    private final CpuMode hostMode;
    private boolean eptAd = true;
    private long guestLeafFlags = PageTableBuilder.X86_USER_RW;

    public AddressSpace(Kind kind, int guestLevels, int hostLevels, int guestPageShift, int hostPageShift) {
        if (guestLevels != 4 && guestLevels != 5) throw new X86Exception("--guest-levels must be 4 or 5");
        if (hostLevels != 4 && hostLevels != 5) throw new X86Exception("--host-levels must be 4 or 5");
        this.kind = kind;
        this.guestLevels = guestLevels;
        this.hostLevels = hostLevels;
        this.guestPageShift = guestPageShift;
        this.hostPageShift = hostPageShift;
        FrameAllocator guestFrames = FrameAllocator.bump(GUEST_TABLES, GUEST_TABLES_END);
        FrameAllocator recording = () -> {
            long f = guestFrames.allocFrame();
            newGuestFrames.add(f);
            return f;
        };
        PhysMemory guestView = kind.nested() ? new OffsetPhysMemory(host, HOST_OFFSET) : host;
        guest = new PageTableBuilder(guestView, recording, PageTableBuilder.Format.X86,
                kind == Kind.SHADOW ? Math.max(guestLevels, 4) : guestLevels);
        nested = kind.nested() ? new PageTableBuilder(host, FrameAllocator.bump(HOST_TABLES, HOST_OFFSET),
                kind == Kind.EPT ? PageTableBuilder.Format.EPT : PageTableBuilder.Format.X86, hostLevels) : null;
        guestMode = CpuMode.longMode(guest.root());
        if (guestLevels == 5) guestMode.cr4 |= ControlRegs.CR4_LA57;
        hostMode = CpuMode.longMode(nested == null ? 0 : nested.root());
        if (hostLevels == 5) hostMode.cr4 |= ControlRegs.CR4_LA57;
        hostMapNewGuestFrames();
    }

    /** Enables or disables EPT accessed/dirty flags (EPTP[6]); on by default, as KVM's enable_ept_ad_bits. */
    public AddressSpace eptAccessedDirty(boolean on) {
        this.eptAd = on;
        return this;
    }

    /** Leaf flags of guest mappings made from now on (default P, R/W, U/S). */
    public AddressSpace guestLeafFlags(long flags) {
        this.guestLeafFlags = flags;
        return this;
    }

    public Kind kind() { return kind; }
    public SparsePhysMemory hostMemory() { return host; }
    public PageTableBuilder guestTables() { return guest; }
    public PageTableBuilder nestedTables() { return nested; }
    public CpuMode guestMode() { return guestMode; }
    public CpuMode hostMode() { return hostMode; }
    public int guestPageShift() { return guestPageShift; }
    public int hostPageShift() { return hostPageShift; }

    /** The EPTP of this space (EPT kind only). */
    public long eptp() {
        return Eptp.make(nested.root(), hostLevels, eptAd);
    }

    /** The gpa the data of {@code gva} lives at: {@code DATA_BASE + (gva mod 512 GiB)}. */
    public static long dataGpa(long gva) {
        return DATA_BASE + (gva & ((1L << 39) - 1));
    }

    /** Maps the guest page containing {@code gva}, and the host page backing the byte at {@code gva}. */
    public void mapPage(long gva) {
        long size = 1L << effectiveGuestShift();
        long va = gva & ~(size - 1);
        long gpa = dataGpa(va);
        if (kind == Kind.SHADOW) {
            guest.map(va, gpa + HOST_OFFSET, effectiveGuestShift(), guestLeafFlags);
        } else {
            guest.map(va, gpa, guestPageShift, guestLeafFlags);
        }
        hostMapNewGuestFrames();
        if (nested != null) hostMap(dataGpa(gva));
    }

    /** Maps {@code bytes} of guest linear space from {@code gva} with their host backing, in bulk. */
    public void mapRange(long gva, long bytes) {
        long gsize = 1L << effectiveGuestShift();
        for (long va = gva & ~(gsize - 1); va < gva + bytes; va += gsize) {
            guest.map(va, kind == Kind.SHADOW ? dataGpa(va) + HOST_OFFSET : dataGpa(va), effectiveGuestShift(),
                    guestLeafFlags);
        }
        hostMapNewGuestFrames();
        if (nested == null) return;
        long hsize = 1L << hostPageShift;
        for (long gpa = dataGpa(gva) & ~(hsize - 1); gpa < dataGpa(gva) + bytes; gpa += hsize) hostMap(gpa);
    }

    /** Maps one guest page {@code gva -> gpa} explicitly (native and shadow: {@code gva -> pa}). */
    public void mapGuest(long gva, long gpa, int pageShift, long flags) {
        guest.map(gva, gpa, pageShift, flags);
        hostMapNewGuestFrames();
    }

    /** Maps one nested page {@code gpa -> hpa} explicitly (EPT or NPT only). */
    public void mapHost(long gpa, long hpa, int pageShift, long flags) {
        if (nested == null) throw new X86Exception("host mappings need --mmu ept or npt");
        nested.map(gpa, hpa, pageShift, flags);
    }

    private int effectiveGuestShift() {
        return kind == Kind.SHADOW ? Math.min(guestPageShift, hostPageShift) : guestPageShift;
    }

    private void hostMap(long gpa) {
        long hsize = 1L << hostPageShift;
        long page = gpa & ~(hsize - 1);
        long flags = kind == Kind.EPT ? PageTableBuilder.EPT_RWX_WB : PageTableBuilder.X86_USER_RW;
        nested.map(page, page + HOST_OFFSET, hostPageShift, flags);
    }

    private void hostMapNewGuestFrames() {
        if (nested != null) for (long f : newGuestFrames) hostMap(f);
        newGuestFrames.clear();
    }

    /** Caches sized by {@code config}; {@code log} (or null) records every reference of each walk. */
    public Mmu mmu(TlbConfig config, RefLog log) {
        PageWalkCache guestPwc = new PageWalkCache(config.pwcEntries(), config.pwcWays());
        TlbHierarchy tlb = new TlbHierarchy(config);
        if (nested == null) {
            return new Mmu(tlb, new Walker(host).pageWalkCache(guestPwc).refLog(log), null, null);
        }
        PageWalkCache nestedPwc = new PageWalkCache(config.pwcEntries(), config.pwcWays());
        NestedTlb ntlb = new NestedTlb(config.nestedTlbEntries(), config.nestedTlbEntries());
        LinearTranslator w = kind == Kind.EPT
                ? Walker2d.ept(host, new EptWalker(host, eptp()).cpu(hostMode.maxPhysAddr, true, true)
                        .caches(nestedPwc, ntlb).refLog(log)).pageWalkCache(guestPwc).refLog(log)
                : Walker2d.npt(host, new NptWalker(host, hostMode).caches(nestedPwc).refLog(log))
                        .pageWalkCache(guestPwc).refLog(log);
        return new Mmu(tlb, w, nestedPwc, ntlb);
    }

    /** A walker without any cache (every walk cold). */
    public LinearTranslator coldWalker(RefLog log) {
        if (nested == null) return new Walker(host).refLog(log);
        return kind == Kind.EPT
                ? Walker2d.ept(host, new EptWalker(host, eptp()).cpu(hostMode.maxPhysAddr, true, true).refLog(log))
                        .refLog(log)
                : Walker2d.npt(host, new NptWalker(host, hostMode).refLog(log)).refLog(log);
    }
}
