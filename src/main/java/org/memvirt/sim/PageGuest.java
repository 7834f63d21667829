package org.memvirt.sim;

import java.util.List;

import org.memvirt.engine.BalloonPolicy;
import org.memvirt.engine.EventLog;
import org.memvirt.engine.HostSpec;
import org.memvirt.engine.Units;
import org.memvirt.host.MmuMode;
import org.memvirt.workload.Op;
import org.memvirt.workload.Patterns;

/**
 * The guest memory of a scenario VM ({@link GuestMemory}): a flat page map (workload page to frame, by extents), no
 * guest page tables, no shadow or TDP structures, no TLB, so a VM costs its page map only. Frames come from the sim's
 * guest frame allocator ({@link FrameAllocator}: the runtime's 2 MiB first, then fresh frames in GPA order across the
 * RAM regions below and above 4 GiB, with a LIFO free list used first); each access is a host page access on the
 * VM's RAM block ({@link RamMap}). Also the VM's balloon driver, its free page reporting and its status; its ops run in
 * the one {@link OpInterpreter}, resumable so VMs interleave in quanta of virtual time.
 *
 * <p>It counts into the {@link Stat} array what its access outcomes imply (an access; a first touch also an exit, a
 * fixed fault and a zeroed page; a copy on write or a swap-in an exit and a fixed fault; a guest #PF where demand
 * paging maps a page), and its clock is the start time, sleeps and device time plus
 * {@code CostModel.nanos(CostModel.vmCycles(stats))}: one cost table for both guests.
 *
 * <p>Processes share one region (a {@code switch} is counted, not walked); {@code unmap} keeps the frame and the
 * next access is a guest #PF that maps it again; {@code pages 2M} maps a 2 MiB run of frames
 * ({@link FrameAllocator#tryAllocateLarge}) for each untouched 2 MiB of the region.
 *
 * <p>Contents: {@code touch}, {@code random} and unique fills are distinct per VM (a fleet runs different data);
 * zero and {@code same} fills are identical across VMs, which is what KSM can merge.
 */
final class PageGuest implements BalloonDevice.GuestFrames, GuestMemory, BalloonPolicy.Guest {
    static final long KERNEL_PAGES = FrameAllocator.RUNTIME_BYTES >>> Paging.PAGE_SHIFT;
    private static final long UNMAPPED = 1L << 62;     // in regionGfn: the page is unmapped, its frame kept
    private static final long LARGE = 1L << 61;        // in regionGfn: the page is part of a 2 MiB page
    private static final long GFN = LARGE - 1;         // in regionGfn: the frame + 1

    enum Status { WAITING, RUNNING, FINISHED, KILLED, GUEST_OOM }

    final HostSpec.Vm spec;
    final int vm;
    final long ramPages;
    private final RamMap ram;
    private final FrameAllocator frames;
    private final HostModel host;
    private final long salt;
    private final long readNanos;
    final BalloonDevice balloon;
    private final ContentFormulas formulas;
    private final int identity;                        // the formula of regionGfn's extents
    private final int touch;                           // the formula of touch and random writes
    private final PageContents regionGfn;              // workload page -> gfn + 1 (0: unmapped) | flags, by extents
    private final long regionPages;
    private final LinuxGuestProfile linux;             // a Linux guest's footprint and habits, or null (micro-guest)
    private final FreePageReporting reporting;         // a Linux guest's free page reporting, or null
    private long reclaimScan = -1;                     // balloon reclaim: region pages at or above it hold no frame
    private final PageContents written;                // what verify expects, or null when the workload has no verify
    private final OpInterpreter interpreter;
    private boolean opsDone;                           // the interpreter ran the last op
    private long mappedBelow;                          // region pages [0, mappedBelow) are mapped (prefault skips them)
    private int lastKind = Integer.MIN_VALUE;          // the last fill's content kind and parameter, and its formula
    private long lastParam;
    private int lastFormula;
    private boolean demand;
    private boolean large;
    private int processes = 1;
    // the cost model's cycles of each access outcome (CostModel.vmCycles of what it counts)
    private final long hitCycles, touchCycles, faultCycles, guestFaultCycles;
    private final int faultExit;                       // the exit a host fault takes: EPT violation, or NPF on AMD
    final long[] stats = new long[Stat.COUNT];
    private long cycles;                               // CostModel.vmCycles(stats), kept as they grow
    private long baseNanos;                            // start, sleeps, device and stall time
    long balloonNextNanos = -1;
    Status status = Status.WAITING;
    long mappedPages;                                  // workload pages mapped in the guest
    long minorFaults;
    long majorFaults;
    final EventLog events;

