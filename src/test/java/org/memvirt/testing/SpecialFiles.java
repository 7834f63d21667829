package org.memvirt.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.memvirt.Skip;

/** Device nodes and FIFOs made in a test's own temporary directory (never under /dev), with mknod(1) and mkfifo(1). */
public final class SpecialFiles {

    /** True when this process runs as root (the owner of /proc/self is the effective uid). */
    public static boolean root() {
        try {
            return ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    /**
     * A character device node 1,3 (what /dev/null is, linux Documentation/admin-guide/devices.txt) at {@code path}.
     * Only root may make one: elsewhere the calling test is skipped, and the reason printed.
     */
    public static Path charDevice(Path path) {
        Skip.unless(root(), "making a device node needs root (mknod(2) CAP_MKNOD); a FIFO test stands in for it");
        return run(path, "mknod", path.toString(), "c", "1", "3");
    }

    /** A FIFO at {@code path}; any user may make one. */
    public static Path fifo(Path path) {
        return run(path, "mkfifo", path.toString());
    }

    private static Path run(Path path, String... command) {
        try {
            Process p = new ProcessBuilder(List.of(command)).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            int rc = p.waitFor();
            if (rc != 0) throw new IllegalStateException(String.join(" ", command) + " failed (" + rc + "): " + out);
            return path;
        } catch (IOException e) {
            throw new IllegalStateException(command[0] + " did not start: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private SpecialFiles() {}
}
