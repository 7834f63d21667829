package org.memvirt.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.memvirt.engine.RunListener;

/** Building, caching and refusing guest images, with Debian's tools faked (no network, no root). */
class ImageBuilderTest {
    @TempDir
    static Path shared;
    static Path modules;
    @TempDir
    Path dir;
    Path root;
    FakeDebian debian;

    @BeforeAll
    static void compileModules() throws Exception {
        modules = shared.resolve("modules");
        Modules.debianTree(modules);                                   // gcc, once for the class
    }

    @BeforeEach
    void setUp() {
        root = dir.resolve("cache/memvirt/images");
        debian = new FakeDebian(modules);
    }

    private ImageBuilder builder(boolean asRoot) {
        return new ImageBuilder(root, debian, asRoot);
    }

    private List<String> cacheEntries() throws IOException {
        try (Stream<Path> s = Files.list(root)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void buildsFromThePinnedPackagesOnceAndThenServesTheCache() throws IOException {
        GuestImage built = builder(false).obtain(RunListener.NONE);
        assertThat(built.cached()).isFalse();
        assertThat(built.origin()).isEqualTo("memvirt");
        assertThat(debian.log).contains("apt-cache depends linux-image-amd64",
                "apt-cache policy linux-image-6.1.0-57-amd64 busybox-static",
                "apt-get download -q linux-image-6.1.0-57-amd64=6.1.192-3",
                "apt-get download -q busybox-static=1:1.35.0-4+deb12u1+b1");
        ImageManifest m = built.manifest();
        assertThat(m.kernelRelease()).isEqualTo("6.1.0-57-amd64");
        assertThat(m.busyboxVersion()).isEqualTo("1:1.35.0-4+deb12u1+b1");
        assertThat(m.modules()).containsExactly("virtio_ring", "virtio", "virtio_pci_legacy_dev", "virtio_pci_modern_dev",
                "virtio_pci", "virtio_mmio", "virtio_balloon", "virtio_console");
        assertThat(m.key()).matches("6\\.1\\.0-57-amd64-[0-9a-f]{16}");
        // the stand-in bzImage holds no compressed kernel, so the image boots it as it is (KernelImageTest unpacks real ones)
        assertThat(m.kernelFile()).isEqualTo("vmlinuz");
        assertThat(built.kernel()).isEqualTo(root.resolve(m.key()).resolve("vmlinuz"));
        assertThat(Files.readString(built.kernel())).isEqualTo("a bzImage stand-in");
        assertThat(built.note()).isEqualTo("booting the compressed kernel, which is slower under TCG: the kernel's payload"
                + " is neither XZ nor gzip");
        assertThat(cacheEntries()).containsExactly(m.key());             // the build directory is gone

        GuestImage again = builder(false).obtain(RunListener.NONE);
        assertThat(again.cached()).isTrue();
        assertThat(again.initrd()).isEqualTo(built.initrd());
        assertThat(debian.count("apt-get download")).isEqualTo(2);       // none more
    }

    @Test
    void theInitramfsHoldsInitBusyboxTheAgentAndTheModulesInLoadOrder() throws IOException {
        GuestImage image = builder(false).obtain(RunListener.NONE);
        byte[] cpio;
        try (InputStream in = new GZIPInputStream(Files.newInputStream(image.initrd()))) {
            cpio = in.readAllBytes();
        }
        List<NewcArchiveTest.Entry> entries = NewcArchiveTest.read(cpio);
        assertThat(entries).extracting(NewcArchiveTest.Entry::name).containsExactly("bin", "dev", "lib", "lib/memvirt",
                "proc", "sys", "tmp", "dev/console", "bin/busybox", "bin/sh", "memvirt-agent",
                "lib/memvirt/virtio_ring.ko", "lib/memvirt/virtio.ko", "lib/memvirt/virtio_pci_legacy_dev.ko",
                "lib/memvirt/virtio_pci_modern_dev.ko", "lib/memvirt/virtio_pci.ko", "lib/memvirt/virtio_mmio.ko",
                "lib/memvirt/virtio_balloon.ko", "lib/memvirt/virtio_console.ko", "init");
        NewcArchiveTest.Entry agent = entries.get(10), init = entries.getLast();
        assertThat(agent.data()).isEqualTo(AgentBinary.load().program());
        assertThat(agent.mode()).isEqualTo(0100755);
        String script = new String(init.data(), StandardCharsets.UTF_8);
        assertThat(script).startsWith("#!/bin/busybox sh\n")
                .contains("for m in virtio_ring virtio virtio_pci_legacy_dev virtio_pci_modern_dev virtio_pci virtio_mmio"
                        + " virtio_balloon virtio_console; do")
                .contains("thp=never\n").endsWith("exec /memvirt-agent\n");
        // the same inputs give the same archive, byte for byte
        try (InputStream in = new GZIPInputStream(Files.newInputStream(image.initrd()))) {
            java.io.ByteArrayOutputStream again = new java.io.ByteArrayOutputStream();
            ImageBuilder.writeInitramfs(again, ModuleSet.find(modules), "a busybox stand-in".getBytes(StandardCharsets.UTF_8),
                    AgentBinary.load().program());
            try (InputStream in2 = new GZIPInputStream(new java.io.ByteArrayInputStream(again.toByteArray()))) {
                assertThat(in2.readAllBytes()).isEqualTo(in.readAllBytes());
            }
        }
    }

    @Test
    void theInitScriptIsValidShell() throws Exception {
        Path script = Files.writeString(dir.resolve("init"), InitScript.text(ModuleSet.WANTED));
        Process p = new ProcessBuilder("sh", "-n", script.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(out).isZero();
    }

    @Test
    void theKeyChangesWithEveryPinnedInput() {
        DebianPackages.Package k = new DebianPackages.Package(FakeDebian.KERNEL, "6.1.192-3");
        DebianPackages.Package b = new DebianPackages.Package("busybox-static", "1:1.35.0-4+deb12u1+b1");
        String agent = "0".repeat(64);
        String key = ImageBuilder.key(k, b, agent);
        assertThat(key).startsWith("6.1.0-57-amd64-").hasSize("6.1.0-57-amd64-".length() + 16);
        assertThat(ImageBuilder.key(k, b, agent)).isEqualTo(key);
        assertThat(Set.of(key, ImageBuilder.key(new DebianPackages.Package(FakeDebian.KERNEL, "6.1.192-4"), b, agent),
                ImageBuilder.key(k, new DebianPackages.Package("busybox-static", "1:1.36"), agent),
                ImageBuilder.key(k, b, "1".repeat(64)))).hasSize(4);
    }

    @Test
    void aFailedBuildLeavesNothingBehind() throws IOException {
        debian.failOn = "dpkg-deb";
        assertThatThrownBy(() -> builder(false).obtain(RunListener.NONE)).isInstanceOf(ImageException.class)
                .hasMessage("dpkg-deb -x linux-image-6.1.0-57-amd64_6.1.192-3_amd64.deb failed: E: simulated failure of dpkg-deb");
        assertThat(cacheEntries()).isEmpty();
    }

    @Test
    void concurrentBuildsOfOneKeyEndWithOneImage() throws IOException {
        CompletableFuture<GuestImage> a = CompletableFuture.supplyAsync(() -> builder(false).obtain(RunListener.NONE));
        CompletableFuture<GuestImage> b = CompletableFuture.supplyAsync(() -> builder(false).obtain(RunListener.NONE));
        assertThat(a.join().initrd()).isEqualTo(b.join().initrd());
        assertThat(cacheEntries()).containsExactly(a.join().manifest().key());
    }

    @Test
    void withoutThePackageToolsTheCachedImageServesElseOneLineSaysWhatToInstall() {
        debian.tools = Set.of("apt-get");
        assertThat(builder(false).whyUnavailable()).contains("no guest image is cached and apt-cache, dpkg-deb are missing:"
                + " install Debian's apt and dpkg (the guest is built from Debian packages), or pass --kernel and --initrd");
        assertThatThrownBy(() -> builder(false).obtain(RunListener.NONE)).isInstanceOf(ImageException.class)
                .hasMessage("no guest image is cached and apt-cache, dpkg-deb are missing: install Debian's apt and dpkg"
                        + " (the guest is built from Debian packages), or pass --kernel and --initrd")
                .satisfies(e -> assertThat(((ImageException) e).exitCode()).isEqualTo(org.memvirt.ExitCoded.HOST));
        debian.tools = Set.of("apt-get", "apt-cache", "dpkg-deb");
        GuestImage built = builder(false).obtain(RunListener.NONE);
        debian.tools = Set.of();
        assertThat(builder(false).whyUnavailable()).isEmpty();
        GuestImage offline = builder(false).obtain(RunListener.NONE);
        assertThat(offline.cached()).isTrue();
        assertThat(offline.initrd()).isEqualTo(built.initrd());
    }

    @Test
    void whenANewerKernelCannotBeFetchedTheCachedImageServesWithANote() {
        GuestImage built = builder(false).obtain(RunListener.NONE);
        debian.kernelVersion = "6.1.193-1";
        debian.failOn = "apt-get download";
        GuestImage fallback = builder(false).obtain(RunListener.NONE);
        assertThat(fallback.initrd()).isEqualTo(built.initrd());
        assertThat(fallback.note()).isEqualTo("using the cached image " + built.manifest().key() + ": apt-get download"
                + " linux-image-6.1.0-57-amd64=6.1.193-1 failed: E: simulated failure of apt-get download");
    }

    @Test
    void listsThatDoNotKnowTheKernelAreUpdatedOnceAsRootAndExplainedOtherwise() {
        debian.listsKnown = false;
        assertThatThrownBy(() -> builder(false).obtain(RunListener.NONE))
                .hasMessage("the package lists do not know linux-image-amd64 (E: No packages found); run 'apt-get update'"
                        + " as root once, then build the guest image again");
        assertThat(debian.count("apt-get update")).isZero();
        GuestImage image = builder(true).obtain(RunListener.NONE);
        assertThat(debian.count("apt-get update")).isEqualTo(1);
        assertThat(image.manifest().kernelPackage()).isEqualTo(FakeDebian.KERNEL);
    }

    @Test
    void userFilesMustBeReadableRegularFilesAndBothSkipTheBuild() throws IOException {
        Path missing = dir.resolve("nope");
        assertThatThrownBy(() -> builder(false).obtain(missing, null, RunListener.NONE))
                .hasMessage("--kernel " + missing + ": not a readable regular file")
                .satisfies(e -> assertThat(((ImageException) e).exitCode()).isEqualTo(org.memvirt.ExitCoded.INPUT));
        assertThatThrownBy(() -> builder(false).obtain(null, dir, RunListener.NONE))
                .hasMessage("--initrd " + dir + ": not a readable regular file");
        Path k = Files.writeString(dir.resolve("k"), "k"), i = Files.writeString(dir.resolve("i"), "i");
        GuestImage own = builder(false).obtain(k, i, RunListener.NONE);
        assertThat(own.origin()).isEqualTo("user");
        assertThat(own.runsAgent()).isFalse();
        assertThat(debian.log).isEmpty();
        GuestImage mixed = builder(false).obtain(k, null, RunListener.NONE);
        assertThat(mixed.origin()).isEqualTo("user kernel");
        assertThat(mixed.kernel()).isEqualTo(k);
        assertThat(mixed.runsAgent()).isTrue();
    }

    @Test
    void buildDirectoriesOfDeadBuildersAreRemoved() throws IOException {
        Path stale = Files.createDirectories(root.resolve(".build-999999999-123/kernel"));
        Path mine = Files.createDirectories(root.resolve(".build-" + ProcessHandle.current().pid() + "-456"));
        builder(false).obtain(RunListener.NONE);
        assertThat(stale.getParent()).doesNotExist();
        assertThat(mine).exists();                                      // a live builder's directory stays
    }

    @Test
    void theCacheFollowsXdgCacheHomeWhenAbsolute() {
        assertThat(ImageCache.defaultRoot(Map.of("XDG_CACHE_HOME", "/x/cache", "HOME", "/home/u"), "/j"))
                .isEqualTo(Path.of("/x/cache/memvirt/images"));
        assertThat(ImageCache.defaultRoot(Map.of("XDG_CACHE_HOME", "rel", "HOME", "/home/u"), "/j"))
                .isEqualTo(Path.of("/home/u/.cache/memvirt/images"));
        assertThat(ImageCache.defaultRoot(Map.of(), "/j")).isEqualTo(Path.of("/j/.cache/memvirt/images"));
    }

    @Test
    void aPolicyWithoutACandidateIsRefused() {
        assertThat(DebianPackages.candidate(FakeDebian.POLICY.formatted("6.1.192-3"), "busybox-static")).isEqualTo("1:1.35.0-4+deb12u1+b1");
        assertThatThrownBy(() -> DebianPackages.candidate("busybox-static:\n  Installed: (none)\n  Candidate: (none)\n", "busybox-static"))
                .hasMessage("the package lists offer no installable version of busybox-static (apt-cache policy busybox-static shows no candidate)");
    }
}