    PageGuest(HostSpec.Vm spec, HostModel host, EventLog events, CostModel cost) {
        this.spec = spec;
        this.host = host;
        this.events = events;
        this.ram = new RamMap(spec.machine().layout());
        this.linux = spec.guest() != null && spec.guest().linux() ? new LinuxGuestProfile(spec.guest(), spec.machine().layout()) : null;
        this.frames = new FrameAllocator(spec.machine().layout().ramRegions(), linux != null);
        this.ramPages = ram.ramPages();
        this.vm = host.addVm(spec.name(), ramPages, spec.memMerge(), spec.oomScoreAdj());
        this.salt = Patterns.mix(0x5CE7_A210L + vm);
        this.readNanos = host.config().swapKind().readNanos;
        this.balloon = spec.balloon() == null ? null : new BalloonDevice(host, vm, ram, spec.balloon().deflateOnOom());
        this.reporting = linux != null && spec.guest().freePageReporting()
                ? new FreePageReporting(frames, gfn -> FreePageReporting.discard(host, vm, ram, gfn)) : null;
        if (linux != null && balloon != null) balloon.setPace(linux.balloonRoundTripNanos(), linux.balloonDeflateRoundTripNanos());
        this.formulas = host.formulas();
        this.identity = formulas.id(ContentFormulas.IDENTITY, 0, 0);
        this.touch = formulas.id(ContentFormulas.TOUCH, salt, 0);
        this.regionPages = ramPages;
        this.regionGfn = new PageContents(formulas, ramPages);
        this.written = hasVerify(spec.workload()) ? new PageContents(formulas, ramPages) : null;
        this.baseNanos = spec.startNanos();
        this.faultExit = spec.mmu() == MmuMode.NPT ? Stat.NPF : Stat.EPT_VIOLATIONS;
        this.hitCycles = cycles(cost, Stat.ACCESSES);
        this.faultCycles = cycles(cost, Stat.ACCESSES, Stat.EXITS, faultExit, Stat.PF_FIXED);
        this.touchCycles = cycles(cost, Stat.ACCESSES, Stat.EXITS, faultExit, Stat.PF_FIXED, Stat.HOST_PAGES_ZEROED);
        this.guestFaultCycles = cycles(cost, Stat.GUEST_PAGE_FAULTS);
        this.cost = cost;
        this.interpreter = new OpInterpreter(this, OpInterpreter.Progress.NONE).load(spec.workload());
    }

    private final CostModel cost;

    /** The cost model's cycles of one of each counter in {@code counted}. */
    private static long cycles(CostModel cost, int... counted) {
        long[] delta = new long[Stat.COUNT];
        for (int s : counted) delta[s]++;
        return cost.vmCycles(delta);
    }

    /** The guest's virtual time: start, sleeps and device time plus the cost model's time of what it counted. */
    long clock() {
        return baseNanos + cost.nanos(cycles);
    }

    /**
     * {@code clock() >= limit}, without a division per access: the cycles at which the clock reaches {@code limit} are
     * worked out again only when the limit or the time beside the cycles changed.
     */
    @Override
    public boolean reached(long limit) {
        if (limit != reachLimit || baseNanos != reachBase) {
            reachLimit = limit;
            reachBase = baseNanos;
            long nanos = limit - baseNanos;
            double estimate = nanos <= 0 ? 0 : Math.ceil((nanos - 0.5) * cost.ghz());
            if (estimate >= 0x1p62) {
                reachCycles = Long.MAX_VALUE;                  // no run counts that many cycles
            } else {
                long c = (long) estimate;
                while (c > 0 && cost.nanos(c - 1) >= nanos) c--;
                while (cost.nanos(c) < nanos) c++;
                reachCycles = c;
            }
        }
        return cycles >= reachCycles;
    }

