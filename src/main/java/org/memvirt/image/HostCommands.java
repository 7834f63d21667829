package org.memvirt.image;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Runs this host's programs (the package tools) and captures what they print; replaced by a fake in tests. */
interface HostCommands {
    /** What a finished command printed, and its exit status. */
    record Result(int exitCode, String stdout, String stderr) {
        boolean ok() {
            return exitCode == 0;
        }

        /** The last non-blank line of stderr, else of stdout: what a one-line diagnosis quotes. */
        String lastLine() {
            for (String text : List.of(stderr, stdout)) {
                List<String> lines = text.lines().filter(l -> !l.isBlank()).toList();
                if (!lines.isEmpty()) return lines.getLast().strip();
            }
            return "exit status " + exitCode;
        }
    }

    /** Runs {@code command} in {@code dir}; throws ImageException when it cannot start or outlives {@code timeout}. */
    Result run(List<String> command, Path dir, Duration timeout);

    /** Whether {@code program} is an executable file on PATH. */
    boolean onPath(String program);

    /** The real thing: ProcessBuilder, stdin closed, LC_ALL=C so the tools print what the parsers expect. */
    HostCommands SYSTEM = new HostCommands() {
        @Override
        public Result run(List<String> command, Path dir, Duration timeout) {
            ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            pb.environment().put("LC_ALL", "C");
            Process p;
            try {
                p = pb.start();
            } catch (IOException e) {
                throw new ImageException("cannot run " + command.getFirst() + ": " + e.getMessage());
            }
            CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> slurp(p.getInputStream()));
            CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> slurp(p.getErrorStream()));
            try {
                if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    p.destroyForcibly().waitFor();
                    throw new ImageException(String.join(" ", command) + " did not finish within " + timeout.toSeconds() + " s");
                }
                return new Result(p.exitValue(), out.join(), err.join());
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
                throw new ImageException("interrupted while running " + command.getFirst());
            }
        }

        @Override
        public boolean onPath(String program) {
            String path = System.getenv("PATH");
            if (path == null) return false;
            for (String dir : path.split(":")) {
                if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, program))) return true;
            }
            return false;
        }

        private static String slurp(InputStream in) {
            try (in) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "";
            }
        }
    };
}
