package org.memvirt.sim;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.memvirt.engine.HostSpec;
import org.memvirt.host.MmuMode;
import org.memvirt.workload.Footprint;
import org.memvirt.workload.Op;
import org.memvirt.workload.Workload;

/**
 * The heap a sim model will need, estimated before it is built, so that a model larger than the JVM's heap is refused
 * in one line instead of ending in an OutOfMemoryError minutes into the run. The bytes per guest page were measured
 * (live heap after a full GC at the end of each run, {@code scripts/bench-model heap}; docs/PERFORMANCE.md, "Heap per guest
 * page") and are rounded up; the pages a workload can touch are bounded from above by its ops.
 */
public final class ModelFootprint {
    // Measured 2026-12-07 (scripts/bench-model heap, -Xmx12g SerialGC): a single-VM run costs per touched guest page up to
    // 41.6 B under EPT/NPT and 58.2 B under shadow paging (both `fill 4G content=unique; verify` on -m 8G: host page
    // state, content id, verify's expected value, guest tables and the EPT or shadow tables); 25.5 B with 2M pages.
    static final double RUN_TDP_BYTES_PER_TOUCHED = 48;
    static final double RUN_SHADOW_BYTES_PER_TOUCHED = 64;
    // An untouched -m 64G guest measured 0.044 B per RAM page (the lazily filled chunk tables).
    static final double RUN_BYTES_PER_RAM_PAGE = 1.0 / 16;
    // A scenario VM allocates per RAM page up front: the flags byte (GuestPages) and, per chunk of 512 pages, the extent
    // fields of the host's contents and of the region map (PageContents, 96 B a chunk: 0.19 B a page each); with
    // mem-merge KSM's byte (age, skips) and its chunk tables; with verify the extent fields of the expected contents.
    static final double SCENARIO_BYTES_PER_RAM_PAGE = 1 + 2 * 96.0 / 512, SCENARIO_KSM_BYTES_PER_RAM_PAGE = 1 + 3 * 8.0 / 512,
            SCENARIO_VERIFY_BYTES_PER_RAM_PAGE = 96.0 / 512;
    // On top, per touched page: the reclaim ring (runs of handles; measured 0.25-2 B, 4 B if every entry stood alone),
    // and with mem-merge KSM's chunks where pages merged or changed under ksmd (stable node, rmap link, old checksum:
    // 4 B each) and the unstable tree (a bit an argument, 4 B where entries are out of step). Measured 8.6 B per page
    // in all for a 16 x 4 GiB host whose guests touch all their RAM (scripts/bench-model heap), RAM-page costs included.
    static final int SCENARIO_MERGEABLE_BYTES_PER_TOUCHED = 16, SCENARIO_BYTES_PER_TOUCHED = 8;
    // A page that holds a plain value (a touch or random write over a filled page mixes the two contents) is an
    // exception in the host's contents and in verify's (12 B each) and an entry of the unstable tree's map of values
    // (16 B slots at a load of at most 1/2: 32 B).
    static final int SCENARIO_BYTES_PER_PLAIN_PAGE = 12 + 12 + 32;
    /** memvirt's own heap beside the model: classes, parsed input, results and reports. */
    static final long BASE_BYTES = 64L << 20;
    static final long GIB = 1L << 30;

    /** The heap a single-VM sim run of {@code workload} on {@code ramPages} of guest RAM needs, at most. */
    public static long runBytes(long ramPages, Workload workload, MmuMode mode) {
        double perTouched = mode == MmuMode.SHADOW ? RUN_SHADOW_BYTES_PER_TOUCHED : RUN_TDP_BYTES_PER_TOUCHED;
        return (long) Math.ceil(ramPages * RUN_BYTES_PER_RAM_PAGE + touchedPages(ramPages, workload) * perTouched)
                + Footprint.zipfTableBytes(workload);
    }

    /**
     * Guest pages a workload can make resident: data pages of every process's region (processes have their own
     * frames, docs/guest-model.md) and their page tables (one table page per 512 entries, four levels), and never
     * more than the guest's RAM.
     */
    public static long touchedPages(long ramPages, Workload workload) {
        long region = (Footprint.regionEnd(workload) + 4095) / 4096;
        double data = (double) region * Footprint.maxProcesses(workload);
        double tables = data / 512 * (1 + 1.0 / 512 + 1.0 / (512 * 512)) + 4.0 * Footprint.maxProcesses(workload);
        return (long) Math.min(ramPages, Math.ceil(data + tables));
    }

    /** The heap one scenario VM needs, at most. */
    public static long scenarioVmBytes(long ramPages, long touchedPages, long plainPages, boolean mergeable, boolean verify) {
        double perRam = SCENARIO_BYTES_PER_RAM_PAGE + (mergeable ? SCENARIO_KSM_BYTES_PER_RAM_PAGE : 0)
                + (verify ? SCENARIO_VERIFY_BYTES_PER_RAM_PAGE : 0);
        long perTouched = mergeable ? SCENARIO_MERGEABLE_BYTES_PER_TOUCHED : SCENARIO_BYTES_PER_TOUCHED;
        long touched = Math.min(ramPages, touchedPages);
        return Math.addExact(Math.addExact((long) Math.ceil(ramPages * perRam), Math.multiplyExact(touched, perTouched)),
                Math.multiplyExact(Math.min(touched, plainPages), SCENARIO_BYTES_PER_PLAIN_PAGE));
    }

