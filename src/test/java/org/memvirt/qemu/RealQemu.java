package org.memvirt.qemu;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;

/** The real qemu-system-x86_64 for tests: skipped with the reason where it is absent or too old. */
public final class RealQemu {
    private static final String REASON = QemuBinary.unusableReason();

    /** The binary, or the test is skipped with the reason QEMU is not usable here. */
    public static QemuBinary assumeInstalled() {
        Assumptions.assumeTrue(REASON == null, () -> "QEMU not usable here: " + REASON);
        return QemuBinary.locate();
    }

    /** What one short QEMU run printed. */
    public record Outcome(int exit, String stdout, String stderr) {}

    /**
     * Runs QEMU with {@code args} and {@code stdin}, waits at most {@code seconds} (then kills it and fails); stdout and
     * stderr go through files, so nothing blocks on a full pipe.
     */
    public static Outcome run(List<String> args, String stdin, int seconds) throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("memvirt-qmp-run-");
        try {
            Path in = Files.writeString(dir.resolve("in"), stdin);
            Path out = dir.resolve("out"), err = dir.resolve("err");
            List<String> command = new ArrayList<>(List.of(assumeInstalled().path().toString()));
            command.addAll(args);
            Process p = new ProcessBuilder(command).redirectInput(in.toFile()).redirectOutput(out.toFile())
                    .redirectError(err.toFile()).start();
            if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor();
                throw new AssertionError("QEMU did not exit within " + seconds + " s: " + command);
            }
            return new Outcome(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            for (File f : dir.toFile().listFiles()) Files.delete(f.toPath());
            Files.delete(dir);
        }
    }

    private RealQemu() {}
}
