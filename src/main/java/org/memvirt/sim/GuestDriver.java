package org.memvirt.sim;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import org.memvirt.engine.BalloonPolicy;
import org.memvirt.engine.EventLog;
import org.memvirt.engine.HostSpec;
import org.memvirt.engine.Units;
import org.memvirt.workload.AccessStream;
import org.memvirt.workload.Op;
import org.memvirt.workload.Patterns;
import org.memvirt.workload.Unrolled;

/**
 * One VM of a scenario, run at page granularity: the sim's guest frame allocator ({@link FrameAllocator}: the
 * runtime's 2 MiB first, then fresh frames in GPA order across the RAM regions below and above 4 GiB, with a LIFO free
 * list used first), its workload region, its balloon driver and its clock. Each op is executed as host page accesses
 * on the VM's RAM block ({@link RamMap}); resumable so VMs interleave in quanta of virtual time.
 *
 * <p>Contents: {@code touch}, {@code random} and unique fills are distinct per VM (a fleet runs different data);
 * zero and {@code same} fills are identical across VMs, which is what KSM can merge.
 */
final class GuestDriver implements BalloonDevice.GuestFrames, BalloonPolicy.Guest {
    static final long KERNEL_PAGES = FrameAllocator.RUNTIME_BYTES >>> Paging.PAGE_SHIFT;
    static final long HIT_NANOS = 100;                 // modelled: one qword access to a mapped page with a TLB miss
    static final long FIRST_TOUCH_NANOS = 2_000;       // modelled: EPT violation + host page fault + zeroing 4 KiB
    static final long COW_NANOS = 3_000;               // modelled: write fault + 4 KiB copy
    static final long SWAP_FAULT_NANOS = 2_000;        // modelled: fault overhead on top of the device read
    static final long FILL_NANOS = 1_000;              // modelled: writing a whole 4 KiB page

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
    private final PageContents regionGfn;              // workload page -> gfn + 1 (0: unmapped), by extents
    private final long regionPages;
    private final LinuxGuestProfile linux;             // a Linux guest's footprint and habits, or null (micro-guest)
    private final FreePageReporting reporting;         // a Linux guest's free page reporting, or null
    private long reclaimScan = -1;                     // balloon reclaim: region pages at or above it hold no frame
    private final PageContents written;                // what verify expects, or null when the workload has no verify
    private int fillFormula;                           // the current fill's formula (0: zeros)
    private final Unrolled ops;                        // the workload in execution order, repeats unrolled
    private Op current;
    private long pos;                                  // progress within the current op (pages or accesses)
    private AccessStream stream;
    long clock;
    long balloonNextNanos = -1;
    Status status = Status.WAITING;
    long mappedPages;                                  // workload pages mapped in the guest
    long minorFaults;
    long majorFaults;
    long verifyMismatches;
    final Set<String> ignoredOps = new TreeSet<>();
    final EventLog events;