    /** Estimated model bytes of a simulated host: every VM's per-page arrays and what its workload and boot can touch. */
    public static long hostBytes(HostSpec s) {
        long bytes = 0;
        for (HostSpec.Vm vm : s.vms()) {
            long end = 0;
            for (Op op : vm.workload()) end = Math.max(end, Footprint.regionEnd(op));
            long touched = (end + 4095) / 4096 + vm.bootTouchBytes() / 4096;
            bytes = Math.addExact(bytes, scenarioVmBytes(vm.ramBytes() / 4096, touched, plainPages(vm.workload()),
                    vm.memMerge(), PageGuest.hasVerify(vm.workload())));
        }
        return bytes;
    }

    /**
     * Pages a scenario guest's workload can leave holding plain values, at most: only a touch or random write over a
     * page filled with other (non-zero) content mixes the two (PageGuest.write), so no more than the pages filled,
     * nor than the touched pages inside filled ranges and the random writes made.
     */
    static long plainPages(List<Op> ops) {
        List<Op.Fill> fills = new ArrayList<>();
        long filled = fills(ops, fills);
        return Math.min(filled, writesOverFills(ops, 1, fills));
    }

    /** The non-zero fills of {@code ops} (repeats included) into {@code out}; returns their pages. */
    private static long fills(List<Op> ops, List<Op.Fill> out) {
        long pages = 0;
        for (Op op : ops) {
            if (op instanceof Op.Fill f && !(f.content() instanceof Op.Content.Zero)) {
                out.add(f);
                pages = saturatedAdd(pages, Footprint.pages(f));
            } else if (op instanceof Op.Repeat r) {
                pages = saturatedAdd(pages, fills(r.body(), out));
            }
        }
        return pages;
    }

    /** Pages touched inside a fill's range and random writes, repeats multiplied out. */
    private static long writesOverFills(List<Op> ops, long times, List<Op.Fill> fills) {
        long writes = 0;
        for (Op op : ops) {
            long once = switch (op) {
                case Op.Touch t -> {
                    long overlap = 0;
                    for (Op.Fill f : fills) {
                        long from = Math.max(t.offset(), f.offset());
                        long to = Math.min(t.offset() + t.bytes(), f.offset() + f.bytes());
                        if (to > from) overlap = saturatedAdd(overlap, (to - from + 4095) / 4096 + 1);
                    }
                    yield overlap;
                }
                case Op.Random r -> saturatedAdd(saturatedTimes(r.count(), r.writesPercent()), 99) / 100;
                case Op.Repeat r -> writesOverFills(r.body(), r.times(), fills);
                default -> 0L;
            };
            writes = saturatedAdd(writes, saturatedTimes(once, times));
        }
        return writes;
    }

    private static long saturatedAdd(long a, long b) {
        long r = a + b;
        return r < 0 ? Long.MAX_VALUE : r;
    }

    private static long saturatedTimes(long a, long b) {
        return b != 0 && a > Long.MAX_VALUE / b ? Long.MAX_VALUE : a * b;
    }

    /** {@link #check(long, String, long)} against this JVM's heap limit. */
    public static void check(long modelBytes, String what) {
        check(modelBytes, what, Runtime.getRuntime().maxMemory());
    }

    /**
     * Refuses a model whose estimate, with memvirt's own {@link #BASE_BYTES}, exceeds {@code maxHeap}: {@code the sim
     * model of WHAT needs about 9.1 GiB of heap, the JVM has 4.0 GiB; set MEMVIRT_JAVA_OPTS=-Xmx10g ...}.
     */
    static void check(long modelBytes, String what, long maxHeap) {
        long needed = modelBytes + BASE_BYTES;
        if (needed <= maxHeap) return;
        long suggestGib = (needed + GIB - 1) / GIB + 1;
        int decimals = gib(needed, 1).equals(gib(maxHeap, 1)) ? 2 : 1;       // never "needs 1.0, has 1.0"
        throw new TooLarge("the sim model of " + what + " needs about " + gib(needed, decimals) + " of heap, the JVM has "
                + gib(maxHeap, decimals) + "; set MEMVIRT_JAVA_OPTS=-Xmx" + suggestGib + "g (./memvirt passes it to java) on a"
                + " host with that much memory, or make the guests or the workload smaller");
    }

    private static String gib(long bytes, int decimals) {
        return String.format(Locale.ROOT, "%." + decimals + "f GiB", bytes / (double) GIB);
    }

    /** A model this JVM cannot hold: the host (its heap limit) cannot run it, the input itself is fine. */
    public static final class TooLarge extends org.memvirt.MemvirtException {
        private static final long serialVersionUID = 1L;

        TooLarge(String message) {
            super(message);
        }

        @Override
        public int exitCode() {
            return org.memvirt.ExitCoded.HOST;             // docs/exit-codes.md: this host cannot do it
        }
    }

    private ModelFootprint() {}
}
