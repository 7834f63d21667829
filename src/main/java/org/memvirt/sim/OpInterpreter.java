package org.memvirt.sim;

import java.util.List;

import org.memvirt.workload.AccessStream;
import org.memvirt.workload.Op;

/**
 * The sim's one interpreter of workload ops, over a {@link GuestMemory} ({@link MmuGuest} for {@code run},
 * {@link PageGuest} for scenario VMs). It owns what both guests share: unrolling {@code repeat}, the op cursor (op,
 * position) so that an op stops when the guest's virtual time reaches a limit and resumes where it stopped (the
 * scenario runs VMs in quanta; {@code run} passes {@link #NO_LIMIT}), the content each write stores (the kinds of
 * {@code workload.Patterns}), the split of an op's range over the vCPUs it runs on, demand paging's prefault,
 * {@code verify}, {@code sleep}, the balloon ops and {@code free}. Allocation-free per page and per access.
 */
final class OpInterpreter {
    static final long NO_LIMIT = Long.MAX_VALUE;
    static final int PROGRESS_CHUNK = 1 << 16;     // accesses between progress reports

    /** Told how far an op or a repeat got; {@code report} when it is not inside a repeat (only the repeat reports). */
    interface Progress {
        Progress NONE = (done, report) -> {};

        void at(double done, boolean report);
    }

    private final GuestMemory g;
    private final Progress progress;
    private boolean demand;                         // demand paging on (off: each op's range is prefaulted)
    private long elapsedNanos;                      // sleeps and balloon op times since the last take
    // the cursor: a stack of op lists (the workload, then each repeat's body being run)
    @SuppressWarnings("unchecked")
    private List<Op>[] lists = new List[4];
    private int[] index = new int[4];
    private int[] timesLeft = new int[4];
    private int[] times = new int[4];
    private int depth;
    // the current op and its position
    private Op current;
    private long first, end;                        // region pages [first, end), or accesses of a trace
    private int part;                               // the part (vCPU) running
    private boolean entered;                        // the part has entered (and prefaulted its range)
    private long pos;                               // the next page, or the accesses done in the part
    private AccessStream stream;
    private int content;                            // the current write's content kind and parameter
    private long param;
    private long limit;

    OpInterpreter(GuestMemory guest, Progress progress) {
        this.g = guest;
        this.progress = progress;
    }

    /** The ops to run next (the ones before, if any, are dropped); demand paging's mode is kept. */
    OpInterpreter load(List<Op> ops) {
        depth = 0;
        current = null;
        push(ops, 1);
        return this;
    }

    /** Sleeps and balloon op times since the last call (a {@code run} step's time beyond its counters'). */
    long takeElapsedNanos() {
        long n = elapsedNanos;
        elapsedNanos = 0;
        return n;
    }

    /**
     * Runs ops until they end (true), the guest stops, or the guest's clock reaches {@code limit} (false; the next
     * call resumes where this one stopped). An op is only stopped between two page accesses.
     */
    boolean run(long limit) {
        this.limit = limit;
        while (!g.stopped()) {
            if (current == null) {
                current = next();
                if (current == null) return true;
                begin(current);
            }
            if (limit != NO_LIMIT && g.reached(limit)) return false;
            if (!step()) return false;
            current = null;
            stream = null;
        }
        return false;
    }

    private void push(List<Op> ops, int n) {
        if (depth == lists.length) {
            lists = java.util.Arrays.copyOf(lists, depth * 2);
            index = java.util.Arrays.copyOf(index, depth * 2);
            timesLeft = java.util.Arrays.copyOf(timesLeft, depth * 2);
            times = java.util.Arrays.copyOf(times, depth * 2);
        }
        lists[depth] = ops;
        index[depth] = 0;
        timesLeft[depth] = n;
        times[depth] = n;
        depth++;
    }

    /** The next op in execution order, repeats unrolled; progress after each repeat iteration. */
    private Op next() {
        while (depth > 0) {
            int d = depth - 1;
            if (index[d] < lists[d].size()) {
                Op op = lists[d].get(index[d]++);
                if (op instanceof Op.Repeat(int n, List<Op> body)) {
                    if (n > 0) push(body, n);
                    continue;
                }
                return op;
            }
            if (d == 0) {
                depth = 0;
                return null;
            }
            progress.at((times[d] - timesLeft[d] + 1.0) / times[d], d == 1);
            if (--timesLeft[d] > 0) index[d] = 0; else depth--;
        }
        return null;
    }

