package org.memvirt.workload;

import java.util.Arrays;
import java.util.List;

/** How much of the workload region ops reach, and how many page accesses they make: what engines size and check. */
public final class Footprint {

    /** The first region page of an op's range ({@code offset / 4K}); 0 for ops without one. */
    public static long firstPage(Op op) {
        return switch (op) {
            case Op.Touch(long bytes, long offset) -> offset / WorkloadUnits.PAGE_SIZE;
            case Op.Read(long bytes, long offset) -> offset / WorkloadUnits.PAGE_SIZE;
            case Op.Fill(long bytes, long offset, Op.Content content) -> offset / WorkloadUnits.PAGE_SIZE;
            case Op.Unmap(long bytes, long offset) -> offset / WorkloadUnits.PAGE_SIZE;
            case Op.Remap(long bytes, long offset) -> offset / WorkloadUnits.PAGE_SIZE;
            case Op.Free(long bytes, long offset) -> offset / WorkloadUnits.PAGE_SIZE;
            default -> 0;
        };
    }

    /**
     * The 4 KiB pages an op's range covers: {@code bytes / 4K} for touch, read, fill, unmap, remap and free,
     * {@code over / 4K}
     * for random, the distinct pages of a trace, the most of any body op for repeat, 0 for ops without a range.
     */
    public static long pages(Op op) {
        return switch (op) {
            case Op.Touch(long bytes, long offset) -> bytes / WorkloadUnits.PAGE_SIZE;
            case Op.Read(long bytes, long offset) -> bytes / WorkloadUnits.PAGE_SIZE;
            case Op.Fill(long bytes, long offset, Op.Content content) -> bytes / WorkloadUnits.PAGE_SIZE;
            case Op.Unmap(long bytes, long offset) -> bytes / WorkloadUnits.PAGE_SIZE;
            case Op.Remap(long bytes, long offset) -> bytes / WorkloadUnits.PAGE_SIZE;
            case Op.Free(long bytes, long offset) -> bytes / WorkloadUnits.PAGE_SIZE;
            case Op.Random random -> random.over() / WorkloadUnits.PAGE_SIZE;
            case Op.Trace(String file, long[] accesses) -> distinctPages(accesses);
            case Op.Repeat(int times, List<Op> body) -> body.stream().mapToLong(Footprint::pages).max().orElse(0);
            case Op.Processes p -> 0;
            case Op.Switch s -> 0;
            case Op.Demand d -> 0;
            case Op.PageSize p -> 0;
            case Op.Balloon b -> 0;
            case Op.Sleep s -> 0;
            case Op.Verify v -> 0;
        };
    }

    /**
     * Page accesses (or PTE edits) an op makes, repeats multiplied out: pages for touch, read, fill, unmap, remap
     * and free;
     * {@code count} for random; entries for trace; saturating at {@code Long.MAX_VALUE}.
     */
    public static long accesses(Op op) {
        return switch (op) {
            case Op.Random random -> random.count();
            case Op.Trace(String file, long[] accesses) -> accesses.length;
            case Op.Repeat(int times, List<Op> body) -> {
                long once = 0;
                for (Op inner : body) once = saturatedAdd(once, accesses(inner));
                yield once > Long.MAX_VALUE / times ? Long.MAX_VALUE : once * times;
            }
            default -> pages(op);
        };
    }

    /** The exclusive end, in bytes from the region start, of what an op can reach; 0 for ops without a range. */
    public static long regionEnd(Op op) {
        return switch (op) {
            case Op.Touch(long bytes, long offset) -> offset + bytes;
            case Op.Read(long bytes, long offset) -> offset + bytes;
            case Op.Fill(long bytes, long offset, Op.Content content) -> offset + bytes;
            case Op.Unmap(long bytes, long offset) -> offset + bytes;
            case Op.Remap(long bytes, long offset) -> offset + bytes;
            case Op.Free(long bytes, long offset) -> offset + bytes;
            case Op.Random random -> random.over();
            case Op.Trace(String file, long[] accesses) -> traceEnd(accesses);
            case Op.Repeat(int times, List<Op> body) -> body.stream().mapToLong(Footprint::regionEnd).max().orElse(0);
            default -> 0;
        };
    }

    /** The highest {@link #regionEnd(Op)} of any step: the workload region each process needs. */
    public static long regionEnd(Workload workload) {
        return most(workload, Footprint::regionEnd);
    }

    /** The largest value {@code of} gives any step's op, 0 for no steps. */
    private static long most(Workload workload, java.util.function.ToLongFunction<Op> of) {
        long most = 0;
        for (Workload.Step step : workload.steps()) most = Math.max(most, of.applyAsLong(step.op()));
        return most;
    }

    /** The most processes the workload has at any time: 1 at start, then what {@code processes N} sets. */
    public static int maxProcesses(Workload workload) {
        return (int) Math.max(1, most(workload, Footprint::maxProcesses));
    }

    private static long maxProcesses(Op op) {
        return switch (op) {
            case Op.Processes(int count) -> count;
            case Op.Repeat(int times, List<Op> body) -> body.stream().mapToLong(Footprint::maxProcesses).max().orElse(1);
            default -> 1;
        };
    }

    /** The largest Zipf CDF an op needs (one double per page of its range), in bytes; 0 without {@code dist zipf}. */
    public static long zipfTableBytes(Workload workload) {
        return most(workload, Footprint::zipfTableBytes);
    }

    private static long zipfTableBytes(Op op) {
        return switch (op) {
            case Op.Random r when r.distribution() instanceof Op.Distribution.Zipf -> 8 * (r.over() / WorkloadUnits.PAGE_SIZE);
            case Op.Repeat(int times, List<Op> body) -> body.stream().mapToLong(Footprint::zipfTableBytes).max().orElse(0);
            default -> 0;
        };
    }

    private static long traceEnd(long[] accesses) {
        long last = 0;
        for (long access : accesses) last = Math.max(last, access & ~(WorkloadUnits.PAGE_SIZE - 1));
        return last + WorkloadUnits.PAGE_SIZE;
    }

    private static long distinctPages(long[] accesses) {
        long[] pages = new long[accesses.length];
        for (int i = 0; i < accesses.length; i++) pages[i] = accesses[i] / WorkloadUnits.PAGE_SIZE;
        Arrays.sort(pages);
        long distinct = 0;
        for (int i = 0; i < pages.length; i++) if (i == 0 || pages[i] != pages[i - 1]) distinct++;
        return distinct;
    }

    private static long saturatedAdd(long a, long b) {
        long sum = a + b;
        return sum < 0 ? Long.MAX_VALUE : sum;
    }

    private Footprint() {}
}
