package org.memvirt.qemu.agent;

import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

import org.memvirt.workload.AccessStream;
import org.memvirt.workload.Op;
import org.memvirt.workload.Unrolled;

/**
 * Workload ops as agent requests (docs/agent-protocol.md, "Requests"): the workload language is parsed only in Java,
 * the agent gets a handful of primitive requests. {@code repeat} is unrolled; {@code random} streams its
 * {@link AccessStream} (the sim's sequence) as {@code access} lists of at most {@value #ACCESS_CHUNK} entries;
 * {@code trace} replays at page granularity; with demand paging off, {@code random} and {@code trace} first
 * populate the pages they reach, as the sim maps them first. Stateful: it tracks the agent's demand paging flag.
 */
final class OpRequests {
    static final int ACCESS_CHUNK = 65_536;          // guest/agent/agent.h ACCESS_MAX
    static final long PAGE = 4096;

    private boolean demand;                          // the agent starts with demand paging off (docs/guest-model.md)

    /** Throws when {@code op} (or an op inside it) is not the agent's to run. */
    static void checkSupported(Op op, String text) {
        switch (op) {
            case Op.Balloon b -> throw new AgentException("'" + text + "': balloon ops are driven from the host over QMP,"
                    + " not by the guest agent");
            case Op.Repeat(int times, List<Op> body) -> body.forEach(o -> checkSupported(o, text));
            default -> { }
        }
    }

    /** The request bodies (without sequence numbers) for {@code op}, made as they are taken. */
    Iterator<String> of(Op op) {
        return new Unroll(List.of(op));
    }

    /** The requests of one op that is not a repeat. */
    private Iterator<String> leaf(Op op) {
        return switch (op) {
            case Op.Touch(long bytes, long offset) -> one(range("touch", offset, bytes));
            case Op.Read(long bytes, long offset) -> one(range("read", offset, bytes));
            case Op.Fill(long bytes, long offset, Op.Content content) -> one(range("fill", offset, bytes) + " " + fill(content));
            case Op.Unmap(long bytes, long offset) -> one(range("unmap", offset, bytes));
            case Op.Remap(long bytes, long offset) -> one(range("remap", offset, bytes));
            case Op.Free(long bytes, long offset) -> one(range("free", offset, bytes));
            case Op.Processes(int count) -> one("processes " + count);
            case Op.Switch(long count, boolean pcid) -> one("switch " + count + (pcid ? " 1" : " 0"));
            case Op.Demand(boolean on) -> {
                demand = on;
                yield one("demand " + (on ? 1 : 0));
            }
            case Op.PageSize(int shift) -> one("pages " + shift);
            case Op.Sleep(long nanos) -> one("sleep " + nanos);
            case Op.Verify() -> one("verify");
            case Op.Random r -> random(r);
            case Op.Trace(String file, long[] accesses) -> trace(accesses);
            case Op.Balloon b -> throw new AgentException("balloon ops are driven from the host over QMP, not by the guest agent");
            case Op.Repeat r -> throw new IllegalStateException("repeat is unrolled by Unroll");
        };
    }

    private static Iterator<String> one(String request) {
        return List.of(request).iterator();
    }

    private static String range(String verb, long offset, long bytes) {
        return verb + " " + offset + " " + bytes;
    }

    /** KIND PARAM as Patterns.fill numbers them (0 zero, 1 same with variants, 2 unique, 3 random with seed). */
    private static String fill(Op.Content content) {
        return switch (content) {
            case Op.Content.Zero() -> "0 0";
            case Op.Content.Same(int variants) -> "1 " + variants;
            case Op.Content.Unique() -> "2 0";
            case Op.Content.RandomBytes(long seed) -> "3 " + Long.toUnsignedString(seed);
        };
    }

    /** With demand off, one populate of [0, over) (the sim maps it first); then the stream in access lists. */
    private Iterator<String> random(Op.Random r) {
        long pages = (r.over() + PAGE - 1) / PAGE;
        AccessStream stream = new AccessStream(pages, r.writesPercent(), r.distribution(), r.seed());
        Iterator<String> accesses = new Iterator<>() {
            long left = r.count();

            @Override
            public boolean hasNext() {
                return left > 0;
            }

            @Override
            public String next() {
                if (left == 0) throw new NoSuchElementException();
                int n = (int) Math.min(ACCESS_CHUNK, left);
                left -= n;
                long[] entries = new long[n];
                for (int i = 0; i < n; i++) entries[i] = stream.next();
                return access(entries, n);
            }
        };
        return demand ? accesses : concat(one(range("populate", 0, pages * PAGE)), accesses);
    }

    /**
     * A trace at page granularity (each access at qword 0 of its page, as random's; bit 0 still marks a store): with
     * demand off, each run of consecutive pages it reaches is populated first.
     */
    private Iterator<String> trace(long[] accesses) {
        long[] entries = new long[accesses.length];
        for (int i = 0; i < accesses.length; i++) entries[i] = (accesses[i] / PAGE) << 1 | (accesses[i] & 1);
        Iterator<String> lists = new Iterator<>() {
            int at;

            @Override
            public boolean hasNext() {
                return at < entries.length;
            }

            @Override
            public String next() {
                int n = Math.min(ACCESS_CHUNK, entries.length - at);
                String line = access(Arrays.copyOfRange(entries, at, at + n), n);
                at += n;
                return line;
            }
        };
        if (demand) return lists;
        long[] pages = Arrays.stream(entries).map(e -> e >>> 1).sorted().distinct().toArray();
        List<String> populate = new java.util.ArrayList<>();
        for (int i = 0; i < pages.length; ) {
            int j = i;
            while (j + 1 < pages.length && pages[j + 1] == pages[j] + 1) j++;
            populate.add(range("populate", pages[i] * PAGE, (pages[j] - pages[i] + 1) * PAGE));
            i = j + 1;
        }
        return concat(populate.iterator(), lists);
    }

    private static String access(long[] entries, int n) {
        StringBuilder line = new StringBuilder(16 + 12 * n).append("access ").append(n);
        for (int i = 0; i < n; i++) line.append(' ').append(entries[i]);
        return line.toString();
    }

    private static Iterator<String> concat(Iterator<String> a, Iterator<String> b) {
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return a.hasNext() || b.hasNext();
            }

            @Override
            public String next() {
                return a.hasNext() ? a.next() : b.next();
            }
        };
    }

    /** Each op's requests, made only when the previous op's are taken (so demand changes apply in order). */
    private final class Unroll implements Iterator<String> {
        private final Unrolled ops;
        private Iterator<String> current = List.<String>of().iterator();

        Unroll(List<Op> ops) {
            this.ops = new Unrolled(ops);
        }

        @Override
        public boolean hasNext() {
            while (!current.hasNext()) {
                if (!ops.hasNext()) return false;
                current = leaf(ops.next());
            }
            return true;
        }

        @Override
        public String next() {
            if (!hasNext()) throw new NoSuchElementException();
            return current.next();
        }
    }
}