    private long reachLimit = Long.MIN_VALUE, reachBase, reachCycles;   // reached's last limit, base and answer

    /** The VM starts no earlier than {@code t} (the quantum it boots in). */
    void startAt(long t) {
        baseNanos = Math.max(baseNanos, t - cost.nanos(cycles));
    }

    static boolean hasVerify(List<Op> ops) {
        for (Op op : ops) {
            if (op instanceof Op.Verify) return true;
            if (op instanceof Op.Repeat r && hasVerify(r.body())) return true;
        }
        return false;
    }

    /**
     * Boot: the runtime's 2 MiB (a Linux guest: its whole boot footprint, {@link LinuxGuestProfile#bootPages}, from the
     * frame allocator), and whatever the guest OS touches and frees at boot.
     */
    void boot() {
        status = Status.RUNNING;
        if (linux == null) {
            int kernel = formulas.id(ContentFormulas.KERNEL, salt, 0);
            for (long g = 0; g < KERNEL_PAGES && g < ramPages; g++) hostAccess(g, true, kernel, g);
        } else {
            for (long i = 0, n = linux.bootPages(); i < n && status == Status.RUNNING; i++) {
                hostAccess(allocate(), true, 0, linux.bootContent(i, salt));
            }
        }
        long bootPages = Math.min(spec.bootTouchBytes() / 4096, ramPages - KERNEL_PAGES);
        long[] booted = new long[(int) bootPages];
        int n = 0;
        while (n < bootPages && status == Status.RUNNING) {
            booted[n] = allocate();
            hostAccess(booted[n++], true, 0, HostMemory.ZERO_CONTENT);   // the guest zeroes the page
        }
        while (n > 0) release(booted[--n]);                           // LIFO: the lowest is handed out first
        if (reporting != null) reporting.start(clock());
        if (status == Status.RUNNING) events.add(clock(), spec.name(), "start", "started with " + Units.human(spec.ramBytes())
                + (linux != null ? ", a Linux guest holding " + Units.human(linux.bootPages() * 4096) + " from boot" : "")
                + (bootPages > 0 ? ", boot touched " + Units.human(bootPages * 4096) : ""));
    }

    // ---------------------------------------------------------------- guest frames

    @Override
    public long allocate() {
        return frames.tryAllocate();
    }

    @Override
    public void release(long gfn) {
        frames.release(gfn);
    }

    /** The balloon's frames with {@code reclaim}: free frames first, then process pages from the region's top down. */
    private final BalloonDevice.GuestFrames reclaiming = new BalloonDevice.GuestFrames() {
        @Override
        public long allocate() {
            long gfn = PageGuest.this.allocate();
            if (gfn >= 0) return gfn;
            if (reclaimScan < 0) reclaimScan = regionPages;
            while (reclaimScan > 0) {
                long page = --reclaimScan;
                long mapped = regionGfn.value(page);
                if (mapped == 0) continue;
                gfn = (mapped & GFN) - 1;
                regionGfn.setValue(page, 0);           // the guest drops the page: read again, it is zero
                notMapped(page);
                unmapped(1);
                if (written != null) written.setValue(page, HostMemory.ZERO_CONTENT);
                return gfn;
            }
            return -1;
        }

        @Override
        public void release(long gfn) {
            PageGuest.this.release(gfn);
        }
    };

    /** Bytes of this guest's model state beside the host's: its region's frames and what verify expects. */
    long modelBytes() {
        return regionGfn.bytes() + (written == null ? 0 : written.bytes());
    }

    @Override
    public long guestFreePages() {
        return frames.freeFrames();
    }

    @Override
    public boolean managed() {
        return balloon != null && (status == Status.RUNNING || status == Status.FINISHED);
    }

    @Override
    public long ramPages() {
        return ramPages;
    }

    @Override
    public long balloonPages() {
        return balloon.actual();
    }

    @Override
    public HostSpec.Balloon balloon() {
        return spec.balloon();
    }

