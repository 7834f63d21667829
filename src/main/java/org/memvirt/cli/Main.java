package org.memvirt.cli;

import java.io.PrintWriter;

import org.memvirt.ExitCoded;
import org.memvirt.MemvirtException;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** The {@code memvirt} command: argument handling and wiring only. */
@Command(name = "memvirt",
        mixinStandardHelpOptions = true,
        versionProvider = Version.class,
        description = "KVM memory virtualization, real and modelled.",
        subcommands = {CommandLine.HelpCommand.class},
        footerHeading = Main.ENV_HEADING, footer = {Main.ENV_HOST_ROOT, Main.ENV_KVM, Main.ENV_QEMU},
        sortOptions = false)
public final class Main implements java.util.concurrent.Callable<Integer> {
    /** The --help footer of every command whose answer depends on the host (org.memvirt.host.HostEnv). */
    static final String ENV_HEADING = "%nEnvironment:%n";
    static final String ENV_HOST_ROOT = "  MEMVIRT_HOST_ROOT=DIR   read /proc, /sys, /dev under DIR (docs/host-check.md)";
    static final String ENV_KVM = "  MEMVIRT_KVM=off|denied  make /dev/kvm look absent or unopenable";
    static final String ENV_QEMU = "  MEMVIRT_QEMU=off        make qemu-system-x86_64 look absent";

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--debug", description = "Print stack traces for errors.", scope = CommandLine.ScopeType.INHERIT)
    boolean debug;

    /** {@code memvirt} alone: a usage error, one line pointing at --help. */
    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        err.println("memvirt: no command given (see 'memvirt --help')");
        err.flush();
        return ExitCoded.USAGE;
    }

    /** Builds the command line with every sub-command registered in {@link Commands}. */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        for (Object sub : Commands.all()) {
            cl.addSubcommand(sub);
        }
        cl.setExecutionExceptionHandler(Main::handleExecutionException);
        cl.setParameterExceptionHandler(Main::handleParameterException);
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        return cl;
    }

    /** Runs memvirt with {@code args} and returns the exit status; never calls {@link System#exit}. */
    public static int execute(String... args) {
        return commandLine().execute(args);
    }

    public static void main(String[] args) {
        int rc = execute(args);
        System.out.flush();
        System.exit(rc);
    }

    private static int handleExecutionException(Exception ex, CommandLine cl, CommandLine.ParseResult parsed) {
        PrintWriter err = cl.getErr();
        boolean debug = parsed != null && parsed.expandedArgs().contains("--debug");
        if (ex instanceof MemvirtException me) {
            printMessage(err, me.getMessage());
            if (debug) me.printStackTrace(err);
            err.flush();
            return me.exitCode();
        }
        err.println("memvirt: internal error: " + printable(String.valueOf(ex)).replace('\n', ' ')
                + (debug ? "" : " (run with --debug for the stack trace)"));
        if (debug) ex.printStackTrace(err);
        err.flush();
        return ExitCoded.INTERNAL;
    }

    private static int handleParameterException(CommandLine.ParameterException ex, String[] args) {
        PrintWriter err = ex.getCommandLine().getErr();
        err.println("memvirt: " + printable(ex.getMessage()) + " (see 'memvirt " + commandPath(ex.getCommandLine()) + "--help')");
        err.flush();
        return ExitCoded.USAGE;                                     // picocli's own exitCodeOnInvalidInput
    }

    private static String commandPath(CommandLine cl) {
        StringBuilder sb = new StringBuilder();
        for (CommandLine c = cl; c != null && c.getParent() != null; c = c.getParent()) {
            sb.insert(0, c.getCommandName() + " ");
        }
        return sb.toString();
    }

    /** Prints each line of a (possibly multi-line, QEMU-style) message prefixed with {@code memvirt: }. */
    static void printMessage(PrintWriter err, String message) {
        String shown = printable(message);
        err.println(shown.startsWith("memvirt") ? shown : "memvirt: " + shown);
    }

    static final int MAX_QUOTED = 60, MAX_LINE = 1000;
    private static final java.util.regex.Pattern QUOTED = java.util.regex.Pattern.compile("'([^'\n]{" + (MAX_QUOTED + 1) + ",})'");

    /**
     * A message as a terminal can show it: control characters from the input (a binary file's bytes) as {@code \xNN},
     * a quoted piece of input longer than {@link #MAX_QUOTED} characters cut in the middle, and no line longer than
     * {@link #MAX_LINE}; line breaks (QEMU's hint lines) stay.
     */
    static String printable(String message) {
        StringBuilder clean = new StringBuilder(message.length());
        for (int i = 0; i < message.length(); i++) {
            char c = message.charAt(i);
            if (c == '\n' || c >= 0x20 && c != 0x7f && !(c >= 0x80 && c < 0xa0)) clean.append(c);
            else clean.append(String.format("\\x%02x", (int) c));
        }
        String shortened = QUOTED.matcher(clean).replaceAll(m -> java.util.regex.Matcher.quoteReplacement(
                "'" + m.group(1).substring(0, 40) + "…" + m.group(1).substring(m.group(1).length() - 10) + "'"));
        StringBuilder out = new StringBuilder(shortened.length());
        for (String line : shortened.split("\n", -1)) {
            if (!out.isEmpty()) out.append('\n');
            out.append(line.length() > MAX_LINE ? line.substring(0, MAX_LINE) + "…" : line);
        }
        return out.toString();
    }
}
