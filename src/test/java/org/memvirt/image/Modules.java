package org.memvirt.image;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Tiny kernel-module look-alikes for tests: ELF64 objects compiled with this host's gcc whose .modinfo section holds
 * {@code name=} and {@code depends=} strings the way modpost writes them.
 */
final class Modules {
    /** Debian 12's depends= strings for the modules memvirt loads (read from linux-image-6.1.0-57-amd64 6.1.192-3). */
    static final Map<String, String> DEBIAN_DEPENDS = Map.of(
            "virtio_ring", "", "virtio", "virtio_ring", "virtio_pci_legacy_dev", "", "virtio_pci_modern_dev", "",
            "virtio_pci", "virtio_ring,virtio_pci_modern_dev,virtio_pci_legacy_dev,virtio",
            "virtio_mmio", "virtio,virtio_ring", "virtio_balloon", "virtio,virtio_ring", "virtio_console", "virtio,virtio_ring");

    /** Compiles {@code file} as a module named {@code name} depending on {@code depends} (comma-separated). */
    static Path compile(Path file, String name, String depends) throws IOException, InterruptedException {
        Path c = Files.writeString(file.resolveSibling(file.getFileName() + ".c"), """
                __attribute__((section(".modinfo"), used)) static const char a[] = "license=GPL";
                __attribute__((section(".modinfo"), used)) static const char b[] = "depends=%s";
                __attribute__((section(".modinfo"), used)) static const char c[] = "name=%s";
                int init_module(void) { return 0; }
                """.formatted(depends, name));
        Process p = new ProcessBuilder("gcc", "-c", "-o", file.toString(), c.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) throw new IOException("gcc failed: " + out);
        Files.delete(c);
        return file;
    }

    /** Debian's eight modules under {@code tree}/lib/modules/RELEASE/kernel/drivers, as the kernel package lays them out. */
    static void debianTree(Path modulesDir) throws IOException, InterruptedException {
        for (String m : ModuleSet.WANTED) {
            Path dir = modulesDir.resolve("kernel/drivers").resolve(m.equals("virtio_console") ? "char" : "virtio");
            Files.createDirectories(dir);
            compile(dir.resolve(m + ".ko"), m, DEBIAN_DEPENDS.get(m));
        }
    }

    private Modules() {}
}