    @Override
    public long floorPages() {
        return KERNEL_PAGES;
    }

    @Override
    public void setBalloonPages(long numPages, String by) {
        setBalloonPages(numPages, by, host.nowNanos());
    }

    /** MemTotal: RAM (a Linux guest: less what memblock keeps), less the balloon unless deflate-on-oom. */
    long guestTotalPages() {
        long managed = linux == null ? ramPages : linux.memTotalPages();
        return balloon == null ? managed : balloon.guestTotalPages(managed);
    }

    long guestUsedPages() {
        return (linux == null ? KERNEL_PAGES : linux.idleUsedPages()) + mappedPages
                + (balloon != null && balloon.deflateOnOom() ? balloon.actual() : 0);
    }

    /** The balloon stats buffer this guest would send now (the guest has no swap and no page cache here). */
    java.util.Map<String, Long> balloonStats() {
        long total = guestTotalPages() * 4096;
        long free = Math.max(0, total - guestUsedPages() * 4096);
        return BalloonDevice.stats(0, 0, majorFaults, minorFaults, free, total, free, 0,
                status == Status.GUEST_OOM ? 1 : 0);
    }

    // ---------------------------------------------------------------- running

    /** Runs ops until the clock reaches {@code limit} or the VM stops. */
    void runUntil(long limit) {
        if (status != Status.RUNNING || clock() >= limit) return;
        if (!opsDone) opsDone = interpreter.run(limit);
        if (opsDone && status == Status.RUNNING && clock() < limit) {      // it finishes in the quantum its clock is in
            status = Status.FINISHED;
            events.add(clock(), spec.name(), "finish", "workload finished");
        }
    }

    // ---------------------------------------------------------------- guest memory (the interpreter's)

    @Override
    public long regionPages() {
        return regionPages;
    }

    /** One part: a scenario VM's ops run on one vCPU. */
    @Override
    public int parts() {
        return 1;
    }

    @Override
    public void enter(int part) {
    }

    @Override
    public boolean stopped() {
        return status != Status.RUNNING;
    }

    /** Maps the page; below {@link #mappedBelow} every page is mapped already and nothing is looked up. */
    @Override
    public void prefault(long page) {
        if (page < mappedBelow) return;
        if (map(page, true) >= 0 && page == mappedBelow) mappedBelow++;
    }

    /** Region page {@code page} may no longer be mapped: the prefix known to be mapped ends before it. */
    private void notMapped(long page) {
        if (page < mappedBelow) mappedBelow = page;
    }

    @Override
    public void access(long page, boolean write, int content, long param) {
        if (!write) {
            read(page);
            return;
        }
        write(page, formula(content, param), content == TOUCH);
        if (content != TOUCH && status == Status.RUNNING) {        // a fill writes the page's other 511 qwords too
            stats[Stat.ACCESSES] += Paging.ENTRIES - 1;
            cycles += (Paging.ENTRIES - 1) * hitCycles;
        }
    }

    /** The formula of a write's content (0: zeros); {@code same} is the same in every VM, the others are this VM's. */
    private int formula(int content, long param) {
        if (content == TOUCH) return touch;
        if (content == 0) return 0;
        if (content != lastKind || param != lastParam) {
            lastFormula = switch (content) {
                case 1 -> formulas.id(ContentFormulas.SAME, 0, param);
                case 2 -> formulas.id(ContentFormulas.UNIQUE, salt, 0);
                default -> formulas.id(ContentFormulas.RANDOM, salt, param);
            };
            lastKind = content;
            lastParam = param;
        }
        return lastFormula;
    }

    /**
     * Writes formula {@code f}'s value for {@code page} (0: zeros) to workload page {@code page}; a touch or random
     * write ({@code mixes}) to a page that holds other data mixes the two (the page's content changes, whatever it held).
     */
    private void write(long page, int f, boolean mixes) {
        long gfn = map(page, false);
        if (gfn < 0) return;
        long value = f == 0 ? HostMemory.ZERO_CONTENT : formulas.value(f, page);
        long old = host.content(vm, ram.gfnToRamPage(gfn));
        if (value == HostMemory.ZERO_CONTENT || old == HostMemory.ZERO_CONTENT || old == value || !mixes) {
            if (hostAccess(gfn, true, f, f == 0 ? value : page, value) && written != null) {
                if (f == 0) written.setValue(page, value); else written.setFormula(page, f, page);
            }
            return;
        }
        long mixed = Patterns.mix(old ^ value);
        if (hostAccess(gfn, true, 0, mixed) && written != null) written.setValue(page, mixed);
    }

