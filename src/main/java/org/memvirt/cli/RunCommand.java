package org.memvirt.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.memvirt.config.MachineConfig;
import org.memvirt.config.MemoryLayout;
import org.memvirt.engine.Counter;
import org.memvirt.engine.Counters;
import org.memvirt.engine.Engine;
import org.memvirt.engine.MmuMode;
import org.memvirt.engine.RunResult;
import org.memvirt.engine.RunSpec;
import org.memvirt.host.FreeMemory;
import org.memvirt.host.HostCapabilities;
import org.memvirt.kvm.KsmSettings;
import org.memvirt.kvm.KvmEngine;
import org.memvirt.kvm.KvmOptions;
import org.memvirt.report.FreeTable;
import org.memvirt.report.FreeUnit;
import org.memvirt.report.Json;
import org.memvirt.report.Progress;
import org.memvirt.report.RunReport;
import org.memvirt.sim.CostModel;
import org.memvirt.sim.SimEngine;
import org.memvirt.workload.Workload;
import org.memvirt.workload.WorkloadParser;
import org.memvirt.workload.WorkloadUnits;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code memvirt run}: runs a workload on a machine with the sim or kvm engine and reports counters and memory. */
@Command(name = "run", mixinStandardHelpOptions = true, sortOptions = false,
        footerHeading = Main.ENV_HEADING, footer = {Main.ENV_HOST_ROOT, Main.ENV_KVM},
        description = "Run a workload on a VM configured with QEMU's memory options, on the simulator or on /dev/kvm, "
                + "and print the machine, KVM's counters, the memory picture and (sim) the cost estimate.")
final class RunCommand implements Runnable {
    @Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    QemuOptions qemu;

    @Option(names = "--engine", defaultValue = "auto", paramLabel = "sim|kvm|auto",
            description = "sim, kvm, or auto: kvm when /dev/kvm is usable, else sim (default: ${DEFAULT-VALUE}).")
    String engine;

    @Option(names = "--workload", required = true, paramLabel = "OPS|FILE",
            description = "Workload shorthand (\"touch 1G; switch 100\") or a .yaml/.yml/.json/.txt file.")
    String workload;

    @Option(names = "--mmu", paramLabel = "ept|npt|shadow",
            description = "MMU mode of the sim engine (the kvm engine uses the host's). Default: what host-check says "
                    + "this host gives guests.")
    String mmu;

    @Option(names = "--vpid", defaultValue = "on", paramLabel = "on|off",
            description = "Tag TLB entries with VPID/ASID (default: ${DEFAULT-VALUE}, as kvm_intel's enable_vpid).")
    String vpid;

    @Option(names = "--tlb", defaultValue = "zen5", paramLabel = "zen5|golden-cove|FILE",
            description = "TLB geometry for the sim engine (default: ${DEFAULT-VALUE}).")
    String tlb;

    @Option(names = "--seed", defaultValue = "1", description = "Seed for the engine's own choices (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--timeout", defaultValue = "600", paramLabel = "SECONDS",
            description = "Wall-clock limit of a kvm run (default: ${DEFAULT-VALUE}).")
    long timeoutSeconds;

    @Option(names = "--ksm", description = "kvm engine: run ksmd for the run (5,000 pages per 20 ms wake), every changed "
            + "/sys/kernel/mm/ksm value restored afterwards.")
    boolean ksm;

    @Option(names = "--resident-limit", paramLabel = "SIZE", description = "kvm engine: keep at most SIZE of guest RAM "
            + "resident; the VMM swaps the rest to its own file through userfaultfd (hypervisor-level swap).")
    String residentLimit;

    @Option(names = "--compare", paramLabel = "OPTIONS", parameterConsumer = CompareValue.class, description = "Also run the same machine and workload with "
            + "these of the main run's options changed: --mmu, --vpid, --engine, --tlb, --seed (e.g. \"--mmu ept\"). "
            + "Repeatable; the runs are shown side by side.")
    List<String> compare = new java.util.ArrayList<>();