    /** Whether progress reports of the current op reach the listener (it is not inside a repeat). */
    private boolean topLevel() {
        return depth == 1;
    }

    private void begin(Op op) {
        part = 0;
        entered = false;
        pos = 0;
        switch (op) {
            case Op.Touch(long bytes, long offset) -> range(offset, bytes, GuestMemory.TOUCH, 0);
            case Op.Read(long bytes, long offset) -> range(offset, bytes, GuestMemory.TOUCH, 0);
            case Op.Fill(long bytes, long offset, Op.Content c) -> range(offset, bytes, fillKind(c), fillParam(c));
            case Op.Unmap(long bytes, long offset) -> range(offset, bytes, 0, 0);
            case Op.Remap(long bytes, long offset) -> range(offset, bytes, 0, 0);
            case Op.Free(long bytes, long offset) -> range(offset, bytes, 0, 0);
            case Op.Random r -> {
                long pages = (r.over() + Paging.PAGE_SIZE - 1) >>> Paging.PAGE_SHIFT;
                if (r.over() > g.regionPages() << Paging.PAGE_SHIFT)
                    throw new SimException("random over " + r.over() + " bytes exceeds the guest's RAM");
                stream = new AccessStream(pages, r.writesPercent(), r.distribution(), r.seed());
                first = 0;
                end = pages;
            }
            case Op.Trace t -> {
                first = 0;
                end = t.accesses().length;
            }
            default -> { }
        }
    }

    /** The region pages of {@code [offset, offset + bytes)}, checked against the region. */
    private void range(long offset, long bytes, int content, long param) {
        long ramBytes = g.regionPages() << Paging.PAGE_SHIFT;
        if (offset < 0 || bytes < 0 || offset + bytes > ramBytes)
            throw new SimException("range [" + offset + ", " + (offset + bytes) + ") is outside the workload region of "
                    + ramBytes + " bytes (the guest's RAM size)");
        first = offset >>> Paging.PAGE_SHIFT;
        end = (offset + bytes + Paging.PAGE_SIZE - 1) >>> Paging.PAGE_SHIFT;
        this.content = content;
        this.param = param;
    }

    /** Runs the current op on; true when it is done. */
    private boolean step() {
        switch (current) {
            case Op.Touch t -> { return pages(true); }
            case Op.Read r -> { return pages(false); }
            case Op.Fill f -> { return pages(true); }
            case Op.Random r -> { return random(r.count()); }
            case Op.Trace t -> { return trace(t.accesses()); }
            case Op.Unmap u -> rangeOp(0, "unmap");
            case Op.Remap r -> rangeOp(1, "remap");
            case Op.Free f -> {
                rangeOp(2, "free");
                g.afterFree();
            }
            case Op.Processes(int count) -> {
                g.enter(0);
                g.processes(count);
            }
            case Op.Switch(long count, boolean pcid) -> {
                g.enter(0);                              // process ops run on one vCPU (vCPU 0 unless pinned)
                for (long i = count; i > 0; i--) g.switchProcess(pcid);
            }
            case Op.Demand(boolean on) -> {
                demand = on;
                g.demand(on);
            }
            case Op.PageSize(int shift) -> g.largePages(shift == Op.PageSize.SHIFT_2M);
            case Op.Balloon(Op.BalloonAction action, long bytes) -> {
                g.enter(0);                              // the balloon driver runs on vCPU 0, as an op of its own
                long pages = bytes >>> Paging.PAGE_SHIFT;
                long now = g.balloonOpBase();
                elapsedNanos += g.balloonTo(action, switch (action) {
                    case INFLATE -> now + pages;
                    case DEFLATE -> now - pages;
                    case TO -> pages;
                });
            }
            case Op.Sleep(long nanos) -> {
                g.sleep(nanos);
                elapsedNanos += nanos;
            }
            case Op.Verify() -> g.verify();
            case Op.Repeat r -> throw new IllegalStateException("repeat is unrolled by next()");
        }
        return true;
    }

    /** Whether the op must stop before its next access: the guest stopped, or its clock reached the limit. */
    private boolean mustStop() {
        return g.stopped() || limit != NO_LIMIT && g.reached(limit);
    }

