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
import org.memvirt.engine.RunResult;
import org.memvirt.host.FreeMemory;

/** {@code memvirt run}'s text: the machine, the ops, every counter, the memory picture, the host's {@code free}, the cost. */
public final class RunText {
    private static final Counter[] OP_COLUMNS = {Counter.EXITS, Counter.PF_FIXED, Counter.PF_GUEST, Counter.INVLPG,
        Counter.TLB_FLUSH, Counter.STLB_MISSES, Counter.WALK_REFS};
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
        out.printf("mmu:       %s, VPID %s%n", r.mmu().word(), r.vpid() ? "on" : "off");
        out.printf("machine:   %s, %s RAM (%s below 4G, %s above 4G), %d vCPU%s%n", l.machine(), mib(l.ramSize()),
                mib(l.belowFourG()), mib(l.aboveFourG()), machine.smp(), machine.smp() == 1 ? "" : "s");
        out.printf("workload:  %s%n%n", workload);
        printOps(out, r);
        out.println();
        printCounters(out, r.counters());
        out.println();
        RunResult.MemoryPicture m = r.memory();
        out.println("memory:");
        out.printf("  configured      %s%n", mib(m.configuredBytes()));
        out.printf("  resident        %s  (guest RAM backed by host memory)%n", mib(m.residentBytes()));
        if (m.balloonedBytes() > 0) out.printf("  ballooned       %s%n", mib(m.balloonedBytes()));
        if (m.swappedBytes() > 0) out.printf("  swapped         %s%n", mib(m.swappedBytes()));
        out.printf("  page tables     %s  (guest tables + shadow or EPT/NPT tables)%n", mib(m.pageTableBytes()));
        out.println();
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

    /** {@code sim/shadow/vpid-on}, with {@code /TLB} where it differs from the main run's; repeats get {@code #2}. */
    public static List<String> compareLabels(List<RunResult> runs) {
        RunResult main = runs.getFirst();
        List<String> labels = new ArrayList<>(runs.size());
        for (RunResult r : runs) {
            String base = r.engine().key() + "/" + r.mmu().word() + "/vpid-" + (r.vpid() ? "on" : "off")
                    + (r.tlb() == null || r.tlb().equals(main.tlb()) ? "" : "/" + r.tlb());
            String label = base;
            for (int n = 2; labels.contains(label); n++) label = base + "#" + n;
            labels.add(label);
        }
        return labels;
    }

    private static void printOps(PrintWriter out, RunResult r) {
        int width = 10;
        for (RunResult.OpResult op : r.ops()) width = Math.max(width, Math.min(40, op.op().length()));
        StringBuilder head = new StringBuilder(String.format("%-" + width + "s %12s", "op", "time"));
        for (Counter c : OP_COLUMNS) head.append(String.format(" %12s", c.key()));
        out.println(head);
        for (RunResult.OpResult op : r.ops()) {
            String name = op.op().length() > width ? op.op().substring(0, width - 1) + "…" : op.op();
            StringBuilder row = new StringBuilder(String.format("%-" + width + "s %12s", name, time(op.nanos())));
            for (Counter c : OP_COLUMNS) row.append(String.format(" %12s", count(op.deltas().values().get(c.key()))));
            out.println(row);
        }
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
