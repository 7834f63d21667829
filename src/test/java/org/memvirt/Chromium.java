package org.memvirt;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Headless Chromium for the browser tests: a screenshot of a page, or the page's DOM after its scripts ran. Every
 * run gets its own profile under {@code work}; {@code --host-resolver-rules} keeps every lookup local.
 */
public final class Chromium {
    public static final Path PROGRAM = Path.of("/usr/bin/chromium");
    private static final long TIMEOUT_SECONDS = 90;

    private Chromium() {}

    /** Skips the test where Chromium is missing. */
    public static void required() {
        Skip.unless(Files.isExecutable(PROGRAM), PROGRAM + " is missing (scripts/ci-deps installs it)");
    }

    /** Renders {@code html} at {@code width} x {@code height} into {@code png}; {@code extra} are more flags. */
    public static void screenshot(Path work, Path html, Path png, int width, int height, String... extra)
            throws IOException, InterruptedException {
        Files.deleteIfExists(png);
        List<String> args = new ArrayList<>(List.of(extra));
        args.add("--screenshot=" + png);
        args.add("--window-size=" + width + "," + height);
        String log = run(work, html, png.getFileName() + ".log", args);
        if (!Files.exists(png)) throw new AssertionError("no screenshot of " + html + "; chromium said: " + log);
    }

    /** The DOM of {@code html} after load (its scripts ran), as Chromium's {@code --dump-dom} prints it. */
    public static String dumpDom(Path work, Path html, int width, int height) throws IOException, InterruptedException {
        Path out = work.resolve(html.getFileName() + ".dom");
        run(work, html, html.getFileName() + ".dom.log", List.of("--dump-dom", "--window-size=" + width + "," + height),
                out);
        return Files.readString(out);
    }

    private static String run(Path work, Path html, String logName, List<String> extra)
            throws IOException, InterruptedException {
        return run(work, html, logName, extra, null);
    }

    private static String run(Path work, Path html, String logName, List<String> extra, Path stdout)
            throws IOException, InterruptedException {
        Path profile = Files.createTempDirectory(work, "profile");
        Path log = work.resolve(logName);
        List<String> cmd = new ArrayList<>(List.of(PROGRAM.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--hide-scrollbars", "--host-resolver-rules=MAP * ~NOTFOUND",
                "--user-data-dir=" + profile));
        cmd.addAll(extra);
        cmd.add(html.toUri().toString());
        ProcessBuilder pb = new ProcessBuilder(cmd);
        if (stdout != null) pb.redirectOutput(stdout.toFile()).redirectError(log.toFile());
        else pb.redirectErrorStream(true).redirectOutput(log.toFile());
        Process p = pb.start();
        if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("chromium did not finish in " + TIMEOUT_SECONDS + " s: " + Files.readString(log));
        }
        return Files.readString(log);
    }
}
