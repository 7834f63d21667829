package org.memvirt.sim;

import java.util.ArrayList;
import java.util.List;

import org.memvirt.workload.Patterns;

/**
 * The guest operating system of docs/guest-model.md: processes with their own 4-level page tables in guest memory
 * (4 KiB pages, or 2 MiB ones after {@code pages 2M}), a workload region per process, demand paging by its own #PF handler, INVLPG after clearing a PTE, and MOV CR3
 * with or without PCID. Every page-table store goes through the MMU's write hook, as a guest store would.
 */
final class GuestOs {
    static final long REGION_BASE = 0x0000_0100_0000_0000L;   // docs/guest-model.md: PML4 index 2, 1 TiB
    static final long USER_TOP = 1L << 47;                    // canonical lower half (SDM Vol 3A §4.5)
    static final long PROCESS0_PML4_GFN = 1;                  // in the runtime's first 2 MiB
    static final long KERNEL_PDPT_GFN = 2;                    // the shared kernel half, PML4 index 256
    static final int KERNEL_PML4_INDEX = 256;
    // what the guest runtime writes (guest/runtime.c PTE_USER): A and D clear until a walk sets them
    static final long TABLE_FLAGS = Paging.P | Paging.RW | Paging.US;
    static final long LEAF_FLAGS = Paging.P | Paging.RW | Paging.US;

    /** A guest process: its PML4 and PCID. */
    static final class Process {
        final int pid;
        final long pml4Gfn;

        Process(int pid, long pml4Gfn) {
            this.pid = pid;
            this.pml4Gfn = pml4Gfn;
        }

        long cr3(boolean pcid) {
            return pml4Gfn << Paging.PAGE_SHIFT | (pcid ? (pid + 1) | Paging.CR3_NOFLUSH : 0);
        }
    }

    private final SimVm vm;
    private final GuestPageTables pts;
    private final FrameAllocator frames;
    final List<Process> processes = new ArrayList<>();
    Process running;                 // the process data ops run in (docs/guest-model.md: one running process)
    boolean demand;
    boolean largePages;              // {@code pages 2M}: new region pages are mapped by 2 MiB PDEs (PS = 1)
    private final BalloonDevice balloon;     // the virtio-balloon device this guest's driver fills and leaks
    private LinuxGuestProfile linux;         // a Linux guest's boot footprint and habits, or null (the micro-guest)
    private FreePageReporting reporting;     // a Linux guest's free page reporting, or null
    /**
     * The driver's page source: the guest's frame allocator. A free frame is behind no process's page, so verify
     * expects nothing of it (free forgets what a freed page held).
     */
    private final BalloonDevice.GuestFrames balloonFrames = new BalloonDevice.GuestFrames() {
        @Override
        public long allocate() {
            return frames.allocate();            // SimException when the guest has no free frame
        }

        @Override
        public void release(long gfn) {
            frames.release(gfn);
        }
    };

    GuestOs(SimVm vm, FrameAllocator frames) {
        this.vm = vm;
        this.pts = vm.pts;
        this.frames = frames;
        this.balloon = new BalloonDevice(vm.host, vm.vmId, vm.ram, false);
    }

    /** The runtime's kernel half and process 0, built by the boot vCPU. */
    void boot(Vcpu v) {
        createTable(v, KERNEL_PDPT_GFN);
        running = newProcess(v);
        for (Vcpu c : vm.vcpus) {                  // each vCPU enters its CPL3 loop on process 0's tables
            c.process = running;
            vm.mmu.movCr3(c, running.cr3(false));
        }
    }

    /**
     * Watches the frame allocator for a Linux guest's free page reporting, before the guest takes its first frame;
     * reported frames are discarded in the host.
     */
    FreePageReporting reportFreePages() {
        reporting = new FreePageReporting(frames, gfn -> FreePageReporting.discard(vm.host, vm.vmId, vm.ram, gfn));
        return reporting;
    }

    /**
     * A Linux guest's boot after the runtime's: its whole footprint ({@link LinuxGuestProfile#bootPages}) taken from
     * the frame allocator and written; anonymous memory in 2 MiB pages from the start under THP {@code always}; the
     * balloon driver at the guest's pace.
     */
    void bootLinux(LinuxGuestProfile profile) {
        linux = profile;
        long salt = Patterns.mix(0x11AB_0000L + vm.vmId);
        for (long i = 0, n = profile.bootPages(); i < n; i++) {
            vm.host.access(vm.vmId, vm.ram.gfnToRamPage(frames.allocate()), true, profile.bootContent(i, salt));
        }
        largePages = profile.hugePagesByDefault();
        balloon.setPace(profile.balloonRoundTripNanos(), profile.balloonDeflateRoundTripNanos());
    }

