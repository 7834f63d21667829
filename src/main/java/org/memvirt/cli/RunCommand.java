package org.memvirt.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.memvirt.config.MachineConfig;
import org.memvirt.engine.Engines;
import org.memvirt.engine.GuestOptions;
import org.memvirt.engine.GuestProfile;
import org.memvirt.engine.RunResult;
import org.memvirt.engine.RunSpec;
import org.memvirt.host.FreeMemory;
import org.memvirt.host.HostCapabilities;
import org.memvirt.host.MmuMode;
import org.memvirt.report.OutputFile;
import org.memvirt.report.Progress;
import org.memvirt.report.RunJson;
import org.memvirt.report.RunReport;
import org.memvirt.report.RunText;
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
        footerHeading = Main.ENV_HEADING, footer = {Main.ENV_HOST_ROOT, Main.ENV_KVM, Main.ENV_QEMU},
        description = "Run a workload on a VM configured with QEMU's memory options, on the simulator, on /dev/kvm or in "
                + "real QEMU with a Linux guest, and print the machine, the counters, the memory picture and (sim) the "
                + "cost estimate.")
final class RunCommand implements Runnable {
    @Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    QemuOptions qemu;

    @Option(names = "--engine", defaultValue = "auto", paramLabel = "sim|kvm|qemu|auto",
            description = "sim, kvm, qemu (real QEMU with a Linux guest: KVM where a Linux guest boots there, else TCG), "
                    + "or auto: kvm when /dev/kvm is usable, else sim; auto never picks qemu (default: ${DEFAULT-VALUE}).")
    String engine;

    @Option(names = "--workload", paramLabel = "OPS|FILE",
            description = "Workload shorthand (\"touch 1G; switch 100\"), or a file: @PATH, or one word with a / or"
                    + " ending in .yaml, .yml, .json or .txt. Required unless --duration measures a guest running its"
                    + " own work.")
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

    @Option(names = "--guest", paramLabel = "micro|linux[,OPTS]", description = "The guest OS: memvirt's micro-guest, "
            + "or a Linux guest (the qemu engine's, or the sim's model of it) with thp=never|madvise|always, "
            + "free-page-reporting=on|off, balloon-pace=kvm|tcg|PAGES/s (docs/linux-guest.md). Default: the engine's own.")
    String guest;

    @Option(names = "--timeout", defaultValue = "600", paramLabel = "SECONDS",
            description = "Wall-clock limit of the run, any engine (default: ${DEFAULT-VALUE}).")
    long timeoutSeconds;

    @Option(names = "--ksm", description = "kvm engine: run ksmd for the run (5,000 pages per 20 ms wake), every changed "
            + "/sys/kernel/mm/ksm value restored afterwards.")
    boolean ksm;

    @Option(names = "--resident-limit", paramLabel = "SIZE", description = "kvm engine: keep at most SIZE of guest RAM "
            + "resident; the VMM swaps the rest to its own file through userfaultfd (hypervisor-level swap).")
    String residentLimit;

    @Option(names = "--kernel", paramLabel = "FILE", description = "qemu engine: boot this kernel instead of memvirt's "
            + "image's (memvirt's initramfs with its agent still boots, unless --initrd is given too).")
    Path kernel;

    @Option(names = "--initrd", paramLabel = "FILE", description = "qemu engine: boot this initramfs instead of "
            + "memvirt's; no agent runs then, and the guest is measured from the host and over QMP.")
    Path initrd;

    @Option(names = "--balloon", paramLabel = "FEATURE=on|off[,...]", description = "qemu engine: the virtio-balloon "
            + "device's features: free-page-reporting (the guest hands freed pages back by itself), deflate-on-oom "
            + "(the guest takes ballooned pages back before its OOM killer runs). Default: both off, as QEMU's.")
    String balloon;

    @Option(names = "--duration", paramLabel = "TIME", description = "qemu engine: after the workload, go on measuring "
            + "the guest for TIME (e.g. 30s, 5m) while it runs its own work; guest RAM is sampled over time.")
    String duration;

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

