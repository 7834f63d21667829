package org.memvirt.report;

import java.io.Console;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.function.LongSupplier;

import org.memvirt.engine.RunListener;

/**
 * A terminal progress bar for runs that take more than a second: {@code [#####-----]  42% touch 1G  ETA 3s}, redrawn
 * in place with a carriage return at most ten times a second, shown only once the run has lasted one second, and only
 * when enabled (see {@link #forStderr}). Not thread-safe: an engine reports from its run loop.
 */
public final class Progress implements RunListener, AutoCloseable {
    static final long SHOW_AFTER_NANOS = 1_000_000_000L;   // nothing for runs shorter than a second
    static final long REDRAW_NANOS = 100_000_000L;         // at most ten redraws a second
    static final int BAR_WIDTH = 20;
    static final int LINE_WIDTH = 79;                      // fits an 80-column terminal without wrapping

    private final PrintStream out;
    private final LongSupplier nanoClock;
    private final boolean enabled;
    private long startNanos = -1;
    private long lastDrawNanos;
    private int drawnWidth;
    private int index;
    private int total = 1;
    private String text = "";

    /**
     * @param out where to draw (the CLI passes stderr)
     * @param nanoClock monotonic nanoseconds, {@link System#nanoTime} outside tests
     * @param enabled false draws nothing at all
     */
    public Progress(PrintStream out, LongSupplier nanoClock, boolean enabled) {
        this.out = out;
        this.nanoClock = nanoClock;
        this.enabled = enabled;
    }

    /**
     * The bar the CLI wants: drawing on {@code stderr} only when {@code json} output was not asked for, the process
     * has an interactive console ({@link Console#isTerminal}, JDK 22+, which looks at stdin and stdout) and file
     * descriptor 2 itself is a terminal (so {@code 2>log} gets no bar either).
     */
    public static Progress forStderr(PrintStream stderr, boolean json) {
        Console console = System.console();
        boolean terminal = console != null && console.isTerminal() && isTerminal(Path.of("/proc/self/fd/2"));
        return new Progress(stderr, System::nanoTime, !json && terminal);
    }

    /** Whether the file descriptor link {@code fdLink} points at a terminal device; true where /proc cannot tell. */
    static boolean isTerminal(Path fdLink) {
        try {
            String target = Files.readSymbolicLink(fdLink).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty") || target.equals("/dev/console");
        } catch (IOException | UnsupportedOperationException e) {
            return true;   // no /proc: Console#isTerminal alone decides
        }
    }

    public boolean enabled() {
        return enabled;
    }

    /** Prints {@code memvirt: MESSAGE} on its own line, drawn bar or not (also with {@code --json}: it is stderr). */
    @Override
    public void notice(String message) {
        if (drawnWidth > 0) {
            out.print("\r" + " ".repeat(drawnWidth) + "\r");
            drawnWidth = 0;
        }
        out.println("memvirt: " + message);
        out.flush();
    }

    @Override
    public void stepStarted(int index, int total, String text) {
        if (!enabled) return;
        this.index = index;
        this.total = Math.max(1, total);
        this.text = text;
        update(0);
    }

    @Override
    public void stepProgress(double done) {
        if (!enabled) return;
        update(done);
    }

    /** Erases the bar if one was drawn, so that the next output starts on a clean line. */
    @Override
    public void close() {
        if (drawnWidth > 0) {
            out.print("\r" + " ".repeat(drawnWidth) + "\r");
            out.flush();
            drawnWidth = 0;
        }
    }

    private void update(double stepDone) {
        long now = nanoClock.getAsLong();
        if (startNanos < 0) startNanos = now;
        long elapsed = now - startNanos;
        if (elapsed < SHOW_AFTER_NANOS) return;
        if (drawnWidth > 0 && now - lastDrawNanos < REDRAW_NANOS) return;
        lastDrawNanos = now;
        double fraction = (index + Math.max(0, Math.min(1, stepDone))) / total;
        String line = line(fraction, text, elapsed);
        out.print("\r" + line + " ".repeat(Math.max(0, drawnWidth - line.length())));
        out.flush();
        drawnWidth = line.length();
    }

    /** {@code [#####---------------]  25% touch 1G  ETA 3s}: the ETA assumes the rest goes as fast as the part done. */
    static String line(double fraction, String text, long elapsedNanos) {
        int filled = (int) Math.floor(fraction * BAR_WIDTH + 1e-9);
        StringBuilder sb = new StringBuilder(LINE_WIDTH + 8);
        sb.append('[').append("#".repeat(filled)).append("-".repeat(BAR_WIDTH - filled)).append("] ")
                .append(String.format(Locale.ROOT, "%3d%%", (int) Math.floor(fraction * 100 + 1e-9)));
        String eta = fraction <= 0 ? "" : "  ETA " + duration((long) (elapsedNanos * (1 - fraction) / fraction));
        int room = LINE_WIDTH - sb.length() - 1 - eta.length();
        if (!text.isEmpty() && room > 3) {
            sb.append(' ').append(text.length() <= room ? text : text.substring(0, room - 1) + "…");
        }
        return sb.append(eta).toString();
    }

    /** A remaining time, rounded up to a whole second: {@code 3s}, {@code 2m05s}, {@code 1h02m}. */
    static String duration(long nanos) {
        long s = (nanos + 999_999_999L) / 1_000_000_000L;
        if (s < 60) return s + "s";
        if (s < 3600) return String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
        return String.format(Locale.ROOT, "%dh%02dm", s / 3600, s % 3600 / 60);
    }
}
