package org.memvirt.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Everything observable about a directory tree without following links: per entry its type and mode, inode, device
 * number, size, modification time and (for readable regular files up to 1 MiB) content. Two equal snapshots mean that nothing was
 * created, changed, removed or replaced (a rename over a file gives it a new inode).
 */
public record DirSnapshot(Map<String, String> entries) {
    /** Larger files are told apart by inode, size and mtime only. */
    static final long MAX_HASHED = 1L << 20;

    public static DirSnapshot of(Path dir) {
        Map<String, String> entries = new TreeMap<>();
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.toList()) entries.put(dir.relativize(p).toString(), describe(p));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new DirSnapshot(entries);
    }

    private static String describe(Path p) throws IOException {
        Map<String, Object> a = Files.readAttributes(p, "unix:mode,ino,rdev,size,lastModifiedTime", LinkOption.NOFOLLOW_LINKS);
        String d = String.format("mode=%o ino=%s rdev=%s size=%s mtime=%s", (Integer) a.get("mode"), a.get("ino"),
                a.get("rdev"), a.get("size"), a.get("lastModifiedTime"));
        // a file this user cannot read (a fixture made unreadable, the tests run as a normal user) is told apart by
        // its metadata only: what cannot be read here cannot have been read and rewritten by the command either
        if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) && Files.size(p) <= MAX_HASHED && Files.isReadable(p)) {
            d += " content=" + java.util.Arrays.hashCode(Files.readAllBytes(p));
        }
        if (Files.isSymbolicLink(p)) d += " -> " + Files.readSymbolicLink(p);
        return d;
    }
}