    private void read(long page) {
        long gfn = map(page, false);
        if (gfn >= 0) hostAccess(gfn, false, 0, 0);
    }

    /**
     * The gfn behind workload page {@code page}, mapping a frame first if needed (an access with demand paging on, or
     * to an unmapped page, is a guest #PF; {@code prefault}: demand off maps it before the access); -1 if the guest is
     * out of memory.
     */
    private long map(long page, boolean prefault) {
        long g = regionGfn.value(page);
        if (g != 0) {
            if ((g & UNMAPPED) != 0) {
                if (!prefault) guestFault();
                setFlag(page, g, UNMAPPED, false);
            }
            return (g & GFN) - 1;
        }
        if (demand && !prefault) guestFault();
        if (large) {
            long gfn = mapLarge(page);
            if (gfn >= 0) return gfn;
        }
        long gfn = allocate();
        while (gfn < 0 && balloon != null && balloon.oomNotify(this) > 0) {
            long n = balloon.oomDeflations();
            if (Long.bitCount(n) == 1) {                       // 1st, 2nd, 4th, 8th ...: the rest only counted
                events.add(clock(), spec.name(), "balloon_deflate_on_oom", "guest OOM notifier took 256 pages back from"
                        + " the balloon (" + n + (n == 1 ? " time" : " times so far") + ")");
            }
            balloonNextNanos = clock() + BalloonDevice.ROUND_TRIP_NANOS;
            gfn = allocate();
        }
        if (gfn < 0) {
            status = Status.GUEST_OOM;
            events.add(clock(), spec.name(), "guest_oom", "the guest ran out of memory (" + Units.human(guestUsedPages() * 4096)
                    + " used of " + Units.human(guestTotalPages() * 4096) + "); its workload was killed inside the guest");
            return -1;
        }
        regionGfn.setFormula(page, identity, gfn + 1);
        mapped(page, 1);
        return gfn;
    }

    private void mapped(long page, long count) {
        mappedPages += count;
        stats[Stat.GUEST_FRAMES] += count;
        if (page >= reclaimScan) reclaimScan = -1;
    }

    /** The guest's #PF handler maps a page (under EPT or NPT without an exit). */
    private void guestFault() {
        stats[Stat.GUEST_PAGE_FAULTS]++;
        cycles += guestFaultCycles;
    }

    /**
     * {@code pages 2M}: a 2 MiB page over the region's 2 MiB around {@code page} when none of it is mapped and a run of
     * fresh frames is left (THP falls back to 4 KiB pages otherwise); its frame for {@code page}, or -1.
     */
    private long mapLarge(long page) {
        long block = page & -Paging.LARGE_PAGES;
        if (block + Paging.LARGE_PAGES > regionPages) return -1;
        for (long p = block; p < block + Paging.LARGE_PAGES; p++) if (regionGfn.value(p) != 0) return -1;
        long gfn = frames.tryAllocateLarge();
        if (gfn < 0) return -1;
        for (long i = 0; i < Paging.LARGE_PAGES; i++) regionGfn.setFormula(block + i, identity, (gfn + i + 1) | LARGE);
        mapped(block, Paging.LARGE_PAGES);
        return gfn + page - block;
    }

    /** Sets or clears {@code flag} in the entry {@code g} of {@code page}, of the whole 2 MiB page for a large one. */
    private void setFlag(long page, long g, long flag, boolean on) {
        long from = (g & LARGE) != 0 ? page & -Paging.LARGE_PAGES : page;
        long to = (g & LARGE) != 0 ? from + Paging.LARGE_PAGES : page + 1;
        if (on) notMapped(from);
        for (long p = from; p < to; p++) {
            long e = regionGfn.value(p);
            if (e != 0) regionGfn.setFormula(p, identity, on ? e | flag : e & ~flag);
        }
    }

