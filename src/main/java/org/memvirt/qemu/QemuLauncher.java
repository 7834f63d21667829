package org.memvirt.qemu;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Where QEMU processes come from and how none outlives memvirt: the binary (located once), a private directory per
 * QEMU, the start itself on one long-lived thread under {@code setpriv --pdeathsig KILL} where available, and the
 * JVM shutdown hook that closes every QEMU still running.
 */
final class QemuLauncher {
    static final String STDOUT = "stdout.log";
    static final String STDERR = "stderr.log";
    static final String DIR_PREFIX = "memvirt-qemu-";
    private static final File DEV_NULL = new File("/dev/null");

    /** Every started, not yet closed QEMU: what the shutdown hook stops. */
    private static final Set<QemuProcess> LIVE = ConcurrentHashMap.newKeySet();
    /**
     * The thread every QEMU is started from. PR_SET_PDEATHSIG fires when the thread that created the child ends
     * (prctl(2): "the 'parent' in this case is considered to be the thread that created this process"), so the start
     * must come from a thread that lives as long as the JVM.
     */
    private static final ExecutorService STARTER = Executors.newSingleThreadExecutor(
            r -> Thread.ofPlatform().daemon().name("memvirt-qemu-starter").unstarted(r));
    private static volatile QemuBinary binary;
    private static volatile List<String> deathSignal;

    static {
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().name("memvirt-qemu-stop").unstarted(() -> {
            for (QemuProcess q : List.copyOf(LIVE)) {
                try {
                    q.close();
                } catch (RuntimeException e) {
                    // the JVM is exiting: nobody is left to tell, and the next QEMU must still be stopped
                }
            }
        }));
    }

    /** The qemu-system-x86_64 on PATH, version checked once per JVM. */
    static QemuBinary binary() {
        QemuBinary b = binary;
        if (b == null) binary = b = QemuBinary.locate();
        return b;
    }

    /** A new directory only this user can enter (Files.createTempDirectory: 0700 on POSIX), under {@code parent}
     *  or java.io.tmpdir when null. */
    static Path privateDirectory(Path parent) {
        try {
            return parent == null ? Files.createTempDirectory(DIR_PREFIX) : Files.createTempDirectory(parent, DIR_PREFIX);
        } catch (IOException e) {
            throw new QemuException("cannot create a directory for QEMU's sockets: " + e.getMessage());
        }
    }

    /** Starts {@code argv} with stdin from /dev/null and stdout, stderr into {@code dir}. */
    static Process launch(List<String> argv, Path dir) {
        List<String> command = new ArrayList<>(deathSignal());
        command.addAll(argv);
        ProcessBuilder pb = new ProcessBuilder(command).redirectInput(DEV_NULL)
                .redirectOutput(dir.resolve(STDOUT).toFile()).redirectError(dir.resolve(STDERR).toFile());
        try {
            return STARTER.submit(pb::start).get();
        } catch (ExecutionException e) {
            throw new QemuException("cannot start " + argv.getFirst() + ": " + e.getCause().getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new QemuException("interrupted while starting QEMU");
        }
    }

    /** {@code setpriv --pdeathsig KILL} (util-linux 2.33+) where it works here, else nothing. */
    static List<String> deathSignal() {
        List<String> d = deathSignal;
        if (d == null) deathSignal = d = probeSetpriv();
        return d;
    }

    private static List<String> probeSetpriv() {
        List<String> prefix = List.of("setpriv", "--pdeathsig", "KILL");
        List<String> probe = new ArrayList<>(prefix);
        probe.add("true");
        try {
            Process p = new ProcessBuilder(probe).redirectInput(DEV_NULL).redirectOutput(DEV_NULL)
                    .redirectError(DEV_NULL).start();
            return p.waitFor(5, TimeUnit.SECONDS) && p.exitValue() == 0 ? prefix : List.of();
        } catch (IOException e) {
            return List.of();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of();
        }
    }

    static void live(QemuProcess q) {
        LIVE.add(q);
    }

    static void gone(QemuProcess q) {
        LIVE.remove(q);
    }

    /** Removes {@code dir} and everything in it (sockets, logs). */
    static void deleteTree(Path dir) {
        if (!Files.exists(dir)) return;
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        } catch (IOException e) {
            throw new QemuException("cannot remove QEMU's directory " + dir + ": " + e.getMessage());
        }
    }

    private QemuLauncher() {}
}
