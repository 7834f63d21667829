package org.memvirt.hostctl;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * Runs one of the host's system programs (fallocate, mkswap, swapon, swapoff, dmesg), found on PATH or in the sbin
 * directories root's PATH has, with LC_ALL=C so their messages are the ones quoted in memvirt's.
 */
final class HostCommand {
    private static final List<String> SBIN = List.of("/usr/sbin", "/sbin", "/usr/bin", "/bin");
    private static final Executor VIRTUAL = r -> Thread.ofVirtual().name("memvirt-host-command").start(r);

    /** What a finished program printed (stdout and stderr together) and its exit status. */
    record Result(int exitCode, String output) {
        /** The last non-blank line printed, or the exit status: what a one-line error quotes. */
        String lastLine() {
            List<String> lines = output.lines().filter(l -> !l.isBlank()).toList();
            return lines.isEmpty() ? "exit status " + exitCode : lines.getLast().strip();
        }
    }

    /** Runs {@code argv}; a HostctlException when the program is missing, cannot start or outlives {@code timeout}. */
    static Result run(Duration timeout, String... argv) {
        List<String> command = new ArrayList<>(List.of(argv));
        command.set(0, locate(argv[0]));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.environment().put("LC_ALL", "C");
        try {
            Process p = pb.start();
            CompletableFuture<byte[]> out = CompletableFuture.supplyAsync(() -> drain(p), VIRTUAL);
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly().waitFor();
                throw HostctlException.host(String.join(" ", argv) + " did not finish within " + timeout.toSeconds() + " s");
            }
            return new Result(p.exitValue(), new String(out.join(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw HostctlException.host("cannot run " + argv[0] + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw HostctlException.host("interrupted while running " + argv[0]);
        }
    }

    private static byte[] drain(Process p) {
        try (var in = p.getInputStream()) {
            return in.readAllBytes();
        } catch (IOException e) {
            return new byte[0];
        }
    }

    /** The program's path: the first of PATH's directories and then the sbin ones that has it. */
    static String locate(String program) {
        List<String> dirs = new ArrayList<>();
        String path = System.getenv("PATH");
        if (path != null) dirs.addAll(List.of(path.split(":")));
        dirs.addAll(SBIN);
        for (String d : dirs) {
            if (!d.isEmpty() && Files.isExecutable(Path.of(d, program))) return Path.of(d, program).toString();
        }
        throw HostctlException.host(program + " is not installed (not on PATH or in /usr/sbin, /sbin)");
    }

    private HostCommand() {}
}
