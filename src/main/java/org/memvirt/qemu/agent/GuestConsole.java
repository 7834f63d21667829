package org.memvirt.qemu.agent;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Optional;

/**
 * The guest's serial console as QEMU prints it: kept as its last lines (for diagnoses), and watched for the kernel's
 * panic line ("Kernel panic - not syncing: ...", linux kernel/panic.c panic()), the one message a dying guest is sure
 * to print there.
 */
public final class GuestConsole implements AutoCloseable {
    static final String PANIC = "Kernel panic - not syncing";
    static final int TAIL_LINES = 40;

    private final Deque<String> tail = new ArrayDeque<>();
    private volatile String panic;
    private volatile boolean ended;
    private volatile boolean closed;

    /** A console fed by {@code out} (QEMU's stdout with {@code -nographic}), read on a daemon thread until it ends. */
    public static GuestConsole follow(InputStream out) {
        GuestConsole c = new GuestConsole();
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(out, StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) c.accept(line);
            } catch (IOException e) {
                // QEMU went away: the console simply ends
            } finally {
                c.ended = true;
            }
        }, "memvirt-guest-console");
        t.setDaemon(true);
        t.start();
        return c;
    }

    /**
     * A console QEMU writes to {@code log} (its {@code -serial} chardev file), followed on a daemon thread as it grows,
     * until QEMU is no longer {@code running} and the file has nothing more, or until closed. A console without a log
     * ({@code log} null) stays empty.
     */
    public static GuestConsole followLog(java.nio.file.Path log, java.util.function.BooleanSupplier running) {
        GuestConsole c = new GuestConsole();
        if (log == null) {
            c.ended = true;
            return c;
        }
        Thread t = new Thread(() -> c.tail(log, running), "memvirt-guest-console");
        t.setDaemon(true);
        t.start();
        return c;
    }

    private void tail(java.nio.file.Path log, java.util.function.BooleanSupplier running) {
        java.io.ByteArrayOutputStream line = new java.io.ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        try (java.io.InputStream in = openWhenThere(log, running)) {
            while (in != null && !closed) {
                boolean alive = running.getAsBoolean();              // before reading: what QEMU wrote by now is read
                int n = in.read(buf);
                if (n > 0) {
                    for (int i = 0; i < n; i++) {
                        if (buf[i] != '\n') { line.write(buf[i]); continue; }
                        accept(line.toString(StandardCharsets.UTF_8));
                        line.reset();
                    }
                } else if (!alive) {
                    break;
                } else {
                    Thread.sleep(50);
                }
            }
        } catch (IOException e) {
            // the log went away with QEMU's directory
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            if (line.size() > 0) accept(line.toString(StandardCharsets.UTF_8));
            ended = true;
        }
    }

    private java.io.InputStream openWhenThere(java.nio.file.Path log, java.util.function.BooleanSupplier running)
            throws IOException, InterruptedException {
        while (!closed && !java.nio.file.Files.exists(log)) {
            if (!running.getAsBoolean()) return null;
            Thread.sleep(20);
        }
        return closed ? null : java.nio.file.Files.newInputStream(log);
    }

    /** Stops following the log. */
    @Override
    public void close() {
        closed = true;
    }

    /** One console line (without its newline; carriage returns and the terminal's escape noise are dropped). */
    public void accept(String raw) {
        String line = raw.replaceAll("\u001B\\[[0-9;?]*[A-Za-z]", "").replace("\r", "");
        int at = line.indexOf(PANIC);
        if (at >= 0 && panic == null) panic = line.substring(at).strip();
        synchronized (tail) {
            tail.addLast(line);
            if (tail.size() > TAIL_LINES) tail.removeFirst();
        }
    }

    /** The kernel's panic line, once one was printed. */
    public Optional<String> panic() {
        return Optional.ofNullable(panic);
    }

    public boolean ended() {
        return ended;
    }

    /** The last lines printed (at most {@value #TAIL_LINES}). */
    public List<String> tail() {
        synchronized (tail) {
            return List.copyOf(tail);
        }
    }

    /** The last non-blank line printed, if any. */
    public Optional<String> lastLine() {
        List<String> t = tail();
        for (int i = t.size() - 1; i >= 0; i--) if (!t.get(i).isBlank()) return Optional.of(t.get(i).strip());
        return Optional.empty();
    }
}
