package org.memvirt.qemu;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One running qemu-system-x86_64 with its QMP connection and a private directory for its sockets and logs. It is
 * always stopped: {@link #close()} asks QEMU to quit over QMP, then sends SIGTERM and SIGKILL by PID after
 * {@link #STOP_GRACE} each, and removes the directory; the same happens on JVM exit (Ctrl-C) for every QEMU not
 * yet closed, and where util-linux's {@code setpriv} is available QEMU also gets SIGKILL if the JVM itself is killed
 * (PR_SET_PDEATHSIG). Failures to start and QEMU's death are one-line diagnoses from its stderr.
 *
 * <pre>{@code
 * try (QemuProcess qemu = QemuProcess.start(QemuLaunch.of(machine).withBalloon(balloon))) {
 *     qemu.qmp().balloon(1L << 30);
 * }
 * }</pre>
 */
public final class QemuProcess implements AutoCloseable {
    /** How long each stop step (QMP quit, SIGTERM, SIGKILL) may take before the next. */
    static final Duration STOP_GRACE = Duration.ofSeconds(3);
    private static final Duration POLL = Duration.ofMillis(10);

    private final Process process;
    private final Path dir;
    private final QemuCommand command;
    private final AccelChoice accel;
    private QmpClient client;
    private QmpCommands qmp;
    private String finalStderr;
    private boolean closed;

    private QemuProcess(Process process, Path dir, QemuCommand command, AccelChoice accel) {
        this.process = process;
        this.dir = dir;
        this.command = command;
        this.accel = accel;
    }

    /**
     * Starts QEMU and connects to its QMP socket. Checks first what can be checked without QEMU (the binary and its
     * version, the kernel and initrd files, ids and socket path lengths).
     *
     * @throws QemuException with QEMU's own message when it refuses the command line or dies while starting, or
     *         when it does not open its QMP socket within the launch's start timeout; nothing is left behind
     */
    public static QemuProcess start(QemuLaunch launch) {
        QemuBinary binary = QemuLauncher.binary();
        for (Path file : new Path[] {launch.kernel(), launch.initrd()}) {
            if (file != null && !Files.isReadable(file)) throw new QemuException("cannot read " + file);
        }
        AccelChoice accel = launch.accel() != null ? launch.accel() : AccelChoice.forThisHost();
        RamCommit commit = RamCommit.check(launch.machine().layout().ramSize(), accel.accel().equals(AccelChoice.TCG));
        Path dir = QemuLauncher.privateDirectory(launch.runtimeParent());
        QemuProcess qemu = null;
        try {
            QemuCommand command = QemuCommand.build(binary.path(), launch, accel, commit, dir);
            List<String> argv = launch.inside() == null ? command.argv() : launch.inside().apply(command.argv());
            qemu = new QemuProcess(QemuLauncher.launch(argv, dir), dir, command, accel);
            QemuLauncher.live(qemu);
            qemu.connect(launch);
            return qemu;
        } catch (RuntimeException e) {
            if (qemu != null) qemu.close();
            else QemuLauncher.deleteTree(dir);
            throw e;
        }
    }

    private void connect(QemuLaunch launch) {
        long deadline = System.nanoTime() + launch.startTimeout().toNanos();
        while (true) {
            if (!process.isAlive()) throw new QemuException(diagnosis());
            if (Files.exists(command.qmpSocket())) {
                try {
                    client = QmpClient.connect(command.qmpSocket(), launch.qmpTimeout(), this::explainLoss);
                } catch (QemuException e) {
                    // the socket file exists from bind(2) on, but QEMU listens only a moment later (seen under load)
                    if (process.isAlive() && e.getMessage().endsWith("Connection refused") && System.nanoTime() < deadline) {
                        sleep(POLL);
                        continue;
                    }
                    // QEMU opens the socket before it creates the devices: a refused -device ends it here
                    if (explainLoss() != null) throw new QemuException(diagnosis());
                    throw e;
                }
                qmp = new QmpCommands(client, launch.qmpTimeout());
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new QemuException("QEMU did not open its QMP socket within " + launch.startTimeout().toMillis()
                        + " ms" + stderrTail());
            }
            sleep(POLL);
        }
    }

    /** QEMU's typed QMP commands (events: {@code qmp().client().awaitEvent(...)}). */
    public QmpCommands qmp() {
        return qmp;
    }

    /** The QEMU process itself (its exit status tells an OOM kill). */
    Process process() {
        return process;
    }

    public long pid() {
        return process.pid();
    }

    /** The accelerator QEMU was given and why. */
    public AccelChoice accel() {
        return accel;
    }

    /** The command line QEMU runs with, what memvirt changed in the user's line, and the sockets. */
    public QemuCommand command() {
        return command;
    }

    /** The host side of channel {@code name}: a Unix socket QEMU listens on. */
    public Path channelSocket(String name) {
        Path p = command.channelSockets().get(name);
        if (p == null) throw new QemuException("no channel '" + name + "' was added to this QEMU");
        return p;
    }

    public boolean alive() {
        return process.isAlive();
    }

    /** What QEMU printed on stderr so far (all of it once closed). */
    public String stderr() {
        if (finalStderr != null) return finalStderr;
        try {
            return Files.readString(dir.resolve(QemuLauncher.STDERR), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    /** Why QEMU ended, one line; or that it is still running. */
    public String diagnosis() {
        if (process.isAlive()) return "QEMU (pid " + pid() + ") is running";
        return QemuDiagnosis.of(process.exitValue(), stderr());
    }

    /** The QMP connection was lost: if QEMU ended within a second, why (otherwise the client's own reason stands). */
    private String explainLoss() {
        try {
            return process.waitFor(1, TimeUnit.SECONDS) ? QemuDiagnosis.of(process.exitValue(), stderr()) : null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /**
     * Stops QEMU (QMP quit, then SIGTERM, then SIGKILL, {@link #STOP_GRACE} apart) and removes its directory.
     * Idempotent.
     *
     * @throws QemuException only if QEMU outlives SIGKILL
     */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) return;
            closed = true;
        }
        try {
            if (process.isAlive() && qmp != null) {
                try {
                    new QmpCommands(client, STOP_GRACE).quit();
                } catch (QemuException e) {
                    // no answer to quit: the signals below stop it
                }
            }
            if (!exited(STOP_GRACE)) {
                process.destroy();                                 // SIGTERM (java.lang.ProcessHandleImpl.destroy)
                if (!exited(STOP_GRACE)) {
                    process.destroyForcibly();                     // SIGKILL
                    if (!exited(STOP_GRACE.multipliedBy(3))) {
                        throw new QemuException("QEMU (pid " + pid() + ") did not exit after SIGKILL");
                    }
                }
            }
        } finally {
            if (client != null) client.close();
            finalStderr = stderr();
            QemuLauncher.deleteTree(dir);
            QemuLauncher.gone(this);
        }
    }

    private boolean exited(Duration grace) {
        try {
            return process.waitFor(grace.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return !process.isAlive();
        }
    }

    private String stderrTail() {
        String line = QemuDiagnosis.errorLine(stderr());
        return line == null ? "" : "; it printed: " + line;
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new QemuException("interrupted while starting QEMU");
        }
    }
}
