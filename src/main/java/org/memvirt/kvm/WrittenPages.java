package org.memvirt.kvm;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What the workload last wrote to each region page of each process (nothing, a {@code touch} value, or a
 * {@code fill} content), kept by the VMM so that {@code verify} can check guest memory host-side, exactly.
 * Sparse: 4,096 pages per chunk, one byte per page.
 */
final class WrittenPages {
    static final byte NONE = 0;
    static final byte TOUCH = 1;
    private static final int CHUNK_SHIFT = 12;
    private static final int CHUNK = 1 << CHUNK_SHIFT;

    /** A fill content as the guest computes it: Patterns.fill(kind, param, ...). */
    record FillSpec(int kind, long param) {}

    private final Map<Integer, Map<Long, byte[]>> byProcess = new HashMap<>();
    private final List<FillSpec> fills = new ArrayList<>();
    private final List<long[]> pending = new ArrayList<>();   // {pid, firstPage, pages, state}, in op order

    /** The state byte for a fill content (2 + its index; at most 254 different contents per run). */
    synchronized byte fillState(FillSpec spec) {
        int i = fills.indexOf(spec);
        if (i < 0) {
            if (fills.size() == 254) throw new KvmException("verify tracks at most 254 different fill contents");
            fills.add(spec);
            i = fills.size() - 1;
        }
        return (byte) (2 + i);
    }

    FillSpec fillSpec(byte state) {
        return fills.get(state - 2);
    }

    /**
     * Records that {@code [firstPage, firstPage + pages)} of process {@code pid} was written with {@code state}. O(1):
     * ranges are applied to the page map lazily, in order, before the next per-page mark or visit (keeps the
     * bookkeeping out of the op's wall time).
     */
    synchronized void markRange(int pid, long firstPage, long pages, byte state) {
        pending.add(new long[] {pid, firstPage, pages, state});
    }

    private void applyPending() {
        for (long[] r : pending) applyRange((int) r[0], r[1], r[2], (byte) r[3]);
        pending.clear();
    }

    private void applyRange(int pid, long firstPage, long pages, byte state) {
        Map<Long, byte[]> chunks = byProcess.computeIfAbsent(pid, k -> new HashMap<>());
        for (long p = firstPage, end = firstPage + pages; p < end; ) {
            long chunkEnd = Math.min(end, ((p >>> CHUNK_SHIFT) + 1) << CHUNK_SHIFT);
            byte[] states = chunks.computeIfAbsent(p >>> CHUNK_SHIFT, k -> new byte[CHUNK]);
            java.util.Arrays.fill(states, (int) (p & (CHUNK - 1)), (int) (p & (CHUNK - 1)) + (int) (chunkEnd - p), state);
            p = chunkEnd;
        }
    }

    /** Marks the write accesses of a random-stream buffer (entries: page << 1 | write). */
    synchronized void markWrites(int pid, long[] entries, int count) {
        applyPending();
        for (int i = 0; i < count; i++) if ((entries[i] & 1) != 0) markLocked(pid, entries[i] >>> 1, TOUCH);
    }

    /** The content of a page the guest dropped (the balloon reclaimed it): zeros, mapped again or not. */
    static final FillSpec DROPPED = new FillSpec(0, 0);

    /** Records that the guest dropped a page's content (the balloon reclaimed its frame): it reads zero from now on. */
    synchronized void dropped(int pid, long page) {
        byte zero = fillState(DROPPED);
        applyPending();
        markLocked(pid, page, zero);
    }

    private void markLocked(int pid, long page, byte state) {
        byProcess.computeIfAbsent(pid, k -> new HashMap<>())
                .computeIfAbsent(page >>> CHUNK_SHIFT, k -> new byte[CHUNK])[(int) (page & (CHUNK - 1))] = state;
    }

    /** Visits every written page: (pid, page, state). */
    synchronized void forEach(PageVisitor visitor) {
        applyPending();
        byProcess.forEach((pid, chunks) -> chunks.forEach((chunk, states) -> {
            for (int i = 0; i < CHUNK; i++) {
                if (states[i] != NONE) visitor.visit(pid, (chunk << CHUNK_SHIFT) + i, states[i]);
            }
        }));
    }

    interface PageVisitor {
        void visit(int pid, long page, byte state);
    }
}