    GuestDriver(HostSpec.Vm spec, HostModel host, EventLog events) {
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
        this.clock = spec.startNanos();
        this.ops = new Unrolled(spec.workload());
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
        if (reporting != null) reporting.start(clock);
        if (status == Status.RUNNING) events.add(clock, spec.name(), "start", "started with " + Units.human(spec.ramBytes())
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
            long gfn = GuestDriver.this.allocate();
            if (gfn >= 0) return gfn;
            if (reclaimScan < 0) reclaimScan = regionPages;
            while (reclaimScan > 0) {
                long page = --reclaimScan;
                long mapped = regionGfn.value(page);
                if (mapped == 0) continue;
                gfn = mapped - 1;
                regionGfn.setValue(page, 0);           // the guest drops the page: read again, it is zero
                mappedPages--;
                if (written != null) written.setValue(page, HostMemory.ZERO_CONTENT);
                return gfn;
            }
            return -1;
        }

        @Override
        public void release(long gfn) {
            GuestDriver.this.release(gfn);
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
        while (status == Status.RUNNING && clock < limit) {
            if (current == null && !nextOp()) {
                status = Status.FINISHED;
                events.add(clock, spec.name(), "finish", "workload finished");
                return;
            }
            if (current != null) step(limit);
        }
    }

    private boolean nextOp() {
        if (!ops.hasNext()) return false;
        start(ops.next());
        return true;
    }

    private void start(Op op) {
        current = op;
        pos = 0;
        if (op instanceof Op.Random r) stream = new AccessStream(Math.max(1, r.over() / 4096), r.writesPercent(), r.distribution(), r.seed());
        if (op instanceof Op.Fill f) fillFormula = fillFormula(f.content());
    }

    private void done() {
        current = null;
        stream = null;
    }

    /** Executes the current op until it ends, the clock passes {@code limit}, or the VM stops. */
    private void step(long limit) {
        switch (current) {
            case Op.Touch t -> pages(t.offset(), t.bytes(), limit, 0);
            case Op.Read r -> pages(r.offset(), r.bytes(), limit, 1);
            case Op.Fill f -> pages(f.offset(), f.bytes(), limit, 2);
            case Op.Random r -> random(r, limit);
            case Op.Sleep s -> {
                clock += s.nanos();
                done();
            }
            case Op.Verify v -> {
                verify();
                done();
            }
            case Op.Balloon b -> {
                balloonOp(b);
                done();
            }
            case Op.Free f -> {
                free(f.offset(), f.bytes());
                done();
            }
            case Op.Processes p -> ignore("processes");
            case Op.Switch s -> ignore("switch");
            case Op.Unmap u -> ignore("unmap");
            case Op.Remap r -> ignore("remap");
            case Op.Demand d -> ignore("demand");
            case Op.PageSize p -> ignore("pages");
            case Op.Trace t -> ignore("trace");
            case Op.Repeat r -> throw new IllegalStateException("repeat is expanded by nextOp");
        }
    }

    private void ignore(String what) {
        ignoredOps.add(what);
        done();
    }

    /** kind 0 touch, 1 read, 2 fill. */
    private void pages(long offset, long bytes, long limit, int kind) {
        long first = offset / 4096;
        long count = (offset + bytes + 4095) / 4096 - first;
        while (pos < count && clock < limit && status == Status.RUNNING) {
            long page = first + pos++;
            switch (kind) {
                case 0 -> write(page, touch);
                case 1 -> read(page);
                default -> {
                    write(page, fillFormula);
                    clock += FILL_NANOS;
                }
            }
        }
        if (pos >= count) done();
    }

    private void random(Op.Random r, long limit) {
        while (pos < r.count() && clock < limit && status == Status.RUNNING) {
            pos++;
            long next = stream.next();
            long page = next >>> 1;
            if ((next & 1) != 0) write(page, touch); else read(page);
        }
        if (pos >= r.count()) done();
    }

    /** The formula of a fill's content (0: zeros); {@code same} is the same in every VM, the others are this VM's. */
    private int fillFormula(Op.Content c) {
        return switch (c) {
            case Op.Content.Zero z -> 0;
            case Op.Content.Same s -> formulas.id(ContentFormulas.SAME, 0, s.variants());
            case Op.Content.Unique u -> formulas.id(ContentFormulas.UNIQUE, salt, 0);
            case Op.Content.RandomBytes r -> formulas.id(ContentFormulas.RANDOM, salt, r.seed());
        };
    }

    /**
     * Writes formula {@code f}'s value for {@code page} (0: zeros) to workload page {@code page}; a touch or random
     * write to a page that holds other data mixes the two (the page's content changes, whatever it held).
     */
    private void write(long page, int f) {
        long gfn = map(page);
        if (gfn < 0) return;
        long value = f == 0 ? HostMemory.ZERO_CONTENT : formulas.value(f, page);
        long old = host.content(vm, ram.gfnToRamPage(gfn));
        if (value == HostMemory.ZERO_CONTENT || old == HostMemory.ZERO_CONTENT || old == value
                || !(current instanceof Op.Touch || current instanceof Op.Random)) {
            if (hostAccess(gfn, true, f, f == 0 ? value : page, value) && written != null) {
                if (f == 0) written.setValue(page, value); else written.setFormula(page, f, page);
            }
            return;
        }
        long mixed = Patterns.mix(old ^ value);
        if (hostAccess(gfn, true, 0, mixed) && written != null) written.setValue(page, mixed);
    }

    private void read(long page) {
        long gfn = map(page);
        if (gfn >= 0) hostAccess(gfn, false, 0, 0);
    }

    /** The gfn behind workload page {@code page}, mapping a frame first if needed; -1 if the guest is out of memory. */
    private long map(long page) {
        long g = regionGfn.value(page);
        if (g != 0) return g - 1;
        long gfn = allocate();
        while (gfn < 0 && balloon != null && balloon.oomNotify(this) > 0) {
            long n = balloon.oomDeflations();
            if (Long.bitCount(n) == 1) {                       // 1st, 2nd, 4th, 8th ...: the rest only counted
                events.add(clock, spec.name(), "balloon_deflate_on_oom", "guest OOM notifier took 256 pages back from"
                        + " the balloon (" + n + (n == 1 ? " time" : " times so far") + ")");
            }
            balloonNextNanos = clock + BalloonDevice.ROUND_TRIP_NANOS;
            gfn = allocate();
        }
        if (gfn < 0) {
            status = Status.GUEST_OOM;
            events.add(clock, spec.name(), "guest_oom", "the guest ran out of memory (" + Units.human(guestUsedPages() * 4096)
                    + " used of " + Units.human(guestTotalPages() * 4096) + "); its workload was killed inside the guest");
            return -1;
        }
        regionGfn.setFormula(page, identity, gfn + 1);
        mappedPages++;
        if (page >= reclaimScan) reclaimScan = -1;
        return gfn;
    }

    /** A host access to frame {@code gfn}; a write stores formula {@code f}'s value for {@code arg}, or {@code arg} itself when f is 0. */
    private boolean hostAccess(long gfn, boolean write, int f, long arg) {
        return hostAccess(gfn, write, f, arg, f == 0 ? arg : formulas.value(f, arg));
    }

    /** {@link #hostAccess(long, boolean, int, long)} where the caller has computed the value written. */
    private boolean hostAccess(long gfn, boolean write, int f, long arg, long value) {
        int r = host.access(vm, ram.gfnToRamPage(gfn), write, f, f == 0 ? 0 : arg, value);
        clock += switch (r) {
            case HostMemory.RESIDENT -> HIT_NANOS;
            case HostMemory.FIRST_TOUCH, HostMemory.DEFLATED_TOUCH -> FIRST_TOUCH_NANOS;
            case HostMemory.COW_BROKEN -> COW_NANOS;
            case HostMemory.SWAPPED_IN -> readNanos + SWAP_FAULT_NANOS;
            default -> 0;
        };
        if (r == HostMemory.FIRST_TOUCH || r == HostMemory.DEFLATED_TOUCH || r == HostMemory.COW_BROKEN) minorFaults++;
        if (r == HostMemory.SWAPPED_IN) majorFaults++;
        clock += host.takeStallNanos();
        if (r == HostMemory.KILLED) {
            status = Status.KILLED;
            return false;
        }
        return true;
    }

    /** {@code free}: mapped pages give their frames back to the guest's free list; host memory stays as it is. */
    private void free(long offset, long bytes) {
        for (long page = offset / 4096, end = (offset + bytes + 4095) / 4096; page < end; page++) {
            long g = regionGfn.value(page);
            if (g == 0) continue;
            regionGfn.setValue(page, 0);
            mappedPages--;
            release(g - 1);
        }
    }

    private void verify() {
        if (written == null) return;
        long checked = 0;
        long bad = 0;
        for (long page = 0; page < regionPages; page++) {
            long g = regionGfn.value(page);
            if (g == 0) continue;
            checked++;
            if (host.content(vm, ram.gfnToRamPage(g - 1)) != written.value(page)) bad++;
        }
        verifyMismatches += bad;
        events.add(clock, spec.name(), bad == 0 ? "verify" : "verify_failed",
                checked + " pages checked, " + bad + " wrong");
    }

    private void balloonOp(Op.Balloon b) {
        if (balloon == null) {
            events.add(clock, spec.name(), "balloon", "no balloon device: '" + b.action().name().toLowerCase() + "' ignored");
            return;
        }
        long pages = b.bytes() / 4096;
        long target = switch (b.action()) {
            case INFLATE -> balloon.numPages() + pages;
            case DEFLATE -> balloon.numPages() - pages;
            case TO -> pages;
        };
        setBalloonPages(target, "workload", clock);
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
