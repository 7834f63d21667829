package org.memvirt.kvm;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A swap file switched on for one test (fallocate, chmod 600, mkswap, swapon) and always switched off and deleted by
 * {@link #close}. Needs root and the util-linux tools.
 */
final class HostSwapFile implements AutoCloseable {
    private final Path file;
    private boolean on;

    private HostSwapFile(Path file) {
        this.file = file;
    }

    /** Why a swap file cannot be used here, or null. */
    static String unavailableReason() {
        if (!"root".equals(System.getProperty("user.name"))) return "swapon needs root";
        for (String tool : List.of("/usr/sbin/mkswap", "/usr/sbin/swapon", "/usr/sbin/swapoff", "/usr/bin/fallocate")) {
            if (!Files.isExecutable(Path.of(tool))) return tool + " missing";
        }
        return null;
    }

    static HostSwapFile on(long bytes) throws IOException, InterruptedException {
        Path dir = Path.of(System.getProperty("java.io.tmpdir"));
        HostSwapFile s = new HostSwapFile(dir.resolve("memvirt-test-swap-" + ProcessHandle.current().pid()));
        try {
            sh("/usr/bin/fallocate", "-l", Long.toString(bytes), s.file.toString());
            sh("/usr/bin/chmod", "600", s.file.toString());
            sh("/usr/sbin/mkswap", s.file.toString());
            sh("/usr/sbin/swapon", s.file.toString());
            s.on = true;
            return s;
        } catch (IOException | InterruptedException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    Path file() {
        return file;
    }

    @Override
    public void close() {
        try {
            if (on) sh("/usr/sbin/swapoff", file.toString());
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException("swapoff " + file + " failed: " + e.getMessage(), e);
        } finally {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                // reported by the next run's fallocate at worst
            }
        }
    }

    static String sh(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) throw new IOException(String.join(" ", cmd) + " failed: " + out.trim());
        return out;
    }
}
