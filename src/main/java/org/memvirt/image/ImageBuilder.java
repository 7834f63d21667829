package org.memvirt.image;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;

import org.memvirt.engine.RunListener;

/**
 * Finds or builds memvirt's guest image: Debian's current kernel package (resolved through the
 * {@code linux-image-amd64} meta-package) and {@code busybox-static}, fetched with {@code apt-get download} and
 * unpacked with {@code dpkg-deb -x} (nothing installed, no root needed), plus this build's guest agent, in a gzip'd
 * newc initramfs whose /init loads the virtio modules and runs the agent. Images are cached per user under a key of
 * the exact package versions, the agent's source hash and {@link #RECIPE}.
 */
public final class ImageBuilder {
    /** The initramfs layout and /init version: bump it when either changes, so old cached images are not reused. */
    public static final int RECIPE = 2;                 // 2: the uncompressed vmlinux beside the initramfs
    static final long BUILD_SPACE_BYTES = 600L << 20;   // measured: kernel .deb ~71 MB, unpacked ~400 MB, busybox ~2 MB
    private static final List<String> STEPS = List.of("resolve packages", "download kernel", "download busybox",
            "unpack kernel", "unpack busybox", "read modules", "unpack vmlinux", "write initramfs", "store image");

    private final ImageCache cache;
    private final DebianPackages packages;
    private final HostCommands commands;

    /** The builder for this user's cache, with this host's package tools. */
    public static ImageBuilder forThisUser() {
        return new ImageBuilder(ImageCache.defaultRoot(System.getenv(), System.getProperty("user.home")), HostCommands.SYSTEM,
                isRoot());
    }

    ImageBuilder(Path cacheRoot, HostCommands commands, boolean root) {
        this.cache = new ImageCache(cacheRoot);
        this.commands = commands;
        this.packages = new DebianPackages(commands, root);
    }

    public Path cacheRoot() {
        return cache.root();
    }

    /**
     * The image to boot: the user's {@code kernel} and {@code initrd} where given (each may be null), memvirt's for
     * the rest, found in the cache or built now.
     */
    public GuestImage obtain(Path kernel, Path initrd, RunListener listener) {
        if (kernel != null) checkReadable("--kernel", kernel);
        if (initrd != null) checkReadable("--initrd", initrd);
        if (kernel != null && initrd != null) return new GuestImage(kernel, initrd, "user", null, false, 0, "");
        GuestImage own = obtain(listener);
        if (kernel != null) return new GuestImage(kernel, own.initrd(), "user kernel", own.manifest(), own.cached(), own.buildMillis(), own.note());
        if (initrd != null) return new GuestImage(own.kernel(), initrd, "user initrd", own.manifest(), own.cached(), own.buildMillis(), own.note());
        return own;
    }

    /**
     * Why no image can be had here without the user's own files (the package tools missing and nothing cached), or
     * empty when {@link #obtain(RunListener)} can at least try: what a caller says before choosing another engine.
     */
    public Optional<String> whyUnavailable() {
        List<String> missing = packages.missingTools();
        if (missing.isEmpty() || cache.newest(AgentBinary.load().sourceSha256(), RECIPE).isPresent()) return Optional.empty();
        return Optional.of(noToolsMessage(missing));
    }

    private static String noToolsMessage(List<String> missing) {
        return "no guest image is cached and " + String.join(", ", missing) + (missing.size() == 1 ? " is" : " are")
                + " missing: install Debian's apt and dpkg (the guest is built from Debian packages), or pass --kernel and --initrd";
    }