    /**
     * A Linux guest clears every page it hands to a process (mm/memory.c do_anonymous_page: a zeroed page; with THP
     * clear_huge_page, all 512): the host page is touched at once. A read fault would map the zero page in Linux; the
     * model, which maps on either access, clears then too.
     */
    private void clearForLinux(Vcpu v, long gfn, long count) {
        if (linux == null) return;
        for (long f = gfn; f < gfn + count; f++) {
            int outcome = vm.host.access(vm.vmId, vm.ram.gfnToRamPage(f), true, HostMemory.ZERO_CONTENT);
            if (outcome == HostMemory.FIRST_TOUCH || outcome == HostMemory.DEFLATED_TOUCH) v.stats[Stat.HOST_PAGES_ZEROED]++;
        }
    }

    private Process newProcess(Vcpu v) {
        long pml4 = processes.isEmpty() ? PROCESS0_PML4_GFN : allocateTable();
        createTable(v, pml4);
        writePte(v, pml4, KERNEL_PML4_INDEX, Paging.gfnToPte(KERNEL_PDPT_GFN, TABLE_FLAGS & ~Paging.US));
        Process p = new Process(processes.size(), pml4);
        processes.add(p);
        return p;
    }

    /** {@code processes N}: new processes get fresh PML4s; the count never shrinks (their memory stays). */
    void setProcesses(Vcpu v, int count) {
        if (count < 1 || count > 4095) throw new SimException("processes: count must be 1..4095 (one PCID each), not " + count);
        while (processes.size() < count) newProcess(v);
    }

    /** A frame for a page table or data page ({@code guest_frames}; balloon frames are not counted). */
    private long allocate() {
        long gfn = frames.allocate();
        vm.stats[Stat.GUEST_FRAMES]++;
        return gfn;
    }

    /**
     * A frame for a page table. A Linux guest groups allocations by mobility (mm/page_alloc.c: page tables are
     * MIGRATE_UNMOVABLE, and __rmqueue_fallback takes them a whole 2 MiB pageblock), so its page tables fill 2 MiB
     * blocks of their own and never keep a block of freed process memory from being free as a whole.
     */
    private long allocateTable() {
        if (linux == null) return allocate();
        if (tableNext == tableEnd) {
            tableNext = frames.allocateLarge();
            tableEnd = tableNext + Paging.LARGE_PAGES;
        }
        vm.stats[Stat.GUEST_FRAMES]++;
        return tableNext++;
    }

    private long tableNext, tableEnd;        // a Linux guest's pageblock for page tables: frames left [next, end)

    private void createTable(Vcpu v, long gfn) {
        pts.add(gfn);
        vm.host.pin(vm.vmId, vm.ram.gfnToRamPage(gfn), true);
        vm.stats[Stat.GUEST_PT_PAGES]++;
        vm.mmu.guestTableCreated(v, gfn);
    }

    /**
     * Maps {@code gva} in {@code p} if it is not mapped: missing tables in walk order, then the frame. With
     * {@code pages 2M}, a missing PDE becomes a 2 MiB page (PS = 1) over a fresh 2 MiB-aligned run of frames; a PD slot
     * that already holds a PT keeps 4 KiB pages, and a 2 MiB page stays one in {@code pages 4K}.
     */
    void ensureMapped(Vcpu v, Process p, long gva) {
        long table = p.pml4Gfn;
        for (int level = Paging.LEVELS; level > 1; level--) {
            int index = Paging.index(gva, level);
            long e = pts.read(table, index);
            if (Paging.largeLeaf(e, level)) {                  // a 2 MiB page: mapped, or unmapped with its frames kept
                if (!Paging.present(e)) writePte(v, table, index, e | Paging.P);
                return;
            }
            if (!Paging.present(e) && level == 2 && largePages) {
                long large = allocateLarge();
                clearForLinux(v, large, Paging.LARGE_PAGES);
                writePte(v, table, index, Paging.gfnToPte(large, LEAF_FLAGS | Paging.PS));
                return;
            }
            if (!Paging.present(e)) {
                long child = allocateTable();
                vm.mmu.kernelRead(v, child);       // the runtime reads the new table's entry before filling it
                createTable(v, child);
                writePte(v, table, index, Paging.gfnToPte(child, TABLE_FLAGS));
                table = child;
            } else {
                table = Paging.pteToGfn(e);
            }
        }
        int index = Paging.index(gva, 1);
        long pte = pts.read(table, index);
        if (Paging.present(pte)) return;
        boolean remembered = (pte & Paging.ADDR) != 0;
        long frame = remembered ? Paging.pteToGfn(pte) : allocate();   // a remembered frame first
        if (!remembered) clearForLinux(v, frame, 1);
        writePte(v, table, index, Paging.gfnToPte(frame, LEAF_FLAGS));
    }

