package org.memvirt.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Stack;

import org.memvirt.config.ConfigException;
import org.memvirt.config.MachineConfig;
import org.memvirt.config.QemuArgs;
import org.memvirt.config.QemuOption;

import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * A picocli mixin that takes a whole QEMU command line ({@code -enable-kvm -smp 2 -m 4G rhel7.img -daemonize}, with or
 * without a leading {@code qemu-system-x86_64}) next to the command's own double-dash options, in order and verbatim
 * (even {@code -m -1}), and resolves it with {@link QemuArgs}: the memory options as QEMU 7.2 does, every other QEMU
 * option kept for the qemu engine, unknown ones refused with QEMU's text.
 *
 * <pre>{@code @Mixin QemuOptions qemu;  ...  MachineConfig cfg = qemu.resolve(spec.commandLine().getErr(), maxVcpus);}</pre>
 */
public final class QemuOptions {
    /** Every word that is not the command's own option goes to {@link QemuWords}, even {@code -hda}. */
    @Spec(Spec.Target.MIXEE)
    void qemuLineParsing(CommandSpec mixee) {
        mixee.parser().unmatchedOptionsArePositionalParams(true).posixClusteredShortOptionsAllowed(false);
    }

    @Parameters(paramLabel = "QEMU-OPTION", arity = "0..*", parameterConsumer = QemuWords.class,
            description = "A QEMU 7.2 command line, with or without qemu-system-x86_64: -m\u00a0[size=]megs[,slots=n,"
                    + "maxmem=size], -machine/-M, -object\u00a0memory-backend-*, -smp, -mem-path, -mem-prealloc and "
                    + "-cpu are resolved as QEMU does; any other QEMU option and a bare disk image are accepted and kept "
                    + "for QEMU.")
    List<String> args = new ArrayList<>();

    /**
     * Takes QEMU's words the way QEMU's first pass does: an option that takes an argument takes the next word,
     * whatever it looks like ({@code -m -1}); the words stop at the command's own options ({@code --json}). picocli
     * calls this with a word it did not match as an option (or any word after {@code --}), which is always taken.
     */
    static final class QemuWords implements CommandLine.IParameterConsumer {
        @Override
        public void consumeParameters(Stack<String> stack, ArgSpec argSpec, CommandSpec command) {
            List<String> words = argSpec.getValue();
            boolean first = true;
            while (!stack.isEmpty() && (first || !isOwnOption(command, stack.peek()))) {
                first = false;
                String word = stack.pop();
                words.add(word);
                QemuOption option = word.startsWith("-") ? QemuOption.lookup(word) : null;
                if (option != null && option.takesArgument() && !stack.isEmpty()) words.add(stack.pop());
            }
        }

        private static boolean isOwnOption(CommandSpec command, String word) {
            int eq = word.indexOf('=');
            return word.startsWith("-") && command.findOption(eq > 0 ? word.substring(0, eq) : word) != null;
        }
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
            throw e.withoutWarnings();
        }
    }

    static void printWarnings(PrintWriter err, List<String> warnings) {
        for (String w : warnings) Main.printMessage(err, w);
        err.flush();
    }
}