    /**
     * memvirt's own image: the cached one for today's package versions, or a new build. Where the package tools are
     * missing, or resolving or fetching the packages fails, the newest cached image built with this agent is used
     * (with a note saying why); without one, the failure is the answer.
     */
    public GuestImage obtain(RunListener listener) {
        long start = System.nanoTime();
        AgentBinary agent = AgentBinary.load();
        List<String> missing = packages.missingTools();
        if (!missing.isEmpty()) {
            return cache.newest(agent.sourceSha256(), RECIPE).map(i -> timed(i, start, true, ""))
                    .orElseThrow(() -> new ImageException(noToolsMessage(missing)));
        }
        cache.removeStaleBuilds();
        Path work = cache.newBuildDir();
        try {
            listener.stepStarted(0, STEPS.size(), STEPS.getFirst());
            List<DebianPackages.Package> resolved = packages.kernelAndBusybox(work);
            DebianPackages.Package kernelPkg = resolved.get(0), busybox = resolved.get(1);
            String key = key(kernelPkg, busybox, agent.sourceSha256());
            Optional<GuestImage> hit = cache.get(key);
            if (hit.isPresent()) return timed(hit.get(), start, true, "");
            checkSpace(work);
            GuestImage built = build(work, key, kernelPkg, busybox, agent, listener);
            return timed(built, start, false, built.note());
        } catch (ImageException e) {
            Optional<GuestImage> older = cache.newest(agent.sourceSha256(), RECIPE);
            if (older.isEmpty()) throw e;
            return timed(older.get(), start, true, "using the cached image " + older.get().manifest().key() + ": " + e.getMessage());
        } finally {
            ImageCache.deleteTree(work);
        }
    }

    private GuestImage build(Path work, String key, DebianPackages.Package kernelPkg, DebianPackages.Package busybox,
            AgentBinary agent, RunListener listener) {
        step(listener, 1);
        Path kernelDeb = packages.download(kernelPkg, work);
        step(listener, 2);
        Path busyboxDeb = packages.download(busybox, work);
        Path kernelTree = mkdir(work.resolve("kernel")), busyboxTree = mkdir(work.resolve("busybox"));
        step(listener, 3);
        packages.extract(kernelDeb, kernelTree);
        step(listener, 4);
        packages.extract(busyboxDeb, busyboxTree);
        step(listener, 5);
        String release = release(kernelPkg);
        Path vmlinuz = kernelTree.resolve("boot").resolve("vmlinuz-" + release);
        if (!Files.isRegularFile(vmlinuz)) throw new ImageException(kernelPkg.name() + " has no /boot/vmlinuz-" + release);
        ModuleSet modules = ModuleSet.find(kernelTree.resolve("lib").resolve("modules").resolve(release));
        step(listener, 6);
        Path image = mkdir(work.resolve("image"));
        Optional<String> compressed = KernelImage.extractVmlinux(vmlinuz, image.resolve(ImageCache.VMLINUX), commands);
        String kernelFile = compressed.isEmpty() ? ImageCache.VMLINUX : ImageCache.VMLINUZ;
        Path initrd = image.resolve(ImageCache.INITRD);
        step(listener, 7);
        try {
            if (compressed.isPresent()) {
                Files.deleteIfExists(image.resolve(ImageCache.VMLINUX));
                Files.copy(vmlinuz, image.resolve(ImageCache.VMLINUZ));
            }
            try (OutputStream out = Files.newOutputStream(initrd)) {
                writeInitramfs(out, modules, readBusybox(busyboxTree), agent.program());
            }
            ImageManifest m = new ImageManifest(RECIPE, key, kernelPkg.name(), kernelPkg.version(), release, kernelFile,
                    busybox.name(), busybox.version(), agent.sourceSha256(), modules.names(),
                    Files.size(image.resolve(kernelFile)), Files.size(initrd));
            Files.writeString(image.resolve(ImageCache.MANIFEST), m.toJson());
        } catch (IOException e) {
            throw new ImageException("cannot write the guest image in " + image + ": " + e.getMessage());
        }
        step(listener, 8);
        GuestImage stored = cache.commit(image, key);
        listener.stepProgress(1.0);
        return compressed.map(why -> withNote(stored, "booting the compressed kernel, which is slower under TCG: " + why))
                .orElse(stored);
    }

    private static GuestImage withNote(GuestImage i, String note) {
        return new GuestImage(i.kernel(), i.initrd(), i.origin(), i.manifest(), i.cached(), i.buildMillis(), note);
    }

