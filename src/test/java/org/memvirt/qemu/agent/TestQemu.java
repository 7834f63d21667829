package org.memvirt.qemu.agent;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.memvirt.qemu.image.BootArgs;
import org.memvirt.qemu.image.GuestImage;

/**
 * A minimal QEMU launcher for tests and the boot benchmark, until the engine's own QEMU process class replaces it:
 * one TCG guest booting memvirt's image with the agent's port, {@code -nographic} (the console on stdout),
 * {@code -nic none}, {@code -no-reboot}. Closing says goodbye to the agent (the guest powers off), waits for QEMU,
 * kills it if it lingers, and deletes the socket's directory.
 */
public final class TestQemu implements AutoCloseable {
    public static final String QEMU = "qemu-system-x86_64";
    static final Duration READY_TIMEOUT = Duration.ofMinutes(3);   // TCG on a loaded 2-core host: boots took 5-30 s

    public final Process process;
    public final GuestConsole console;
    public final AgentSession session;
    public final long readyMillis;                                // QEMU start to the agent's ready message
    private final Path dir;
    private final Path stderr;

    private TestQemu(Process process, GuestConsole console, AgentSession session, long readyMillis, Path dir, Path stderr) {
        this.process = process;
        this.console = console;
        this.session = session;
        this.readyMillis = readyMillis;
        this.dir = dir;
        this.stderr = stderr;
    }

    /** Why no guest can be booted here (QEMU missing from PATH), or empty. */
    public static Optional<String> whyNot() {
        for (String d : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!d.isEmpty() && Files.isExecutable(Path.of(d, QEMU))) return Optional.empty();
        }
        return Optional.of(QEMU + " is not on PATH (Debian: apt-get install --no-install-recommends qemu-system-x86)");
    }

    /** Boots {@code image} on {@code machine} (microvm or pc) with {@code memory} of RAM and one vCPU under TCG. */
    public static TestQemu boot(GuestImage image, String machine, String memory) throws IOException {
        boolean microvm = machine.equals("microvm");
        Path dir = Files.createTempDirectory("memvirt-qemu-test-");
        Path socket = dir.resolve("agent.sock"), stderr = dir.resolve("qemu.stderr");
        BootArgs args = microvm ? BootArgs.microvmUnderTcg(Path.of("/proc/cpuinfo")) : BootArgs.standard();
        List<String> cmd = new ArrayList<>(List.of(QEMU, "-accel", "tcg", "-M", machine, "-m", memory, "-smp", "1",
                "-nographic", "-nic", "none", "-no-reboot", "-kernel", image.kernel().toString(),
                "-initrd", image.initrd().toString(), "-append", args.commandLine(),
                "-device", microvm ? "virtio-balloon-device" : "virtio-balloon-pci"));
        cmd.addAll(AgentPort.qemuArgs(socket, microvm));
        long start = System.nanoTime();
        Process p = new ProcessBuilder(cmd).redirectError(stderr.toFile()).start();   // stdin stays open: -nographic reads it
        GuestConsole console = GuestConsole.follow(p.getInputStream());
        GuestWatch watch = GuestWatch.of(console, p, () -> lastLine(stderr));
        try {
            AgentChannel channel = AgentChannel.connect(socket, READY_TIMEOUT, watch);
            AgentSession session = AgentSession.open(channel, watch, READY_TIMEOUT);
            return new TestQemu(p, console, session, (System.nanoTime() - start) / 1_000_000, dir, stderr);
        } catch (RuntimeException e) {
            stop(p, 0);
            deleteDir(dir);
            throw e;
        }
    }

    public GuestWatch watch() {
        return GuestWatch.of(console, process, () -> lastLine(stderr));
    }

    @Override
    public void close() {
        session.close();
        stop(process, 15);
        deleteDir(dir);
    }

    /** Waits up to {@code graceSeconds} for QEMU to exit by itself, then SIGTERM, then SIGKILL. */
    private static void stop(Process p, int graceSeconds) {
        try {
            if (!p.waitFor(graceSeconds, TimeUnit.SECONDS)) {
                p.destroy();
                if (!p.waitFor(5, TimeUnit.SECONDS)) p.destroyForcibly().waitFor();
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private static String lastLine(Path file) {
        try {
            List<String> lines = Files.readAllLines(file).stream().filter(l -> !l.isBlank()).toList();
            return lines.isEmpty() ? "" : lines.getLast();
        } catch (IOException e) {
            return "";
        }
    }

    private static void deleteDir(Path dir) {
        try (var files = Files.list(dir)) {
            for (Path f : files.toList()) Files.deleteIfExists(f);
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            // a leftover in the temp directory; nothing else depends on it
        }
    }

    public Path dir() {
        return dir;
    }
}