    @Override
    public void checkWholeLargePages(long first, long end, String what) {
        if (first >= end) return;
        for (long page : new long[] {first, end - 1}) {
            if ((regionGfn.value(page) & LARGE) == 0) continue;
            long start = page & -Paging.LARGE_PAGES;
            if (start < first || start + Paging.LARGE_PAGES > end) throw GuestOs.partialLargePage(what, start << Paging.PAGE_SHIFT);
        }
    }

    /** The mapping is cleared, the frame kept; the next access is a guest #PF that maps it again. */
    @Override
    public void unmap(long page) {
        long g = regionGfn.value(page);
        if (g == 0 || (g & UNMAPPED) != 0) return;
        stats[Stat.GUEST_INVLPG]++;
        setFlag(page, g, UNMAPPED, true);
    }

    @Override
    public void remap(long page) {
        long g = regionGfn.value(page);
        if ((g & UNMAPPED) != 0) setFlag(page, g, UNMAPPED, false);
    }

    /**
     * {@code free}: the page's frame (a 2 MiB page's 512, descending, so 4 KiB allocations take them ascending) goes
     * back to the guest's free list; host memory stays as it is.
     */
    @Override
    public void free(long page) {
        long g = regionGfn.value(page);
        if (g == 0) return;
        notMapped(page & -Paging.LARGE_PAGES);
        if ((g & LARGE) == 0) {
            regionGfn.setValue(page, 0);
            unmapped(1);
            release((g & GFN) - 1);
            return;
        }
        long block = page & -Paging.LARGE_PAGES;
        for (long p = block + Paging.LARGE_PAGES - 1; p >= block; p--) {
            long e = regionGfn.value(p);
            if (e == 0) continue;
            regionGfn.setValue(p, 0);
            unmapped(1);
            release((e & GFN) - 1);
        }
    }

    private void unmapped(long count) {
        mappedPages -= count;
        stats[Stat.GUEST_FRAMES] -= count;
    }

    /** One vCPU: no other vCPU can hold a freed page's translation. */
    @Override
    public void afterFree() {
    }

    @Override
    public void demand(boolean on) {
        demand = on;
    }

    @Override
    public void largePages(boolean on) {
        large = on;
    }

    /** {@code processes N}: counted only, every process uses the one region. */
    @Override
    public void processes(int count) {
        if (count < 1 || count > 4095) throw new SimException("processes: count must be 1..4095 (one PCID each), not " + count);
        processes = Math.max(processes, count);
    }

    /** A switch is a MOV to CR3 (no exit under EPT or NPT); no walk, no TLB. */
    @Override
    public void switchProcess(boolean pcid) {
        stats[Stat.MOV_CR3]++;
    }

    @Override
    public long balloonOpBase() {
        return balloon == null ? 0 : balloon.numPages();
    }

    /** The device's target moves; the driver works toward it after the op ({@link #runBalloon}), in virtual time. */
    @Override
    public long balloonTo(Op.BalloonAction action, long numPages) {
        if (balloon == null) {
            events.add(clock(), spec.name(), "balloon", "no balloon device: '" + action.name().toLowerCase() + "' ignored");
            return 0;
        }
        setBalloonPages(numPages, "workload", clock());
        return 0;
    }

    /** The guest's clock moves on; the host moves on with every VM in {@link SimHost}. */
    @Override
    public void sleep(long nanos) {
        baseNanos += nanos;
    }

    /** A host access to frame {@code gfn}; a write stores formula {@code f}'s value for {@code arg}, or {@code arg} itself when f is 0. */
    private boolean hostAccess(long gfn, boolean write, int f, long arg) {
        return hostAccess(gfn, write, f, arg, f == 0 ? arg : formulas.value(f, arg));
    }