    /**
     * The initramfs: /init, busybox (with /bin/sh), the agent, the modules, the mount points and /dev/console (the
     * kernel opens it for init's stdin/out before /init can mount devtmpfs), gzip'd (Debian's kernel has RD_GZIP).
     */
    static void writeInitramfs(OutputStream out, ModuleSet modules, byte[] busybox, byte[] agent) throws IOException {
        GZIPOutputStream gz = new GZIPOutputStream(out, 1 << 16) {
            { def.setLevel(Deflater.BEST_COMPRESSION); }
        };
        NewcArchive cpio = new NewcArchive(gz);
        for (String dir : List.of("bin", "dev", "lib", "lib/memvirt", "proc", "sys", "tmp")) cpio.directory(dir, 0755);
        cpio.charDevice("dev/console", 0600, 5, 1);       // linux Documentation/admin-guide/devices.txt: 5,1 = /dev/console
        cpio.file("bin/busybox", 0755, busybox);
        cpio.symlink("bin/sh", "busybox");
        cpio.file(InitScript.AGENT_PATH.substring(1), 0755, agent);
        for (KernelModule m : modules.ordered()) {
            cpio.file(InitScript.MODULE_DIR.substring(1) + "/" + m.name() + ".ko", 0644, Files.readAllBytes(m.file()));
        }
        cpio.file("init", 0755, InitScript.text(modules.names()).getBytes(StandardCharsets.UTF_8));
        cpio.finish();
        gz.finish();
    }

    /**
     * The cache key: a readable kernel release plus a hash of everything the image is made of (the pinned packages,
     * the agent's sources, /init's text and the recipe).
     */
    static String key(DebianPackages.Package kernel, DebianPackages.Package busybox, String agentSha256) {
        String inputs = "recipe " + RECIPE + "\n" + kernel.pinned() + "\n" + busybox.pinned() + "\nagent " + agentSha256
                + "\ninit " + sha256(InitScript.text(ModuleSet.WANTED).getBytes(StandardCharsets.UTF_8)) + "\n";
        return release(kernel) + "-" + sha256(inputs.getBytes(StandardCharsets.UTF_8)).substring(0, 16);
    }

    /** linux-image-6.1.0-57-amd64 → 6.1.0-57-amd64 (Debian names the package after the release). */
    static String release(DebianPackages.Package kernel) {
        return kernel.name().substring("linux-image-".length());
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    private static byte[] readBusybox(Path tree) throws IOException {
        Path bin = tree.resolve("bin").resolve("busybox");
        if (!Files.isRegularFile(bin)) throw new ImageException(DebianPackages.BUSYBOX + " has no /bin/busybox");
        return Files.readAllBytes(bin);
    }

    private static void checkReadable(String option, Path file) {
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) throw ImageException.input(option + " " + file + ": not a readable regular file");
    }

    private void checkSpace(Path work) {
        try {
            long free = Files.getFileStore(work).getUsableSpace();
            if (free < BUILD_SPACE_BYTES) {
                throw new ImageException("building the guest image needs about " + (BUILD_SPACE_BYTES >> 20) + " MiB for a moment in "
                        + cache.root() + ", which has " + (free >> 20) + " MiB free");
            }
        } catch (IOException e) {
            // unknown: the build itself will say if space runs out
        }
    }

    private static Path mkdir(Path dir) {
        try {
            return Files.createDirectories(dir);
        } catch (IOException e) {
            throw new ImageException("cannot create " + dir + ": " + e.getMessage());
        }
    }

    private static void step(RunListener listener, int index) {
        listener.stepStarted(index, STEPS.size(), STEPS.get(index));
    }

    private static GuestImage timed(GuestImage image, long startNanos, boolean cached, String note) {
        return new GuestImage(image.kernel(), image.initrd(), image.origin(), image.manifest(), cached,
                (System.nanoTime() - startNanos) / 1_000_000, note);
    }

    private static boolean isRoot() {
        try (Stream<String> lines = Files.lines(Path.of("/proc/self/status"))) {
            return lines.anyMatch(l -> l.matches("Uid:\\s+0\\s.*"));
        } catch (IOException e) {
            return false;
        }
    }
}
