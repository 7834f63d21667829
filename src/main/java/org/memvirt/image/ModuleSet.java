package org.memvirt.image;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The kernel modules the guest loads, in an order where every module comes after the modules it depends on (the
 * {@code depends=} of each one's .modinfo, followed transitively: what modprobe would do from modules.dep).
 */
record ModuleSet(List<KernelModule> ordered) {
    /** What memvirt's guest needs: the virtio transports (PCI and MMIO), the balloon and the console (the agent's port). */
    static final List<String> WANTED = List.of("virtio_ring", "virtio", "virtio_pci_legacy_dev", "virtio_pci_modern_dev",
            "virtio_pci", "virtio_mmio", "virtio_balloon", "virtio_console");

    ModuleSet {
        ordered = List.copyOf(ordered);
    }

    List<String> names() {
        return ordered.stream().map(KernelModule::name).toList();
    }

    /** Finds {@link #WANTED} and their dependencies under {@code modulesDir} (a lib/modules/RELEASE) and orders them. */
    static ModuleSet find(Path modulesDir) {
        Map<String, Path> files = index(modulesDir);
        Map<String, KernelModule> read = new HashMap<>();
        return new ModuleSet(order(WANTED, name -> read.computeIfAbsent(name, n -> {
            Path file = files.get(n);
            if (file == null) throw new ImageException("the kernel package has no module " + n + " under " + modulesDir);
            return KernelModule.read(file);
        })));
    }

    /**
     * Depth-first over {@code depends}: each module after its dependencies, otherwise in {@code wanted} order.
     * @throws ImageException on a dependency cycle
     */
    static List<KernelModule> order(List<String> wanted, java.util.function.Function<String, KernelModule> lookup) {
        Map<String, KernelModule> done = new LinkedHashMap<>();
        for (String name : wanted) visit(name, lookup, done, new ArrayList<>());
        return List.copyOf(done.values());
    }

    private static void visit(String name, java.util.function.Function<String, KernelModule> lookup,
            Map<String, KernelModule> done, List<String> path) {
        if (done.containsKey(name)) return;
        if (path.contains(name)) throw new ImageException("kernel modules depend on each other in a cycle: " + String.join(" -> ", path) + " -> " + name);
        path.add(name);
        KernelModule m = lookup.apply(name);
        for (String d : m.depends()) visit(d, lookup, done, path);
        path.removeLast();
        done.put(name, m);
    }

    /**
     * Every module file under {@code dir} by normalized name. Compressed modules (.ko.xz, .ko.zst, .ko.gz: other
     * distributions ship them so) are refused: busybox insmod in the guest needs them uncompressed.
     */
    private static Map<String, Path> index(Path dir) {
        Map<String, Path> files = new HashMap<>();
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) all::iterator) {
                String f = p.getFileName().toString();
                if (f.endsWith(".ko")) files.put(KernelModule.normalize(f.substring(0, f.length() - 3)), p);
                for (String z : List.of(".ko.xz", ".ko.zst", ".ko.gz")) {
                    String base = f.endsWith(z) ? KernelModule.normalize(f.substring(0, f.length() - z.length())) : null;
                    if (base != null && WANTED.contains(base)) {
                        throw new ImageException("the kernel package's module " + f + " is compressed (" + z.substring(4)
                                + "); the guest loads modules with busybox insmod, which needs uncompressed .ko files");
                    }
                }
            }
        } catch (IOException e) {
            throw new ImageException("cannot list the kernel modules under " + dir + ": " + e.getMessage());
        }
        return files;
    }
}
