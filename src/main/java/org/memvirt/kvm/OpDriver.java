package org.memvirt.kvm;

import static org.memvirt.kvm.GuestLayout.*;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.memvirt.engine.EngineException;
import org.memvirt.hostctl.KsmSession;
import org.memvirt.workload.AccessStream;
import org.memvirt.workload.Op;
import org.memvirt.workload.Patterns;

/**
 * Executes workload ops on a booted {@link KvmMachine}, one mailbox op per vCPU at a time. Data ops ({@code touch},
 * {@code read}, {@code fill}, {@code random}, {@code unmap}, {@code remap}, {@code free}) are spread over all vCPUs: vCPU i takes
 * the i-th of N equal contiguous page ranges (or stream slices); process ops ({@code processes}, {@code switch})
 * run on vCPU 0, and every vCPU loads the running process's CR3 before its next op.
 */
final class OpDriver {
    private static final long PAGE = 4096;

    private final KvmMachine machine;
    private final long regionBytes;
    private final long deadline;
    private final WrittenPages written = new WrittenPages();
    private final AtomicLong verifyPages = new AtomicLong();
    private final AtomicLong verifyMismatches = new AtomicLong();
    private String opText = "";
    private int pid;
    private long balloonTarget;
    private final KsmSession ksm;   // null: ksmd is not ours to wait for
    private long ksmSettleNanos;

    OpDriver(KvmMachine machine, long deadline, KsmSession ksm) {
        this.machine = machine;
        this.ksm = ksm;
        machine.balloon().setListener(written::dropped);
        this.regionBytes = machine.totalRam();
        this.deadline = deadline;
    }

    long verifiedPages() {
        return verifyPages.get();
    }

    long verifyMismatches() {
        return verifyMismatches.get();
    }

    /** Checks, before the VM starts, that the kvm engine can run every op of the workload. */
    static void checkSupported(Op op) {
        switch (op) {
            case Op.Trace t -> throw new EngineException("trace is not supported by the kvm engine yet");
            case Op.PageSize p -> throw new EngineException("pages is not supported by the kvm engine yet");
            case Op.Repeat r -> r.body().forEach(OpDriver::checkSupported);
            default -> { }
        }
    }

    /** Whether the op (or a repeat body) contains a {@code switch ... pcid}. */
    static boolean usesPcid(Op op) {
        return switch (op) {
            case Op.Switch s -> s.pcid();
            case Op.Repeat r -> r.body().stream().anyMatch(OpDriver::usesPcid);
            default -> false;
        };
    }

    /** Runs one top-level op (with its text, for diagnoses). */
    void run(Op op, String text) {
        this.opText = text;
        exec(op);
    }

    private void exec(Op op) {
        switch (op) {
            case Op.Touch(long bytes, long offset) -> {
                spread(OP_TOUCH, offset, bytes, 0, 0);
                markRange(offset, bytes, WrittenPages.TOUCH);
            }
            case Op.Read(long bytes, long offset) -> spread(OP_READ, offset, bytes, 0, 0);
            case Op.Fill(long bytes, long offset, Op.Content content) -> {
                WrittenPages.FillSpec spec = fillSpec(content);
                spread(OP_FILL, offset, bytes, spec.kind(), spec.param());
                markRange(offset, bytes, written.fillState(spec));
            }
            case Op.Random r -> random(r);
            case Op.Processes(int count) -> processes(count);
            case Op.Switch(long count, boolean pcid) -> switchProcesses(count, pcid);
            case Op.Unmap(long bytes, long offset) -> spread(OP_UNMAP, offset, bytes, 0, 0);
            case Op.Remap(long bytes, long offset) -> spread(OP_REMAP, offset, bytes, 0, 0);
            case Op.Free(long bytes, long offset) -> free(offset, bytes);
            case Op.Demand(boolean on) -> machine.setShared(SH_DEMAND, on ? 1 : 0);
            case Op.Sleep(long nanos) -> sleep(nanos);
            case Op.Verify() -> verify();
            case Op.Repeat(int times, java.util.List<Op> body) -> {
                for (int i = 0; i < times; i++) for (Op o : body) exec(o);
            }
            case Op.Balloon(Op.BalloonAction action, long bytes) -> balloon(action, bytes);
            case Op.Trace t -> throw new KvmException("trace is not supported by the kvm engine yet");
            case Op.PageSize p -> throw new KvmException("pages is not supported by the kvm engine yet");
        }
    }

