package org.memvirt.qemu;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.memvirt.host.HostEnv;

/**
 * The qemu-system-x86_64 on PATH and its version, which must be at least 7.2: memvirt's option table and error texts
 * are QEMU 7.2's, and {@code query-stats} needs 7.1 (qapi/stats.json "Since: 7.1").
 *
 * @param path the binary
 * @param major the version's first number
 * @param minor the second
 * @param micro the third (Debian's 7.2.22 is 7.2 with the stable fixes up to 7.2.22)
 */
public record QemuBinary(Path path, int major, int minor, int micro) {
    public static final String NAME = "qemu-system-x86_64";
    /** What to install where QEMU is missing or too old. */
    public static final String INSTALL_HINT = "install QEMU 7.2 or newer (Debian/Ubuntu: apt-get install "
            + "--no-install-recommends qemu-system-x86)";
    private static final Pattern VERSION = Pattern.compile("QEMU emulator version (\\d+)\\.(\\d+)\\.(\\d+)"); // softmmu/vl.c version()
    private static final long VERSION_TIMEOUT_SECONDS = 10;

    /**
     * The binary on this process's PATH, version checked; a one-line {@link QemuException} otherwise, also where
     * {@code MEMVIRT_QEMU=off} hides it or a described host is read ({@link HostEnv#qemuVeto}).
     */
    public static QemuBinary locate() {
        Optional<String> veto = HostEnv.qemuVeto();
        if (veto.isPresent()) throw new QemuException(veto.get());
        return locate(System.getenv().getOrDefault("PATH", ""));
    }

    /** The binary on {@code searchPath} (a PATH value), version checked. */
    public static QemuBinary locate(String searchPath) {
        Path binary = onPath(searchPath).orElseThrow(() -> new QemuException(NAME + " not found on PATH; " + INSTALL_HINT));
        QemuBinary b = parseVersion(binary, versionOutput(binary));
        if (b.major() < 7 || b.major() == 7 && b.minor() < 2) {
            throw new QemuException(NAME + " at " + binary + " is version " + b.version() + "; " + INSTALL_HINT);
        }
        return b;
    }

    /** The usable binary, or empty with nothing said: for callers that fall back (tests skip, demo picks another engine). */
    public static Optional<QemuBinary> find() {
        try {
            return Optional.of(locate());
        } catch (QemuException e) {
            return Optional.empty();
        }
    }

    /** Why {@link #find()} is empty, or null where QEMU is usable. */
    public static String unusableReason() {
        try {
            locate();
            return null;
        } catch (QemuException e) {
            return e.getMessage();
        }
    }

    static Optional<Path> onPath(String searchPath) {
        for (String dir : searchPath.split(":")) {
            if (dir.isEmpty()) continue;
            Path candidate = Path.of(dir, NAME);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) return Optional.of(candidate);
        }
        return Optional.empty();
    }

    /** The version from {@code qemu-system-x86_64 -version}'s first line. */
    static QemuBinary parseVersion(Path binary, String output) {
        Matcher m = VERSION.matcher(output);
        if (!m.find()) {
            String first = output.lines().findFirst().orElse("");
            throw new QemuException(binary + " -version printed no QEMU version ('" + first + "'); " + INSTALL_HINT);
        }
        return new QemuBinary(binary, Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)),
                Integer.parseInt(m.group(3)));
    }

    private static String versionOutput(Path binary) {
        Process p;
        try {
            p = new ProcessBuilder(binary.toString(), "-version").redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        } catch (IOException e) {
            throw new QemuException("cannot run " + binary + ": " + e.getMessage());
        }
        try {
            // two short lines: they fit the pipe, so waiting for the exit first cannot block QEMU
            if (!p.waitFor(VERSION_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                throw new QemuException(binary + " -version did not exit within " + VERSION_TIMEOUT_SECONDS + " s");
            }
            return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new QemuException("cannot read " + binary + " -version: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new QemuException("interrupted while running " + binary + " -version");
        } finally {
            p.destroyForcibly();
        }
    }

    /** {@code 7.2.22}. */
    public String version() {
        return major + "." + minor + "." + micro;
    }
}
