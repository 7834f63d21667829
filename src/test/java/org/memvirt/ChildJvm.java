package org.memvirt;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A JVM a test starts to run one class's {@code main}, with this JVM's class path, and SIGINT at its default action.
 *
 * <p>A process started with SIGINT ignored keeps it ignored across exec, and the JVM then installs no handler for it,
 * so Ctrl-C would run no shutdown hook. A job started in the background by a non-interactive shell gets SIGINT (and
 * SIGQUIT) ignored (POSIX sh, "Asynchronous lists"), and a CI runner may start the suite that way; the child is
 * therefore started through {@code env --default-signal=INT} (GNU coreutils 8.31+), as from a terminal's foreground.
 */
public final class ChildJvm {
    private static final List<String> DEFAULT_SIGINT = probeDefaultSigint();

    /** Starts {@code main} with {@code jvmOptions} and {@code args}, stdout and stderr merged. */
    public static Process start(List<String> jvmOptions, Class<?> main, List<String> args) throws IOException {
        List<String> argv = new ArrayList<>(DEFAULT_SIGINT);
        argv.add(ProcessHandle.current().info().command().orElse("java"));
        argv.addAll(jvmOptions);
        argv.addAll(List.of("-cp", System.getProperty("java.class.path"), main.getName()));
        argv.addAll(args);
        return new ProcessBuilder(argv).redirectErrorStream(true).start();
    }

    /** Why a child started here cannot receive Ctrl-C, or empty if it can: for an assumption before a SIGINT test. */
    public static String whyNoSigint() throws IOException {
        if (!DEFAULT_SIGINT.isEmpty() || !sigintIgnoredHere()) return "";
        return "SIGINT is ignored in this JVM (started in the background by a shell) and env --default-signal is"
                + " missing, so a child JVM would ignore Ctrl-C too";
    }

    /** Whether SIGINT (signal 2) is in this process's ignored set: /proc/self/status SigIgn, bit 1 (proc(5)). */
    static boolean sigintIgnoredHere() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("SigIgn:")) return (Long.parseUnsignedLong(line.substring(7).trim(), 16) & 2) != 0;
        }
        return false;
    }

    private static List<String> probeDefaultSigint() {
        try {
            Process p = new ProcessBuilder("env", "--default-signal=INT", "true").redirectErrorStream(true).start();
            p.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
            if (p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0) return List.of("env", "--default-signal=INT");
        } catch (IOException e) {
            return List.of();   // no env on the PATH: children inherit this JVM's disposition (see whyNoSigint)
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return List.of();
    }

    private ChildJvm() {}
}