    /** touch, read and fill: each part prefaults its pages (demand off), then accesses them in order. */
    private boolean pages(boolean write) {
        final long n = end - first;
        final int parts = g.parts();
        for (; part < parts; part++, entered = false) {
            final long from = first + start(n, parts, part);
            final long to = first + start(n, parts, part + 1);
            if (from == to) continue;
            if (!entered) {
                g.enter(part);
                if (!demand) for (long p = from; p < to; p++) g.prefault(p);
                entered = true;
                pos = from;
            }
            while (pos < to) {
                if (mustStop()) return false;
                g.access(pos++, write, content, param);
                if ((pos - from) % PROGRESS_CHUNK == 0 || pos == to) {
                    progress.at((part + (double) (pos - from) / (to - from)) / parts, topLevel());
                }
            }
        }
        return true;
    }

    /** random: one stream; demand off prefaults {@code [0, over)} on the first vCPU, then each vCPU takes its share. */
    private boolean random(long count) {
        final int parts = g.parts();
        if (part == 0 && !entered && pos == 0) {
            g.enter(0);
            if (!demand) for (long p = 0; p < end; p++) g.prefault(p);
            pos = -1;                                    // prefaulted; no access yet
        }
        for (; part < parts; part++, entered = false) {
            final long share = start(count, parts, part + 1) - start(count, parts, part);
            if (share == 0) continue;
            if (!entered) {
                g.enter(part);
                entered = true;
                pos = 0;
            }
            while (pos < share) {
                if (mustStop()) return false;
                final long a = stream.next();
                pos++;
                g.access(a >>> 1, (a & 1) != 0, GuestMemory.TOUCH, 0);
                if (pos % PROGRESS_CHUNK == 0 || pos == share) {
                    progress.at((part + (double) pos / share) / parts, topLevel());
                }
            }
        }
        return true;
    }

    /** A trace's accesses (region offsets, bit 0 a write; docs/workload.md), split over the vCPUs in order. */
    private boolean trace(long[] accesses) {
        final long regionBytes = g.regionPages() << Paging.PAGE_SHIFT;
        final int parts = g.parts();
        for (; part < parts; part++, entered = false) {
            final long from = start(accesses.length, parts, part);
            final long to = start(accesses.length, parts, part + 1);
            if (from == to) continue;
            if (!entered) {
                g.enter(part);
                entered = true;
                pos = from;
            }
            while (pos < to) {
                if (mustStop()) return false;
                final long a = accesses[(int) pos++];
                final long offset = a & ~7L;
                if (offset < 0 || offset >= regionBytes)
                    throw new SimException("trace offset 0x" + Long.toHexString(offset) + " is outside the workload region of "
                            + regionBytes + " bytes (the guest's RAM size)");
                final long page = offset >>> Paging.PAGE_SHIFT;
                if (!demand) g.prefault(page);
                g.access(page, (a & 1) != 0, GuestMemory.TOUCH, 0);
            }
        }
        return true;
    }

    /** unmap (0), remap (1), free (2) over the op's range, split over the vCPUs; whole 2 MiB pages only. */
    private void rangeOp(int what, String name) {
        g.checkWholeLargePages(first, end, name);
        final long n = end - first;
        final int parts = g.parts();
        for (int k = 0; k < parts; k++) {
            final long from = first + start(n, parts, k);
            final long to = first + start(n, parts, k + 1);
            if (from == to) continue;
            g.enter(k);
            for (long p = from; p < to; p++) {
                switch (what) {
                    case 0 -> g.unmap(p);
                    case 1 -> g.remap(p);
                    default -> g.free(p);
                }
            }
        }
    }

    /** {@code Patterns.fill}'s kind of a fill's content. */
    static int fillKind(Op.Content c) {
        return switch (c) {
            case Op.Content.Zero() -> 0;
            case Op.Content.Same(int variants) -> 1;
            case Op.Content.Unique() -> 2;
            case Op.Content.RandomBytes(long seed) -> 3;
        };
    }

    /** {@code Patterns.fill}'s parameter of a fill's content: the variants of {@code same}, the seed of {@code random}. */
    static long fillParam(Op.Content c) {
        return switch (c) {
            case Op.Content.Same(int variants) -> variants;
            case Op.Content.RandomBytes(long seed) -> seed;
            default -> 0;
        };
    }

    /** First index of part {@code k} of {@code total} split into {@code parts} contiguous parts. */
    static long start(long total, int parts, int k) {
        return Math.multiplyHigh(total, k) == 0 ? total * k / parts : (long) ((double) total * k / parts);
    }
}