    private static WrittenPages.FillSpec fillSpec(Op.Content content) {
        return switch (content) {
            case Op.Content.Zero() -> new WrittenPages.FillSpec(0, 0);
            case Op.Content.Same(int variants) -> new WrittenPages.FillSpec(1, variants);
            case Op.Content.Unique() -> new WrittenPages.FillSpec(2, 0);
            case Op.Content.RandomBytes(long seed) -> new WrittenPages.FillSpec(3, seed);
        };
    }

    /**
     * {@code free}: each vCPU frees its slice and INVLPGs it; with more than one vCPU, every vCPU then flushes its
     * whole TLB before its next op, since another vCPU may still translate to a freed frame the allocator hands out
     * again (the runtime sends no shootdown IPIs). Freed pages are no longer the workload's to verify.
     */
    private void free(long offset, long bytes) {
        spread(OP_FREE, offset, bytes, 0, 0);
        if (machine.vcpuCount() > 1) for (int cpu = 0; cpu < machine.vcpuCount(); cpu++) machine.requestTlbFlush(cpu);
        markRange(offset, bytes, WrittenPages.NONE);
    }

    /** The page range [first, end) of an op over [offset, offset + bytes), checked against the region. */
    private long[] pages(long offset, long bytes) {
        if (offset < 0 || bytes < 0 || offset + bytes > regionBytes) {
            throw new KvmException("'" + opText + "' reaches past the workload region (" + regionBytes + " bytes, the guest's RAM)");
        }
        return new long[] {offset / PAGE, (offset + bytes + PAGE - 1) / PAGE};
    }

    private void markRange(long offset, long bytes, byte state) {
        long[] r = pages(offset, bytes);
        written.markRange(pid, r[0], r[1] - r[0], state);
    }

    /** Splits the op's pages into one contiguous slice per vCPU, runs them at once; returns the sum of results. */
    private long spread(long op, long offset, long bytes, long a2, long a3) {
        long[] r = pages(offset, bytes);
        long total = r[1] - r[0];
        int n = machine.vcpuCount();
        int[] active = activeSlices(total, n);
        for (int cpu : active) {
            long lo = r[0] + total * cpu / n, hi = r[0] + total * (cpu + 1) / n;
            machine.setProcess(cpu, pid);
            machine.post(cpu, op, lo * PAGE, (hi - lo) * PAGE, a2, a3);
        }
        machine.onVcpus(active, machine::resume, opText);
        long sum = 0;
        for (int cpu : active) sum += machine.result(cpu);
        return sum;
    }

    /** The vCPUs whose slice of {@code total} is not empty. */
    private static int[] activeSlices(long total, int n) {
        int count = 0;
        int[] active = new int[n];
        for (int cpu = 0; cpu < n; cpu++) if (total * (cpu + 1) / n > total * cpu / n) active[count++] = cpu;
        return java.util.Arrays.copyOf(active, count);
    }

    private void onCpu0(long op, long a0) {
        machine.setProcess(0, pid);
        machine.post(0, op, a0, 0, 0, 0);
        machine.onVcpus(new int[] {0}, machine::resume, opText);
    }

    private void random(Op.Random r) {
        long[] range = pages(0, r.over());
        long pagesOver = range[1];
        machine.setProcess(0, pid);                  // demand off: vCPU 0 maps [0, over) first, ascending
        machine.post(0, OP_PREFAULT, 0, pagesOver * PAGE, 0, 0);
        machine.onVcpus(new int[] {0}, machine::resume, opText);
        int n = machine.vcpuCount();
        int[] active = activeSlices(r.count(), n);
        for (int cpu : active) machine.setProcess(cpu, pid);
        machine.onVcpus(active, cpu -> randomSlice(cpu, r, pagesOver, r.count() * cpu / n, r.count() * (cpu + 1) / n),
                opText);
    }