    /** A 2 MiB run of frames for a large page ({@code guest_frames} counts its 512 frames). */
    private long allocateLarge() {
        long gfn = frames.allocateLarge();
        vm.stats[Stat.GUEST_FRAMES] += Paging.LARGE_PAGES;
        return gfn;
    }

    /** The guest's #PF handler: demand paging (and re-mapping of unmapped pages) in the user half. */
    void handlePageFault(Vcpu v, long gva) {
        if (gva < 0 || gva >= USER_TOP) throw new SimException("guest #PF outside user space at 0x" + Long.toHexString(gva));
        v.stats[Stat.GUEST_PAGE_FAULTS]++;
        ensureMapped(v, v.process, gva);
    }

    /**
     * The table holding the leaf entry of {@code gva} as {@code table gfn << 2 | level - 1} (level 1: a PTE; level 2:
     * a PDE with PS = 1), or -1 if a table is missing.
     */
    private long leafSlot(Process p, long gva) {
        long table = p.pml4Gfn;
        for (int level = Paging.LEVELS; level > 1; level--) {
            long e = pts.read(table, Paging.index(gva, level));
            if (Paging.largeLeaf(e, level)) return table << 2 | 1;
            if (!Paging.present(e)) return -1;
            table = Paging.pteToGfn(e);
        }
        return table << 2;
    }

    /**
     * The frame behind {@code gva} in {@code p}'s page tables, present or not (an unmapped page keeps its frame), or -1
     * if there is none: the software walk {@code verify} uses, which sets no A or D bit (SDM Vol 3A §4.5).
     */
    long frameOf(Process p, long gva) {
        long slot = leafSlot(p, gva);
        if (slot < 0) return -1;
        long table = slot >>> 2;
        if ((slot & 3) == 1) return Paging.largePdeToGfn(pts.read(table, Paging.index(gva, 2))) + Paging.index(gva, 1);
        long pte = pts.read(table, Paging.index(gva, 1));
        return (pte & Paging.ADDR) == 0 ? -1 : Paging.pteToGfn(pte);
    }

    /**
     * Clears P in the leaf entry of a mapped page and INVLPGs it on this vCPU only, as the guest runtime does (no
     * shootdown: the frame is kept, so another vCPU's stale entry still reaches the same frame). A 2 MiB page is
     * unmapped whole, with one INVLPG.
     */
    void unmap(Vcpu v, Process p, long gva) {
        long slot = leafSlot(p, gva);
        if (slot >= 0) clearLeaf(v, slot, gva, true);
    }

    /**
     * Clears the leaf entry in {@code slot} (see {@link #leafSlot}) of {@code gva}: only P when {@code keepFrame}
     * (a mapped page), else the whole entry (any page holding a frame); INVLPGs it on this vCPU if it was present.
     * Returns the old entry, or 0 when there was nothing to clear.
     */
    private long clearLeaf(Vcpu v, long slot, long gva, boolean keepFrame) {
        int level = (int) (slot & 3) + 1;
        long table = slot >>> 2;
        int index = Paging.index(gva, level);
        long pte = pts.read(table, index);
        if (keepFrame ? !Paging.present(pte) : (pte & Paging.ADDR) == 0) return 0;
        writePte(v, table, index, keepFrame ? pte & ~Paging.P : 0);
        if (Paging.present(pte)) {
            v.stats[Stat.GUEST_INVLPG]++;
            vm.mmu.invlpg(v, gva, level == 2);
        }
        return pte;
    }

    /**
     * Unmap, remap and free take whole 2 MiB pages: throws if {@code [fromGva, toGva)} covers part of one ({@code what} names
     * the op). Only the range's first and last 2 MiB can be partial.
     */
    void checkWholeLargePages(Process p, long fromGva, long toGva, String what) {
        if (fromGva >= toGva) return;
        long mask = (1L << Paging.LARGE_SHIFT) - 1;
        for (long gva : new long[] {fromGva, toGva - 1}) {
            long slot = leafSlot(p, gva);
            if (slot < 0 || (slot & 3) != 1) continue;
            long start = gva & ~mask;
            if (start < fromGva || start + mask + 1 > toGva) {
                throw partialLargePage(what, start - REGION_BASE);
            }
        }
    }

    /** The refusal of an unmap, remap or free ({@code what}) that covers part of the 2 MiB page at region offset {@code offset}. */
    static SimException partialLargePage(String what, long offset) {
        return new SimException(what + ": the range covers part of the 2 MiB guest page at offset 0x"
                + Long.toHexString(offset) + "; unmap, remap and free whole 2 MiB pages");
    }

    /** A store of the guest kernel into its page-table page {@code table}. */
    private void writePte(Vcpu v, long table, int index, long pte) {
        v.stats[Stat.GUEST_PTE_WRITES]++;
        vm.mmu.guestPteWrite(v, table, index, pte);
    }

