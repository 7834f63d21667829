package org.memvirt.image;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;


/**
 * Built guest images, per user: {@code $XDG_CACHE_HOME/memvirt/images/KEY/} (else {@code ~/.cache/...}, XDG Base
 * Directory Specification) holding the kernel ({@code vmlinux}, else {@code vmlinuz}), {@code initrd.img} and {@code manifest.json}. An image is built in
 * a private {@code .build-PID-*} directory and renamed into place in one step, so a reader never sees half an image
 * and two builders of one key cannot collide (the second rename fails and its copy is dropped).
 */
final class ImageCache {
    static final String VMLINUX = "vmlinux", VMLINUZ = "vmlinuz", INITRD = "initrd.img", MANIFEST = "manifest.json";
    private static final String BUILD_PREFIX = ".build-";

    private final Path root;

    ImageCache(Path root) {
        this.root = root;
    }

    Path root() {
        return root;
    }

    /** The per-user cache directory: {@code $XDG_CACHE_HOME} when set to an absolute path, else {@code $HOME/.cache}. */
    static Path defaultRoot(Map<String, String> env, String userHome) {
        String xdg = env.get("XDG_CACHE_HOME");
        Path base = xdg != null && xdg.startsWith("/") ? Path.of(xdg)
                : Path.of(env.getOrDefault("HOME", userHome), ".cache");   // relative XDG paths are invalid: ignored
        return base.resolve("memvirt").resolve("images");
    }

    /** The complete image stored under {@code key}, if any. */
    Optional<GuestImage> get(String key) {
        return read(root.resolve(key));
    }

    /** The newest complete image built with this agent and recipe (for when the package tools cannot be used). */
    Optional<GuestImage> newest(String agentSha256, int recipe) {
        if (!Files.isDirectory(root)) return Optional.empty();
        try (Stream<Path> dirs = Files.list(root)) {
            return dirs.filter(d -> !d.getFileName().toString().startsWith("."))
                    .map(this::read).flatMap(Optional::stream)
                    .filter(i -> i.manifest().agentSha256().equals(agentSha256) && i.manifest().recipe() == recipe)
                    .max(Comparator.comparing(i -> modified(i.initrd())));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private Optional<GuestImage> read(Path dir) {
        Path manifest = dir.resolve(MANIFEST), initrd = dir.resolve(INITRD);
        if (!Files.isRegularFile(manifest) || !Files.isRegularFile(initrd)) return Optional.empty();
        try {
            ImageManifest m = ImageManifest.read(manifest);
            Path kernel = dir.resolve(m.kernelFile());
            if (!Files.isRegularFile(kernel)) return Optional.empty();
            return Optional.of(new GuestImage(kernel, initrd, "memvirt", m, true, 0, ""));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();                              // damaged or of another recipe: not this key's image
        }
    }

    /** A fresh private directory to build in (the cache root is created as needed). */
    Path newBuildDir() {
        try {
            Files.createDirectories(root);
            return Files.createTempDirectory(root, BUILD_PREFIX + ProcessHandle.current().pid() + "-");
        } catch (IOException e) {
            throw new ImageException("cannot create a build directory in " + root + ": " + e.getMessage());
        }
    }

    /**
     * Moves the finished image directory {@code built} (kernel, initrd.img, manifest.json) to its key in one rename.
     * When another builder got there first, its image is used and {@code built} is left for the caller to delete.
     */
    GuestImage commit(Path built, String key) {
        Path target = root.resolve(key);
        try {
            Files.move(built, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (FileAlreadyExistsException | DirectoryNotEmptyException e) {
            // a concurrent build of the same key finished first
        } catch (AtomicMoveNotSupportedException e) {
            throw new ImageException("cannot rename into " + root + " atomically: " + e.getMessage());
        } catch (IOException e) {
            throw new ImageException("cannot store the guest image in " + target + ": " + e.getMessage());
        }
        return get(key).orElseThrow(() -> new ImageException("the guest image in " + target + " is incomplete"));
    }

    /** Removes build directories left by builders that are no longer running (a build killed midway). */
    void removeStaleBuilds() {
        if (!Files.isDirectory(root)) return;
        try (Stream<Path> dirs = Files.list(root)) {
            for (Path d : (Iterable<Path>) dirs::iterator) {
                String name = d.getFileName().toString();
                if (!name.startsWith(BUILD_PREFIX)) continue;
                String pid = name.substring(BUILD_PREFIX.length()).split("-")[0];
                if (pid.matches("\\d+") && ProcessHandle.of(Long.parseLong(pid)).isEmpty()) deleteTree(d);
            }
        } catch (IOException e) {
            // leftovers stay; they do not affect any image
        }
    }

    /** Deletes a directory tree, quietly (it is memvirt's own build directory). */
    static void deleteTree(Path dir) {
        if (!Files.exists(dir)) return;
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) all.sorted(Comparator.reverseOrder())::iterator) Files.deleteIfExists(p);
        } catch (IOException e) {
            // a file we could not delete stays behind; the next build's cleanup tries again
        }
    }

    private static java.nio.file.attribute.FileTime modified(Path p) {
        try {
            return Files.getLastModifiedTime(p);
        } catch (IOException e) {
            return java.nio.file.attribute.FileTime.fromMillis(0);
        }
    }
}