    /** On vCPU {@code cpu}'s thread: streams accesses [from, to) of the op's sequence through the vCPU's buffer. */
    private void randomSlice(int cpu, Op.Random r, long pagesOver, long from, long to) {
        // Each access consumes two SplitMix64 steps, so access k starts from seed + 2k * GOLDEN_GAMMA.
        AccessStream stream = new AccessStream(pagesOver, r.writesPercent(), r.distribution(),
                r.seed() + 2 * from * Patterns.GOLDEN_GAMMA);
        GuestRam ram = machine.ram();
        long[] entries = new long[BUF_ENTRIES];
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment staged = arena.allocate(ValueLayout.JAVA_LONG, BUF_ENTRIES);
            for (long done = from; done < to; ) {
                int count = (int) Math.min(BUF_ENTRIES, to - done);
                for (int i = 0; i < count; i++) entries[i] = stream.next();
                MemorySegment.copy(entries, 0, staged, ValueLayout.JAVA_LONG, 0, count);
                ram.write(buffer(cpu), staged.asSlice(0, 8L * count));
                written.markWrites(pid, entries, count);
                machine.post(cpu, OP_RANDOM, 0, count, 0, 0);
                machine.resume(cpu);
                done += count;
            }
        }
    }

    /**
     * Sets the balloon's target (virtio-balloon {@code num_pages}, in 4 KiB pages) and lets the guest's driver move
     * toward it on vCPU 0; the guest stops short when it has nothing left to give ("Out of puff!").
     */
    private void balloon(Op.BalloonAction action, long bytes) {
        long pages = bytes / PAGE, actual = machine.shared(SH_BALLOON);
        long target = switch (action) {
            case INFLATE -> actual + pages;
            case DEFLATE -> Math.max(0, actual - pages);
            case TO -> pages;
        };
        if (target > machine.totalRam() / PAGE) throw new KvmException("'" + opText + "': the balloon cannot exceed guest RAM");
        balloonTarget = target;
        machine.balloon().setNumPages(target);
        machine.balloon().requestStats();   // the driver refills the stats buffer after this op
        onCpu0(OP_BALLOON, 0);
        if (machine.result(0) == -1) throw new KvmException("'" + opText + "': the guest found no virtio-balloon device");
    }

    /** The balloon's last target (num_pages). */
    long balloonTarget() {
        return balloonTarget;
    }

    private void processes(int count) {
        if (count < 1 || count > MAX_PROCS) throw new KvmException("the kvm engine runs 1 to " + MAX_PROCS + " processes, not " + count);
        onCpu0(OP_PROCESSES, count);
        if (pid >= count) pid = 0;
    }

    /** {@code switch COUNT [pcid]} on vCPU 0; with PCID the runtime sets CR4.PCIDE at the first such switch. */
    private void switchProcesses(long count, boolean pcid) {
        if (pcid && !machine.hasPcid()) throw KvmException.host("'" + opText + "': " + KvmEngine.NO_PCID);
        machine.setProcess(0, this.pid);
        machine.post(0, OP_SWITCH, count, pcid ? 1 : 0, 0, 0);
        machine.onVcpus(new int[] {0}, machine::resume, opText);
        pid = (int) machine.result(0);
    }

    /** Nanoseconds the {@code sleep} ops spent waiting for KSM to settle. */
    long ksmSettleNanos() {
        return ksmSettleNanos;
    }

    /**
     * {@code sleep D}. With a KSM session and mem-merge on, time passes for ksmd: the sleep ends once merging has
     * settled ({@link KsmSession#settle}) or after D, whichever comes first. Otherwise the VMM sleeps D.
     */
    private void sleep(long nanos) {
        if (System.nanoTime() + nanos - deadline > 0) {
            throw new GuestFailure("stopped: the run would pass --timeout in '" + opText + "'");
        }
        if (ksm != null && machine.ram().mergeable()) {
            ksmSettleNanos += ksm.settle(nanos);
            return;
        }
        try {
            TimeUnit.NANOSECONDS.sleep(nanos);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KvmException("interrupted in '" + opText + "'");
        }
    }

    private void verify() {
        HostVerifier v = new HostVerifier(machine.ram(), machine::processCr3).verify(written);
        verifyPages.addAndGet(v.checked());
        verifyMismatches.addAndGet(v.mismatches());
        if (v.mismatches() > 0) {
            throw new KvmException("verify: " + v.mismatches() + " of " + v.checked() + " written pages differ; first: "
                    + v.firstMismatch());
        }
    }
}