    /** Sets the leaf entry of an unmapped page back to its frame; no INVLPG (a not-present entry is never cached). */
    void remap(Vcpu v, Process p, long gva) {
        long slot = leafSlot(p, gva);
        if (slot < 0) return;
        long table = slot >>> 2;
        int index = Paging.index(gva, (int) (slot & 3) + 1);
        long pte = pts.read(table, index);
        if (Paging.present(pte) || (pte & Paging.ADDR) == 0) return;
        writePte(v, table, index, pte | Paging.P);
    }

    /**
     * Gives the page at {@code gva} back to the guest's allocator ({@code free}): the leaf entry is cleared (INVLPG on
     * this vCPU if it was present) and its frame, or a 2 MiB page's 512 frames, go on the free list. The host page
     * behind each frame stays as it is: resident until a balloon or free page reporting returns it. Verify no longer
     * expects what the freed region pages held.
     */
    void free(Vcpu v, Process p, long gva) {
        long slot = leafSlot(p, gva);
        if (slot < 0) return;
        long pte = clearLeaf(v, slot, gva, false);
        if (pte == 0) return;                                    // no frame: never mapped, or freed already
        boolean large = (slot & 3) == 1;
        long gfn = large ? Paging.largePdeToGfn(pte) : Paging.pteToGfn(pte);
        long count = large ? Paging.LARGE_PAGES : 1;
        long firstPage = ((large ? gva & -(1L << Paging.LARGE_SHIFT) : gva) - REGION_BASE) >>> Paging.PAGE_SHIFT;
        for (long i = count - 1; i >= 0; i--) {                 // descending, so 4 KiB allocations take them ascending
            frames.release(gfn + i);
            vm.writes.forget(p.pid, firstPage + i);
        }
        vm.stats[Stat.GUEST_FRAMES] -= count;
    }

    /** MOV CR3 on {@code v} to the process after the running one, round-robin; it becomes the running process. */
    void switchProcess(Vcpu v, boolean pcid) {
        running = processes.get((running.pid + 1) % processes.size());
        v.process = running;
        if (pcid) v.pcide = true;
        vm.mmu.movCr3(v, running.cr3(pcid));
    }

    /**
     * Before running its part of an op, a vCPU does what the runtime's run_op does first (guest/runtime.c): the TLB
     * flush a multi-vCPU {@code free} asked of every vCPU ({@link #requestFlushAfterFree}), then the load of the
     * running process's CR3 if it has another one loaded. The flush is a reload of CR3 (it flushes PCID 0, the only
     * one in use), or with CR4.PCIDE set every PCID of the vCPU (the runtime toggles CR4.PCIDE: SDM Vol 3A §4.10.4.1;
     * its two CR4 writes are not modelled, as for {@code unmap}).
     */
    void enterRunning(Vcpu v) {
        boolean reload = false;
        if (v.flushBeforeNextOp) {
            v.flushBeforeNextOp = false;
            if (v.pcide) v.tlb.flushVpid(v.vpid);
            else reload = true;
        }
        if (v.process == running && !reload) return;
        v.process = running;
        vm.mmu.movCr3(v, running.cr3(false));
    }

    /**
     * After a {@code free} on a VM with more than one vCPU, every vCPU flushes its TLB before its next op: another
     * vCPU may still translate a freed page to its frame, which the allocator hands out again, and the guest sends no
     * shootdown IPIs (the kvm engine's runtime does the same, docs/guest-model.md).
     */
    void requestFlushAfterFree() {
        if (vm.vcpus.size() < 2) return;
        for (int i = 0; i < vm.vcpus.size(); i++) vm.vcpus.get(i).flushBeforeNextOp = true;
    }

    /**
     * The device's {@code num_pages} becomes {@code numPages} and the driver moves the balloon there: pages from the
     * frame allocator to the host (inflate), or back onto the free list, LIFO (deflate); one virtqueue kick, a VM
     * exit, per batch of up to {@link BalloonDevice#ARRAY_PFNS_MAX} pages.
     *
     * @return the driver's time for it at a Linux guest's pace ({@link LinuxGuestProfile#balloonRoundTripNanos}),
     *         or 0 for the micro-guest, whose time is the cost model's
     */
    long balloonTo(Vcpu v, long numPages) {
        balloon.setNumPages(numPages);
        long nanos = 0;
        while (balloon.towardsTarget() != 0) {
            nanos += balloon.roundTripNanos(balloon.towardsTarget() > 0);
            balloon.work(balloonFrames);
            v.exit(Stat.EXIT_IO);
        }
        return linux == null ? 0 : nanos;
    }

    long balloonPages() {
        return balloon.actual();
    }
}
