package org.memvirt.report;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import org.memvirt.config.MachineConfig;
import org.memvirt.config.MemoryLayout;
import org.memvirt.engine.Counter;
import org.memvirt.engine.Counters;
import org.memvirt.engine.ResidentSplit;
import org.memvirt.engine.RunResult;
import org.memvirt.host.FreeMemory;

/** {@code memvirt run}'s text: the machine, the ops, every counter, the memory picture, the host's {@code free}, the cost. */
public final class RunText {
    private static final Counter[] OP_COLUMNS = {Counter.EXITS, Counter.PF_FIXED, Counter.PF_GUEST, Counter.INVLPG,
        Counter.TLB_FLUSH, Counter.STLB_MISSES, Counter.WALK_REFS};
    /** A real Linux guest's columns, after those of {@link #OP_COLUMNS} its ops report (KVM's, under KVM). */
    private static final Counter[] GUEST_OP_COLUMNS = {Counter.PGFAULT, Counter.THP_FAULT_ALLOC,
        Counter.GUEST_RAM_RSS_KB, Counter.GUEST_MEM_TOTAL_KB, Counter.GUEST_MEM_FREE_KB};
    /** A counter the run does not report (e.g. walk_refs on the kvm engine): never a made-up 0. */
    static final String NOT_REPORTED = "-";

    private RunText() {}

    /**
     * One run as a person reads it.
     *
     * @param workload the workload as written
     * @param hostMemTotal this host's MemTotal in bytes, for the {@code free} view of the VM alone on it
     */
    public static void print(PrintWriter out, MachineConfig machine, String workload, RunResult r, long hostMemTotal) {
        MemoryLayout l = machine.layout();
        out.printf("engine:    %s (%s)%n", r.engine().key(), r.engineReason());
        if (r.accel() != null) {
            out.printf("accel:     %s%s%n", r.accel(), r.bootMs() == null ? ""
                    : String.format(Locale.ROOT, ", guest agent ready %.1f s after QEMU started", r.bootMs() / 1e3));
        }
        if (r.mmu() == null) out.printf("mmu:       none: %s translates guest addresses in software%n", r.mmuWord());
        else out.printf("mmu:       %s, VPID %s%n", r.mmu().word(), r.vpid() ? "on" : "off");
        out.printf("machine:   %s, %s RAM (%s below 4G, %s above 4G), %d vCPU%s%n", l.machine(), mib(l.ramSize()),
                mib(l.belowFourG()), mib(l.aboveFourG()), machine.smp(), machine.smp() == 1 ? "" : "s");
        out.printf("workload:  %s%n%n", workload.isEmpty() ? "(none: the guest ran its own work)" : workload);
        printOps(out, r);
        out.println();
        printCounters(out, r.counters());
        out.println();
        RunResult.MemoryPicture m = r.memory();
        out.println("memory:");
        out.printf("  configured      %s%n", mib(m.configuredBytes()));
        out.printf("  resident        %s  (guest RAM backed by host memory)%n", mib(m.residentBytes()));
        if (m.balloonedBytes() > 0 && r.guest() == null) out.printf("  ballooned       %s%n", mib(m.balloonedBytes()));
        if (m.swappedBytes() > 0) out.printf("  swapped         %s%n", mib(m.swappedBytes()));
        ResidentSplit a = m.accounting();
        if (a != null) {
            out.printf("    struct pages  %s  (the guest kernel's struct page array: 64 B per 4 KiB page of -m, 1.56 %%)%n",
                    mib(a.structPagesBytes()));
            out.printf("    kernel        %s  (kernel, initramfs and the rest of what the guest touched while booting)%n",
                    mib(a.kernelBytes()));
            out.printf("    workload      %s  (the workload's pages the guest holds now)%n", mib(a.workloadBytes()));
            out.printf("    other         %s  (freed by the guest but still resident, page cache, slab; negative: given"
                    + " back by the balloon or free page reporting)%n", mib(a.otherBytes()));
        }
        if (m.balloonedBytes() > 0 && r.guest() != null) out.printf("  ballooned       %s%n", mib(m.balloonedBytes()));
        out.printf("  page tables     %s  (%s)%n", mib(m.pageTableBytes()), r.guest() != null ? "the guest's own page tables"
                : "guest tables + shadow or EPT/NPT tables");
        if (m.vmmOverheadBytes() != null) {
            out.printf("  VMM beyond RAM  %s  (QEMU's VmRSS less guest RAM's Rss)%n", mib(m.vmmOverheadBytes()));
        }
        if (!r.notes().isEmpty()) {
            out.println();
            out.println("notes:");
            for (String note : r.notes()) out.printf("  %s%n", note);
        }
        out.println();
        if (r.guest() != null && r.hostFree() != null) {
            if (r.guest().free() != null) {
                out.println("guest (free -m inside the guest" + (r.guest().agent() ? "" : ", from its balloon driver") + "):");
                out.print(FreeTable.render(r.guest().free(), FreeUnit.MEBI));
            }
            out.println("host (free -m, this host at the end of the run, the guest still running):");
            out.print(FreeTable.render(r.hostFree(), FreeUnit.MEBI));
            return;
        }
        out.println("host (free -m, this VM alone on this host's RAM):");
        long total = hostMemTotal;
        // KVM's own table pages: the sim counts them; the kvm engine cannot see them (kernel memory), so none
        long used = Math.min(total, m.residentBytes() + r.counters().find(Counter.SHADOW_PAGES).orElse(0) * 4096
                + r.counters().find(Counter.TDP_PAGES).orElse(0) * 4096);
        out.print(FreeTable.render(FreeMemory.ofUsed(total, used), FreeUnit.MEBI));
        RunResult.Cost cost = r.cost();
        if (cost != null) {
            out.println();
            out.printf("cost estimate: %,d cycles (%s) vs %,d native (%s): slowdown %.2fx%n", cost.vmCycles(),
                    time(cost.vmNanos()), cost.nativeCycles(), time(cost.nativeNanos()), cost.slowdown());
            out.println("  (constants: docs/sim-engine.md; a model, not a measurement)");
        }
    }

