package org.memvirt.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

import org.memvirt.config.ConfigException;
import org.memvirt.config.MachineConfig;
import org.memvirt.config.QemuArgs;

import picocli.CommandLine.Option;

/**
 * A picocli mixin that captures QEMU's single-dash options ({@code -m}, {@code -machine}/{@code -M}, {@code -object},
 * {@code -smp}, {@code -mem-path}, {@code -mem-prealloc}, {@code -cpu}) in command-line order, values verbatim (even
 * {@code -m -1}), next to the command's own double-dash options, and resolves them with {@link QemuArgs}.
 *
 * <pre>{@code @Mixin QemuOptions qemu;  ...  MachineConfig cfg = qemu.resolve(spec.commandLine().getErr(), maxVcpus);}</pre>
 */
public final class QemuOptions {
    private final List<String> args = new ArrayList<>();

    // picocli calls each setter with the option's accumulated values; the newest is the last one, so appending it
    // keeps the whole QEMU command line in order across different options.
    @Option(names = "-m", arity = "1", paramLabel = "[size=]megs[,slots=n,maxmem=size]", description = "Guest RAM "
            + "(QEMU -m: a bare number is MiB).")
    void m(List<String> values) { add("-m", values); }

    @Option(names = "-machine", arity = "1", paramLabel = "[type=]name[,prop=value...]",
            description = "pc, q35, microvm or pc-i440fx-X.Y / pc-q35-X.Y; max-ram-below-4g=, mem-merge=, memory-backend=.")
    void machine(List<String> values) { add("-machine", values); }

    @Option(names = "-M", arity = "1", paramLabel = "[type=]name[,prop=value...]", description = "Same as -machine.")
    void machineShort(List<String> values) { add("-M", values); }

    @Option(names = "-object", arity = "1", paramLabel = "memory-backend-{ram|file|memfd},id=ID,size=SIZE[,...]",
            description = "A RAM backend (share, prealloc, reserve, merge, mem-path, hugetlb).")
    void object(List<String> values) { add("-object", values); }

    @Option(names = "-smp", arity = "1", paramLabel = "[cpus=]n", description = "Number of vCPUs.")
    void smp(List<String> values) { add("-smp", values); }

    @Option(names = "-mem-path", arity = "1", paramLabel = "FILE", description = "Back guest RAM with a file/hugetlbfs.")
    void memPath(List<String> values) { add("-mem-path", values); }

    @Option(names = "-mem-prealloc", arity = "0", description = "Preallocate guest RAM.")
    void memPrealloc(List<Boolean> values) {
        if (values != null && !values.isEmpty()) args.add("-mem-prealloc");
    }

    @Option(names = "-cpu", arity = "1", paramLabel = "model[,vendor=...][,phys-bits=n]",
            description = "vCPU model (default qemu64 with the host vendor, assumed AMD).")
    void cpu(List<String> values) { add("-cpu", values); }

    private void add(String option, List<String> values) {
        if (values == null || values.isEmpty()) return;
        args.add(option);
        args.add(values.get(values.size() - 1));
    }

    /** The captured QEMU arguments, in order. */
    public List<String> args() {
        return List.copyOf(args);
    }

    /** {@link #resolve(PrintWriter, int)} without a host vCPU limit. */
    public MachineConfig resolve(PrintWriter err) {
        return resolve(err, QemuArgs.NO_HOST_VCPU_LIMIT);
    }

    /**
     * Resolves the captured options. Warnings are printed to {@code err} QEMU-style ({@code memvirt: } in place of
     * the program name), also those printed before an error; the error itself is rethrown for the CLI to print.
     */
    public MachineConfig resolve(PrintWriter err, int maxVcpus) {
        return resolve(err, maxVcpus, maxVcpus);
    }

    /** {@link #resolve(PrintWriter, int)} with KVM's recommended (soft) vCPU limit too, which only warns. */
    public MachineConfig resolve(PrintWriter err, int recommendedVcpus, int maxVcpus) {
        try {
            MachineConfig config = QemuArgs.parse(args, recommendedVcpus, maxVcpus);
            printWarnings(err, config.warnings());
            return config;
        } catch (ConfigException e) {
            printWarnings(err, e.warnings());
            throw new ConfigException(e.getMessage());
        }
    }

    static void printWarnings(PrintWriter err, List<String> warnings) {
        for (String w : warnings) Main.printMessage(err, w);
        err.flush();
    }
}