    /** {@link #hostAccess(long, boolean, int, long)} where the caller has computed the value written. */
    private boolean hostAccess(long gfn, boolean write, int f, long arg, long value) {
        int r = host.access(vm, ram.gfnToRamPage(gfn), write, f, f == 0 ? 0 : arg, value);
        switch (r) {
            case HostMemory.RESIDENT -> {
                stats[Stat.ACCESSES]++;
                cycles += hitCycles;
            }
            case HostMemory.FIRST_TOUCH, HostMemory.DEFLATED_TOUCH -> {
                fault();
                stats[Stat.HOST_PAGES_ZEROED]++;
                cycles += touchCycles;
                minorFaults++;
            }
            case HostMemory.COW_BROKEN -> {
                fault();
                cycles += faultCycles;
                minorFaults++;
            }
            case HostMemory.SWAPPED_IN -> {
                fault();
                cycles += faultCycles;
                baseNanos += readNanos;                   // the swap device's read
                majorFaults++;
            }
            default -> { }
        }
        baseNanos += host.takeStallNanos();
        if (r == HostMemory.KILLED) {
            status = Status.KILLED;
            return false;
        }
        return true;
    }

    /** An access that faults in the host: an exit (EPT violation or NPF) and KVM's fixed fault. */
    private void fault() {
        stats[Stat.ACCESSES]++;
        stats[Stat.EXITS]++;
        stats[faultExit]++;
        stats[Stat.PF_FIXED]++;
    }

    /** Every mapped page the workload wrote holds what it wrote last ({@code verify_pages}, {@code verify_mismatches}). */
    @Override
    public void verify() {
        if (written == null) return;
        long checked = 0;
        long bad = 0;
        for (long page = 0; page < regionPages; page++) {
            long g = regionGfn.value(page);
            if (g == 0) continue;
            checked++;
            if (host.content(vm, ram.gfnToRamPage((g & GFN) - 1)) != written.value(page)) bad++;
        }
        stats[Stat.VERIFY_PAGES] += checked;
        stats[Stat.VERIFY_MISMATCHES] += bad;
        events.add(clock(), spec.name(), bad == 0 ? "verify" : "verify_failed",
                checked + " pages checked, " + bad + " wrong");
    }

    /** Free page reporting's passes due before {@code limit}: an event for each that gave resident memory back. */
    private void runReporting(long limit) {
        long at = reporting.nextPassNanos();
        long pages = reporting.advanceTo(limit);
        if (pages > 0) {
            events.add(at, spec.name(), "free_page_reporting", "free page reporting gave the host "
                    + Units.human(pages * 4096) + " of free guest memory back");
        }
    }

    /** The device's num_pages changes at virtual time {@code now}; the driver starts moving toward it. */
    void setBalloonPages(long numPages, String by, long now) {
        long before = balloon.numPages();
        balloon.setNumPages(numPages);
        if (balloon.numPages() != before) {
            events.add(now, spec.name(), "balloon_target", by + ": balloon target " + Units.human(before * 4096) + " -> "
                    + Units.human(balloon.numPages() * 4096));
            if (balloonNextNanos < 0) balloonNextNanos = now;
        }
    }

    /** Runs the balloon driver's work, and a Linux guest's free page reporting, that is due before {@code limit}. */
    void runBalloon(long limit) {
        if (status != Status.RUNNING && status != Status.FINISHED) return;
        if (reporting != null) runReporting(limit);
        if (balloon == null) return;
        long puffs = balloon.outOfPuffCount();
        while (balloonNextNanos >= 0 && balloonNextNanos < limit) {
            long wait = balloon.work(spec.balloon().reclaim() ? reclaiming : this);
            if (balloon.outOfPuffCount() > puffs && puffs == 0) {
                events.add(balloonNextNanos, spec.name(), "balloon_out_of_puff", "Out of puff! the guest has no free pages to give"
                        + " (actual " + Units.human(balloon.actual() * 4096) + " of target " + Units.human(balloon.numPages() * 4096) + "); retrying every 200 ms");
            }
            puffs = balloon.outOfPuffCount();
            if (wait < 0) {
                events.add(balloonNextNanos, spec.name(), "balloon_done", "balloon reached " + Units.human(balloon.actual() * 4096));
                balloonNextNanos = -1;
            } else {
                balloonNextNanos += wait;
            }
            if (status == Status.KILLED) return;
        }
    }
}