    @Option(names = "--json", description = "Print the run result as JSON.")
    boolean json;

    @Option(names = "--report", paramLabel = "FILE.html", description = "Also write an HTML report of the run.")
    Path report;

    /** A bad option word or combination: one line, exit status 2 like picocli's own usage errors. */
    static final class UsageError extends org.memvirt.MemvirtException {
        private static final long serialVersionUID = 1L;

        UsageError(String message) {
            super(message);
        }

        @Override
        public int exitCode() {
            return USAGE;
        }
    }

    /** The engine that will run and why. */
    record Choice(Engine engine, String reason) {}

    /** Takes the word after {@code --compare} as its value even when it starts with a dash ({@code "-m 1G"}). */
    static final class CompareValue implements CommandLine.IParameterConsumer {
        @Override
        public void consumeParameters(java.util.Stack<String> args, CommandLine.Model.ArgSpec argSpec,
                CommandLine.Model.CommandSpec commandSpec) {
            if (args.isEmpty()) {
                throw new CommandLine.ParameterException(commandSpec.commandLine(),
                        "--compare needs a value, e.g. --compare \"--mmu ept\"");
            }
            List<String> values = argSpec.getValue();
            values.add(args.pop());
        }
    }

    /** The options one run is made of; a {@code --compare} value overrides some of the main run's. */
    record Variant(String engine, String mmu, String vpid, String tlb, long seed) {
        /** This variant with the options of one {@code --compare} value applied; anything else is refused. */
        Variant with(String compareValue) {
            List<String> words;
            try {
                words = ShellWords.split(compareValue);
            } catch (IllegalArgumentException e) {
                throw new UsageError("--compare: " + e.getMessage());
            }
            if (words.isEmpty()) throw new UsageError("--compare: empty; give options such as \"--mmu ept\"");
            Variant v = this;
            for (int i = 0; i < words.size(); i++) {
                String word = words.get(i);
                int eq = word.indexOf('=');
                String name = eq > 0 ? word.substring(0, eq) : word;
                if (!COMPARE_OPTIONS.contains(name)) {
                    throw new UsageError("--compare: only --mmu, --vpid, --engine, --tlb and --seed may differ, not '"
                            + word + "'");
                }
                String value;
                if (eq > 0) value = word.substring(eq + 1);
                else if (i + 1 < words.size()) value = words.get(++i);
                else throw new UsageError("--compare: " + name + " needs a value");
                v = v.set(name, value);
            }
            return v;
        }

        private Variant set(String option, String value) {
            return switch (option) {
                case "--engine" -> new Variant(value, mmu, vpid, tlb, seed);
                case "--mmu" -> new Variant(engine, value, vpid, tlb, seed);
                case "--vpid" -> new Variant(engine, mmu, value, tlb, seed);
                case "--tlb" -> new Variant(engine, mmu, vpid, value, seed);
                case "--seed" -> {
                    try {
                        yield new Variant(engine, mmu, vpid, tlb, Long.parseLong(value));
                    } catch (NumberFormatException e) {
                        throw new UsageError("--compare: --seed must be a whole number, not '" + value + "'");
                    }
                }
                default -> throw new IllegalStateException(option);
            };
        }
    }

    private static final List<String> COMPARE_OPTIONS = List.of("--engine", "--mmu", "--vpid", "--tlb", "--seed");

    /** One finished run: its result with the reason for its engine, its cost estimate (sim) and its TLB preset. */
    record Done(RunResult result, CostModel.Estimate cost, String tlb) {}

