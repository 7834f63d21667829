package org.memvirt.workload;

import java.util.List;

/**
 * One workload step, shared by both engines. A new op must be handled by every engine, or the build fails
 * (engines switch over it exhaustively, with no default branch).
 *
 * <p>Offsets and sizes are bytes within the running guest process's workload region (a contiguous range of guest
 * virtual addresses that the engine maps for each process); sizes are parsed with QEMU's size grammar.
 */
public sealed interface Op {

    /** Write one qword to each 4 KiB page of {@code [offset, offset + bytes)}. */
    record Touch(long bytes, long offset) implements Op {}

    /** Read one qword from each 4 KiB page of {@code [offset, offset + bytes)}. */
    record Read(long bytes, long offset) implements Op {}

    /** Write whole 4 KiB pages of {@code [offset, offset + bytes)} with the given content (for sharing experiments). */
    record Fill(long bytes, long offset, Content content) implements Op {}

    /** {@code count} qword accesses at random pages of {@code [0, over)}; {@code writesPercent} of them writes. */
    record Random(long count, long over, int writesPercent, Distribution distribution, long seed) implements Op {}

    /** From now on the guest runs {@code count} processes, each with its own page tables over its own region. */
    record Processes(int count) implements Op {}

    /** {@code count} context switches (MOV CR3) round-robin over the processes; with PCID if {@code pcid}. */
    record Switch(long count, boolean pcid) implements Op {}

    /** Clear the guest PTEs of {@code [offset, offset + bytes)} and INVLPG each page. */
    record Unmap(long bytes, long offset) implements Op {}

    /** Set the guest PTEs of {@code [offset, offset + bytes)} again (to the same frames) and INVLPG each page. */
    record Remap(long bytes, long offset) implements Op {}

    /**
     * The guest gives the pages of {@code [offset, offset + bytes)} back to its own allocator: the mappings go, the
     * frames go on the guest's free list, and host memory behind them stays resident (until a balloon or free page
     * reporting returns it).
     */
    record Free(long bytes, long offset) implements Op {}

    /** Guest demand paging on (mappings built by the guest's own #PF handler) or off (prefaulted). */
    record Demand(boolean on) implements Op {}

    /**
     * From now on the running guest maps new region pages with pages of {@code 1 << shift} bytes: {@link #SHIFT_4K}
     * (4 KiB PTEs) or {@link #SHIFT_2M} (2 MiB PDEs with PS set).
     */
    record PageSize(int shift) implements Op {
        public static final int SHIFT_4K = 12;             // SDM Vol 3A §4.5: 4-KByte page
        public static final int SHIFT_2M = 21;             // SDM Vol 3A §4.5: 2-MByte page (PDE.PS = 1)

        public PageSize {
            if (shift != SHIFT_4K && shift != SHIFT_2M) throw new IllegalArgumentException("page shift must be 12 or 21, not " + shift);
        }
    }

    /** Balloon inflate/deflate by {@code bytes}, or set the balloon {@code to} a size. */
    record Balloon(BalloonAction action, long bytes) implements Op {}

    /** Let {@code nanos} of (virtual or wall) time pass. */
    record Sleep(long nanos) implements Op {}

    /** Check that every page the workload wrote still holds what it wrote. */
    record Verify() implements Op {}

    /** Run {@code body} {@code times} times. */
    record Repeat(int times, List<Op> body) implements Op {
        public Repeat {
            body = List.copyOf(body);
        }
    }

    /**
     * Replay the data accesses of a {@code valgrind --tool=lackey --trace-mem=yes} log as guest virtual addresses.
     * {@code accesses} holds one entry per access: the address with bit 0 set for a store or modify (addresses are
     * used at qword granularity, so bit 0 is free).
     */
    record Trace(String file, long[] accesses) implements Op {
        /** Equal when the file name and every access are equal (a record compares arrays by identity). */
        @Override
        public boolean equals(Object other) {
            return other instanceof Trace(String f, long[] a) && file.equals(f) && java.util.Arrays.equals(accesses, a);
        }

        @Override
        public int hashCode() {
            return 31 * file.hashCode() + java.util.Arrays.hashCode(accesses);
        }

        @Override
        public String toString() {
            return "Trace[file=" + file + ", accesses=" + accesses.length + "]";
        }
    }

    /** The content a {@link Fill} writes. */
    sealed interface Content {
        /** All-zero pages (KSM's use_zero_pages case). */
        record Zero() implements Content {}

        /** Pages cycling through {@code variants} distinct patterns (1 = all identical). */
        record Same(int variants) implements Content {}

        /** Every page different from every other, deterministically. */
        record Unique() implements Content {}

        /** Pseudo-random pages from {@code seed}. */
        record RandomBytes(long seed) implements Content {}
    }

    /** How {@link Random} picks pages. */
    sealed interface Distribution {
        record Uniform() implements Distribution {}

        /** Zipf over pages with exponent {@code theta}. */
        record Zipf(double theta) implements Distribution {}
    }

    /** What a {@link Balloon} op does. */
    enum BalloonAction { INFLATE, DEFLATE, TO }
}
