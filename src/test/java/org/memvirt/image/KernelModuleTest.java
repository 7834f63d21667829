package org.memvirt.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The .modinfo of an ELF64 module: name and depends, as modpost writes them. */
class KernelModuleTest {
    @TempDir
    Path dir;

    @Test
    void readsNameAndDependsFromTheModinfoSection() throws Exception {
        KernelModule m = KernelModule.read(Modules.compile(dir.resolve("virtio_pci.ko"), "virtio_pci",
                "virtio_ring,virtio_pci_modern_dev,virtio_pci_legacy_dev,virtio"));
        assertThat(m.name()).isEqualTo("virtio_pci");
        assertThat(m.depends()).containsExactly("virtio_ring", "virtio_pci_modern_dev", "virtio_pci_legacy_dev", "virtio");
    }

    @Test
    void anEmptyDependsMeansNoDependencyAndDashesAreUnderscores() throws Exception {
        KernelModule m = KernelModule.read(Modules.compile(dir.resolve("virtio-rng.ko"), "virtio-rng", ""));
        assertThat(m.name()).isEqualTo("virtio_rng");
        assertThat(m.depends()).isEmpty();
    }

    @Test
    void aFileThatIsNotElfIsRefusedInOneLine() throws Exception {
        Path junk = Files.writeString(dir.resolve("junk.ko"), "not an ELF file at all, but long enough to have a header....");
        assertThatThrownBy(() -> KernelModule.read(junk)).isInstanceOf(ImageException.class)
                .hasMessage(junk + " is not a little-endian ELF64 file");
    }

    @Test
    void anElfWithoutModinfoIsRefused() throws Exception {
        Path c = Files.writeString(dir.resolve("plain.c"), "int x = 1;\n");
        Path o = dir.resolve("plain.ko");
        assertThat(new ProcessBuilder("gcc", "-c", "-o", o.toString(), c.toString()).start().waitFor()).isZero();
        assertThatThrownBy(() -> KernelModule.read(o)).hasMessage("kernel module " + o + " has no .modinfo section");
    }

    @Test
    void debiansDependsGiveTheLoadOrderInsmodNeeds() {
        Map<String, KernelModule> modules = new java.util.HashMap<>();
        Modules.DEBIAN_DEPENDS.forEach((name, deps) -> modules.put(name, new KernelModule(Path.of(name + ".ko"), name,
                deps.isEmpty() ? List.of() : List.of(deps.split(",")))));
        List<String> order = ModuleSet.order(ModuleSet.WANTED, modules::get).stream().map(KernelModule::name).toList();
        assertThat(order).containsExactly("virtio_ring", "virtio", "virtio_pci_legacy_dev", "virtio_pci_modern_dev",
                "virtio_pci", "virtio_mmio", "virtio_balloon", "virtio_console");
    }

    @Test
    void dependenciesComeFirstWhateverTheWantedOrderAndCyclesAreRefused() {
        Map<String, KernelModule> m = Map.of(
                "a", new KernelModule(Path.of("a.ko"), "a", List.of("b", "c")),
                "b", new KernelModule(Path.of("b.ko"), "b", List.of("c")),
                "c", new KernelModule(Path.of("c.ko"), "c", List.of()));
        assertThat(ModuleSet.order(List.of("a"), m::get).stream().map(KernelModule::name)).containsExactly("c", "b", "a");
        Map<String, KernelModule> cycle = Map.of(
                "x", new KernelModule(Path.of("x.ko"), "x", List.of("y")),
                "y", new KernelModule(Path.of("y.ko"), "y", List.of("x")));
        assertThatThrownBy(() -> ModuleSet.order(List.of("x"), cycle::get))
                .hasMessage("kernel modules depend on each other in a cycle: x -> y -> x");
    }

    @Test
    void findLooksUpTheTreeAndRefusesCompressedModules() throws Exception {
        Path tree = dir.resolve("lib/modules/6.1.0-57-amd64");
        Modules.debianTree(tree);
        assertThat(ModuleSet.find(tree).names()).containsExactly("virtio_ring", "virtio", "virtio_pci_legacy_dev",
                "virtio_pci_modern_dev", "virtio_pci", "virtio_mmio", "virtio_balloon", "virtio_console");
        Path zst = tree.resolve("kernel/drivers/virtio/virtio_balloon.ko");
        Files.move(zst, zst.resolveSibling("virtio_balloon.ko.zst"));
        assertThatThrownBy(() -> ModuleSet.find(tree)).isInstanceOf(ImageException.class)
                .hasMessage("the kernel package's module virtio_balloon.ko.zst is compressed (zst); the guest loads"
                        + " modules with busybox insmod, which needs uncompressed .ko files");
    }

    @Test
    void aMissingModuleIsNamed() throws Exception {
        Path tree = dir.resolve("lib/modules/x");
        Modules.debianTree(tree);
        Files.delete(tree.resolve("kernel/drivers/char/virtio_console.ko"));
        assertThatThrownBy(() -> ModuleSet.find(tree)).hasMessage("the kernel package has no module virtio_console under " + tree);
    }
}