    @Override
    public void run() {
        PrintWriter err = spec.commandLine().getErr();
        HostCapabilities host = HostCapabilities.read();
        Variant main = new Variant(engine, mmu, vpid, tlb, seed);
        List<Variant> variants = new java.util.ArrayList<>(List.of(main));
        for (String c : compare) variants.add(main.with(c));
        List<Choice> choices = new java.util.ArrayList<>(variants.size());
        for (Variant v : variants) choices.add(withHostOptions(chooseEngine(v.engine()), ksm, residentLimit));
        boolean kvm = choices.stream().anyMatch(c -> "kvm".equals(c.engine().name()));
        MachineConfig machine = kvm ? qemu.resolve(err, host.maxVcpus()) : qemu.resolve(err);
        Workload w = parseWorkload(workload);
        List<Done> runs = new java.util.ArrayList<>(variants.size());
        for (int i = 0; i < variants.size(); i++) runs.add(runOne(variants.get(i), choices.get(i), machine, w, host));
        if (report != null) writeReport(report, runs.stream().map(Done::result).toList(), machine);
        PrintWriter out = spec.commandLine().getOut();
        Done first = runs.getFirst();
        if (json) out.println(runs.size() == 1 ? toJson(first.result(), first.cost(), first.tlb()) : toJson(runs));
        else {
            printHuman(out, machine, w, first.result(), first.cost(), host);
            if (runs.size() > 1) printCompare(out, runs);
        }
        out.flush();
    }

    private Done runOne(Variant v, Choice choice, MachineConfig machine, Workload w, HostCapabilities host) {
        MmuMode mode = mmuMode(v.mmu(), host);
        boolean vpidOn = onOff("--vpid", v.vpid());
        RunSpec runSpec = new RunSpec(machine, w, mode, vpidOn, v.tlb(), Duration.ofSeconds(timeoutSeconds), v.seed());
        RunResult raw;
        try (Progress progress = Progress.forStderr(System.err, json)) {
            raw = choice.engine().run(runSpec, progress);
        }
        RunResult r = new RunResult(raw.engine(), choice.reason(), raw.mmu(), raw.vpid(), raw.memory(), raw.counters(),
                raw.vcpus(), raw.ops());
        CostModel.Estimate cost = "sim".equals(r.engine()) ? CostModel.DEFAULT.estimate(r.counters()) : null;
        return new Done(r, cost, v.tlb());
    }

    /**
     * The one place an engine is chosen. {@code auto}: kvm when /dev/kvm is usable (decided by the kvm engine from
     * the device and its ioctls), else sim; the reason says which and why.
     */
    static Choice chooseEngine(String requested) {
        return switch (requested.toLowerCase(Locale.ROOT)) {
            case "sim" -> new Choice(new SimEngine(), "--engine sim");
            case "kvm" -> {
                KvmEngine.Usability u = KvmEngine.usable();
                if (!u.usable()) throw org.memvirt.kvm.KvmException.host("--engine kvm: " + u.reason());
                yield new Choice(new KvmEngine(), "--engine kvm: " + u.reason());
            }
            case "auto" -> {
                KvmEngine.Usability u = KvmEngine.usable();
                yield u.usable() ? new Choice(new KvmEngine(), "--engine auto: " + u.reason())
                        : new Choice(new SimEngine(), "--engine auto: " + u.reason() + ", so the simulator");
            }
            default -> throw new UsageError("--engine must be sim, kvm or auto, not '" + requested + "'");
        };
    }

    /**
     * Maps {@code --ksm} and {@code --resident-limit} onto the kvm engine's {@link KvmOptions}; the sim engine refuses
     * them (a single sim VM runs on the lazy host, which has neither ksmd nor a hypervisor swap file).
     */
    static Choice withHostOptions(Choice choice, boolean ksm, String residentLimit) {
        if (!ksm && residentLimit == null) return choice;
        String flag = ksm ? "--ksm" : "--resident-limit";
        if (!"kvm".equals(choice.engine().name())) {
            throw new UsageError(flag + " needs the kvm engine (" + choice.reason() + "); for modelled KSM or swap use "
                    + "`memvirt scenario --engine sim` with host.ksm / host.swap");
        }
        long limit = 0;
        if (residentLimit != null) {
            try {
                limit = WorkloadUnits.parseSize(residentLimit);
            } catch (IllegalArgumentException e) {
                throw new UsageError("--resident-limit: invalid size '" + residentLimit + "' (e.g. 64M, 1G)");
            }
            if (limit < MIN_RESIDENT_LIMIT || limit % 4096 != 0) {
                throw new UsageError("--resident-limit: must be a multiple of 4 KiB and at least 4 MiB, not " + residentLimit);
            }
        }
        KvmOptions options = new KvmOptions(ksm ? KsmSettings.fast() : null, limit);
        return new Choice(new KvmEngine(options), choice.reason() + (ksm ? ", --ksm" : "")
                + (limit > 0 ? ", --resident-limit " + residentLimit : ""));
    }