    /** Every counter of every run, one column per run labelled {@code engine/mmu/vpid-on}, and the cost (sim). */
    public static void printCompare(PrintWriter out, List<RunResult> runs) {
        List<String> labels = compareLabels(runs);
        Set<String> names = new LinkedHashSet<>();
        for (RunResult r : runs) names.addAll(r.counters().values().keySet());
        int width = 20;
        for (String l : labels) width = Math.max(width, l.length());
        out.println();
        out.println("compare:");
        StringBuilder head = new StringBuilder(String.format("  %-20s", "counter"));
        for (String l : labels) head.append(String.format(" %" + width + "s", l));
        out.println(head);
        for (String name : names) {
            StringBuilder row = new StringBuilder(String.format("  %-20s", name));
            for (RunResult r : runs) row.append(String.format(" %" + width + "s", count(r.counters().values().get(name))));
            out.println(row);
        }
        if (runs.stream().allMatch(r -> r.cost() != null)) {
            StringBuilder row = new StringBuilder(String.format("  %-20s", "slowdown (model)"));
            for (RunResult r : runs) row.append(String.format(Locale.ROOT, " %" + (width - 1) + ".2fx", r.cost().slowdown()));
            out.println(row);
        }
    }

    /**
     * {@code sim/shadow/vpid-on}, with {@code /TLB} where it differs from the main run's, and {@code /linux} or
     * {@code /micro} where the guest does; repeats get {@code #2}.
     */
    public static List<String> compareLabels(List<RunResult> runs) {
        RunResult main = runs.getFirst();
        List<String> labels = new ArrayList<>(runs.size());
        for (RunResult r : runs) {
            boolean linux = r.memory().accounting() != null;
            String base = r.engine().key() + "/" + r.mmuWord() + "/vpid-" + (r.vpid() ? "on" : "off")
                    + (r.tlb() == null || r.tlb().equals(main.tlb()) ? "" : "/" + r.tlb())
                    + (linux == (main.memory().accounting() != null) ? "" : linux ? "/linux" : "/micro");
            String label = base;
            for (int n = 2; labels.contains(label); n++) label = base + "#" + n;
            labels.add(label);
        }
        return labels;
    }

    private static void printOps(PrintWriter out, RunResult r) {
        int width = 10;
        for (RunResult.OpResult op : r.ops()) width = Math.max(width, Math.min(40, op.op().length()));
        List<Counter> columns = opColumns(r);
        int cw = 12;
        for (Counter c : columns) cw = Math.max(cw, c.key().length());
        StringBuilder head = new StringBuilder(String.format("%-" + width + "s %12s", "op", "time"));
        for (Counter c : columns) head.append(String.format(" %" + cw + "s", c.key()));
        out.println(head);
        for (RunResult.OpResult op : r.ops()) {
            String name = op.op().length() > width ? op.op().substring(0, width - 1) + "…" : op.op();
            StringBuilder row = new StringBuilder(String.format("%-" + width + "s %12s", name, time(op.nanos())));
            for (Counter c : columns) row.append(String.format(" %" + cw + "s", count(op.deltas().values().get(c.key()))));
            out.println(row);
        }
    }

    /**
     * The op table's columns: {@link #OP_COLUMNS}; for a run whose ops report guest RAM's Rss (a real guest), those of
     * {@link #OP_COLUMNS} its ops report, then {@link #GUEST_OP_COLUMNS}.
     */
    static List<Counter> opColumns(RunResult r) {
        boolean guest = false;
        for (RunResult.OpResult op : r.ops()) guest |= op.deltas().has(Counter.GUEST_RAM_RSS_KB);
        if (!guest) return List.of(OP_COLUMNS);
        List<Counter> out = new ArrayList<>();
        for (Counter c : OP_COLUMNS) {
            for (RunResult.OpResult op : r.ops()) {
                if (op.deltas().has(c)) {
                    out.add(c);
                    break;
                }
            }
        }
        out.addAll(List.of(GUEST_OP_COLUMNS));
        return out;
    }

    private static void printCounters(PrintWriter out, Counters c) {
        out.println("counters:");
        int i = 0;
        for (Map.Entry<String, Long> e : c.values().entrySet()) {
            out.printf("  %-20s %14d%s", e.getKey(), e.getValue(), ++i % 3 == 0 ? "\n" : "");
        }
        if (i % 3 != 0) out.println();
    }

    private static String count(Long value) {
        return value == null ? NOT_REPORTED : Long.toString(value);
    }

    private static String mib(long bytes) {
        return bytes % (1L << 20) == 0 ? (bytes >> 20) + " MiB" : String.format(Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
    }

    private static String time(long nanos) {
        if (nanos < 10_000) return nanos + " ns";
        if (nanos < 10_000_000) return String.format(Locale.ROOT, "%.1f µs", nanos / 1e3);
        if (nanos < 10_000_000_000L) return String.format(Locale.ROOT, "%.1f ms", nanos / 1e6);
        return String.format(Locale.ROOT, "%.2f s", nanos / 1e9);
    }
}