    /**
     * The options one run is made of, as typed values; a {@code --compare} value overrides some of the main run's.
     *
     * @param mmu the MMU mode asked for, or null for the one this host gives guests
     * @param vpid VPID on or off as asked for, or null for the engine's own
     * @param tlb the TLB geometry asked for, or null for the engine's own (the sim's default)
     * @param guest the guest OS asked for, or null for the engine's own
     */
    record Variant(Engines.Request engine, MmuMode mmu, Boolean vpid, String tlb, long seed, GuestProfile guest) {
        /** The main run's options as given on the command line; a bad value is refused naming its option. */
        static Variant of(String engine, String mmu, String vpid, String tlb, long seed, String guest) {
            return new Variant(Engines.Request.parse(engine), mmu == null ? null : RunCommand.mmu(mmu),
                    vpid == null ? null : onOff("--vpid", vpid), tlb, seed,
                    guest == null ? null : GuestProfile.parse(guest, "--guest"));
        }

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
                    throw new UsageError("--compare: only --mmu, --vpid, --engine, --tlb, --seed and --guest may differ,"
                            + " not '" + word + "'");
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
                case "--engine" -> new Variant(Engines.Request.parse(value), mmu, vpid, tlb, seed, guest);
                case "--mmu" -> new Variant(engine, RunCommand.mmu(value), vpid, tlb, seed, guest);
                case "--vpid" -> new Variant(engine, mmu, onOff("--vpid", value), tlb, seed, guest);
                case "--tlb" -> new Variant(engine, mmu, vpid, value, seed, guest);
                case "--seed" -> {
                    try {
                        yield new Variant(engine, mmu, vpid, tlb, Long.parseLong(value), guest);
                    } catch (NumberFormatException e) {
                        throw new UsageError("--compare: --seed must be a whole number, not '" + value + "'");
                    }
                }
                case "--guest" -> new Variant(engine, mmu, vpid, tlb, seed, GuestProfile.parse(value, "--compare: --guest"));
                default -> throw new IllegalStateException(option);
            };
        }
    }

    private static final List<String> COMPARE_OPTIONS = List.of("--engine", "--mmu", "--vpid", "--tlb", "--seed",
            "--guest");

    @Override
    public void run() {
        OutputFile reportFile = report == null ? null : OutputFile.check("--report", report);
        if (timeoutSeconds <= 0) throw new UsageError("--timeout must be a positive number of seconds, not " + timeoutSeconds);
        PrintWriter err = spec.commandLine().getErr();
        HostCapabilities host = HostCapabilities.read();
        CommandLine.ParseResult given = spec.commandLine().getParseResult();
        Variant main = Variant.of(engine, mmu, given.hasMatchedOption("--vpid") ? vpid : null,
                given.hasMatchedOption("--tlb") ? tlb : null, seed, guest);
        List<Variant> variants = new ArrayList<>(List.of(main));
        for (String c : compare) variants.add(main.with(c));
        long limit = residentLimit(residentLimit);
        boolean kvmVcpus = false;
        for (Variant v : variants) kvmVcpus |= Engines.candidate(v.engine()).kind().kvmVcpus();
        MachineConfig machine = kvmVcpus ? qemu.resolve(err, host.maxVcpus()) : qemu.resolve(err);
        GuestOptions guestOptions = guestOptions();
        Workload w = workload != null ? WorkloadParser.parseArgument(workload) : new Workload(List.of(), "");
        List<RunSpec> specs = new ArrayList<>(variants.size());
        List<Engines.Choice> choices = new ArrayList<>(variants.size());
        for (Variant v : variants) {
            RunSpec s = new RunSpec(machine, w, v.mmu() != null ? v.mmu() : host.mmuMode(), v.vpid(), v.tlb(),
                    Duration.ofSeconds(timeoutSeconds), v.seed(), ksm, limit, guestOptions, v.guest());
            specs.add(s);
            choices.add(Engines.forRun(v.engine(), s));
        }
        List<RunResult> runs = new ArrayList<>(variants.size());
        for (int i = 0; i < variants.size(); i++) runs.add(runOne(specs.get(i), choices.get(i)));
        if (reportFile != null) reportFile.write(RunReport.render(runs, machine.layout()));
        PrintWriter out = spec.commandLine().getOut();
        if (json) out.println(runs.size() == 1 ? RunJson.write(runs.getFirst()) : RunJson.write(runs));
        else {
            RunText.print(out, machine, w.source(), runs.getFirst(), host.memTotalBytes());
            if (runs.size() > 1) RunText.printCompare(out, runs);
        }
        out.flush();
    }

    private RunResult runOne(RunSpec s, Engines.Choice choice) {
        String reason = choice.reason() + (s.ksm() ? ", --ksm" : "")
                + (s.residentLimitBytes() > 0 ? ", --resident-limit " + residentLimit : "");
        try (Progress progress = Progress.forStderr(System.err, json)) {
            return choice.engine().run(s, progress).withEngineReason(reason);
        }
    }

    /**
     * The options only a real guest takes, checked for form here (the engines refuse them or not); without
     * {@code --workload} there must be a {@code --duration}.
     */
    private GuestOptions guestOptions() {
        Duration d = duration == null ? null : duration(duration);
        if (workload == null && d == null) {
            throw new UsageError("--workload is required (or --duration TIME to measure a guest that runs its own work,"
                    + " --engine qemu)");
        }
        for (Path file : new Path[] {kernel, initrd}) {
            if (file != null && !Files.isRegularFile(file)) {
                throw new UsageError((file == kernel ? "--kernel " : "--initrd ") + file + ": not a readable regular file");
            }
        }
        boolean reporting = false, oom = false;
        if (balloon != null) {
            for (String feature : balloon.split(",", -1)) {
                int eq = feature.indexOf('=');
                String name = eq < 0 ? feature : feature.substring(0, eq);
                boolean on = eq < 0 || onOff("--balloon " + name, feature.substring(eq + 1));
                switch (name) {
                    case "free-page-reporting" -> reporting = on;
                    case "deflate-on-oom" -> oom = on;
                    default -> throw new UsageError("--balloon: free-page-reporting and deflate-on-oom are the features"
                            + " memvirt sets, not '" + feature + "'");
                }
            }
        }
        return new GuestOptions(kernel, initrd, reporting, oom, d);
    }

    /** {@code 30s}, {@code 5m}, {@code 1h} or plain seconds. */
    static Duration duration(String text) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("([0-9]+)(ms|s|m|h)?").matcher(text.trim());
        if (!m.matches()) throw new UsageError("--duration: a time such as 30s, 5m or 1h, not '" + text + "'");
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "s" : m.group(2);
        Duration d = switch (unit) {
            case "ms" -> Duration.ofMillis(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofSeconds(n);
        };
        if (d.isZero()) throw new UsageError("--duration: must be more than 0, not '" + text + "'");
        return d;
    }

    /** {@code --resident-limit}'s bytes (0 when not given); its bounds are the engine's to check. */
    private static long residentLimit(String text) {
        if (text == null) return 0;
        try {
            return WorkloadUnits.parseSize(text);
        } catch (IllegalArgumentException e) {
            throw new UsageError("--resident-limit: invalid size '" + text + "' (e.g. 64M, 1G)");
        }
    }

    static MmuMode mmu(String word) {
        for (MmuMode m : MmuMode.values()) if (m.word().equalsIgnoreCase(word)) return m;
        throw new UsageError("--mmu must be ept, npt or shadow, not '" + word + "'");
    }

    private static boolean onOff(String option, String value) {
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "on", "true", "yes" -> true;
            case "off", "false", "no" -> false;
            default -> throw new UsageError(option + " must be on or off, not '" + value + "'");
        };
    }

}