    private static final long MIN_RESIDENT_LIMIT = 4L << 20;   // docs/overcommit-kvm.md: UffdSwap needs >= 4 MiB

    static MmuMode mmuMode(String requested, HostCapabilities host) {
        if (requested == null) return MmuMode.valueOf(host.mmuMode().name());
        return switch (requested.toLowerCase(Locale.ROOT)) {
            case "ept" -> MmuMode.EPT;
            case "npt" -> MmuMode.NPT;
            case "shadow" -> MmuMode.SHADOW;
            default -> throw new UsageError("--mmu must be ept, npt or shadow, not '" + requested + "'");
        };
    }

    private static boolean onOff(String option, String value) {
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "on", "true", "yes" -> true;
            case "off", "false", "no" -> false;
            default -> throw new UsageError(option + " must be on or off, not '" + value + "'");
        };
    }

    private static Workload parseWorkload(String text) {
        Path file = Path.of(text.trim());
        boolean isFile = !text.isBlank() && text.indexOf(';') < 0 && Files.isRegularFile(file);
        return isFile ? WorkloadParser.parseFile(file) : WorkloadParser.parseShorthand(text);
    }

    private static void writeReport(Path file, List<RunResult> runs, MachineConfig machine) {
        try {
            Files.writeString(file, RunReport.render(runs, machine.layout()));
        } catch (java.io.IOException e) {
            throw new UsageError("--report: cannot write " + file + ": " + e.getMessage());
        }
    }

    /** RunResult as JSON with counters flat by name, plus the cost estimate (sim) and TLB preset. */
    static String toJson(RunResult r, CostModel.Estimate cost, String tlb) {
        return Json.write(toTree(r, cost, tlb));
    }

    /** The main run's JSON as without {@code --compare}, plus {@code runs}: every run's JSON, the main run first. */
    static String toJson(List<Done> runs) {
        Done first = runs.getFirst();
        ObjectNode root = toTree(first.result(), first.cost(), first.tlb());
        com.fasterxml.jackson.databind.node.ArrayNode all = root.putArray("runs");
        for (Done d : runs) all.add(toTree(d.result(), d.cost(), d.tlb()));
        return Json.write(root);
    }

    private static ObjectNode toTree(RunResult r, CostModel.Estimate cost, String tlb) {
        ObjectNode root = Json.mapper().valueToTree(r);
        flattenCounters(root, "counters");
        JsonNode vcpus = root.get("vcpus");
        if (vcpus != null) for (int i = 0; i < vcpus.size(); i++) flattenValues((ObjectNode) vcpus.get(i), vcpus, i);
        JsonNode ops = root.get("ops");
        if (ops != null) for (JsonNode op : ops) flattenCounters((ObjectNode) op, "deltas");
        if ("sim".equals(r.engine())) root.put("tlb", tlb);
        if (cost != null) root.set("cost", Json.mapper().valueToTree(cost));
        return root;
    }

    private static void flattenCounters(ObjectNode parent, String field) {
        JsonNode c = parent.get(field);
        if (c != null && c.has("values")) parent.set(field, c.get("values"));
    }

    private static void flattenValues(ObjectNode counters, JsonNode array, int index) {
        if (counters.has("values")) ((com.fasterxml.jackson.databind.node.ArrayNode) array).set(index, counters.get("values"));
    }

    static void printHuman(PrintWriter out, MachineConfig machine, Workload w, RunResult r, CostModel.Estimate cost,
            HostCapabilities host) {
        MemoryLayout l = machine.layout();
        out.printf("engine:    %s (%s)%n", r.engine(), r.engineReason());
        out.printf("mmu:       %s, VPID %s%n", r.mmu(), r.vpid() ? "on" : "off");
        out.printf("machine:   %s, %s RAM (%s below 4G, %s above 4G), %d vCPU%s%n", l.machine(), mib(l.ramSize()),
                mib(l.belowFourG()), mib(l.aboveFourG()), machine.smp(), machine.smp() == 1 ? "" : "s");
        out.printf("workload:  %s%n%n", w.source());
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
        long total = host.memTotalBytes();
        // KVM's own table pages: the sim counts them; the kvm engine cannot see them (kernel memory), so none
        long used = Math.min(total, m.residentBytes() + r.counters().find(Counter.SHADOW_PAGES).orElse(0) * 4096
                + r.counters().find(Counter.TDP_PAGES).orElse(0) * 4096);
        out.print(FreeTable.render(FreeMemory.ofUsed(total, used), FreeUnit.MEBI));
        if (cost != null) {
            out.println();
            out.printf("cost estimate: %,d cycles (%s) vs %,d native (%s): slowdown %.2fx%n", cost.vmCycles(),
                    time(cost.vmNanos()), cost.nativeCycles(), time(cost.nativeNanos()), cost.slowdown());
            out.println("  (constants: docs/sim-engine.md; a model, not a measurement)");
        }
    }

    /** Every counter of every run, one column per run labelled {@code engine/mmu/vpid-on}, and the cost (sim). */
    static void printCompare(PrintWriter out, List<Done> runs) {
        List<String> labels = compareLabels(runs);
        java.util.Set<String> names = new java.util.LinkedHashSet<>();
        for (Done d : runs) names.addAll(d.result().counters().values().keySet());
        int width = 20;
        for (String l : labels) width = Math.max(width, l.length());
        out.println();
        out.println("compare:");
        StringBuilder head = new StringBuilder(String.format("  %-20s", "counter"));
        for (String l : labels) head.append(String.format(" %" + width + "s", l));
        out.println(head);
        for (String name : names) {
            StringBuilder row = new StringBuilder(String.format("  %-20s", name));
            for (Done d : runs) row.append(String.format(" %" + width + "s", count(d.result().counters().values().get(name))));
            out.println(row);
        }
        if (runs.stream().allMatch(d -> d.cost() != null)) {
            StringBuilder row = new StringBuilder(String.format("  %-20s", "slowdown (model)"));
            for (Done d : runs) row.append(String.format(Locale.ROOT, " %" + (width - 1) + ".2fx", d.cost().slowdown()));
            out.println(row);
        }
    }

    /** {@code sim/shadow/vpid-on}, with {@code /TLB} where it differs from the main run's; repeats get {@code #2}. */
    static List<String> compareLabels(List<Done> runs) {
        Done main = runs.getFirst();
        List<String> labels = new java.util.ArrayList<>(runs.size());
        for (Done d : runs) {
            RunResult r = d.result();
            String base = r.engine() + "/" + r.mmu() + "/vpid-" + (r.vpid() ? "on" : "off")
                    + (d.tlb().equals(main.tlb()) ? "" : "/" + d.tlb());
            String label = base;
            for (int n = 2; labels.contains(label); n++) label = base + "#" + n;
            labels.add(label);
        }
        return labels;
    }


    private static final Counter[] OP_COLUMNS = {Counter.EXITS, Counter.PF_FIXED, Counter.PF_GUEST, Counter.INVLPG,
        Counter.TLB_FLUSH, Counter.STLB_MISSES, Counter.WALK_REFS};
    /** A counter the run does not report (e.g. walk_refs on the kvm engine): never a made-up 0. */
    static final String NOT_REPORTED = "-";

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
