package org.memvirt.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

import org.memvirt.FileKind;

/**
 * A file memvirt writes for the user (a {@code --report}): checked when the command starts, before any work, and
 * written whole (a temporary file in the same directory, then a rename over the target), only ever onto a regular
 * file or a new path. A directory, device node, FIFO or socket, directly or behind a symbolic link, is refused, as is
 * a missing or unwritable directory. Every refusal reads {@code cannot write OPTION PATH: REASON}; no Java exception
 * text reaches the user.
 *
 * <p>A symbolic link to a regular file is followed: the file it points to is replaced and the link stays.
 */
public final class OutputFile {
    private static final Set<PosixFilePermission> SHARED = PosixFilePermissions.fromString("rw-r--r--");

    private final String option;
    private final Path given;
    private final Path target;

    private OutputFile(String option, Path given, Path target) {
        this.option = option;
        this.given = given;
        this.target = target;
    }

    /**
     * Checks that {@code file} can be written as the value of {@code option} (e.g. {@code --report}).
     *
     * @throws ReportException {@code cannot write --report PATH: REASON} when it cannot
     */
    public static OutputFile check(String option, Path file) {
        return new OutputFile(option, file, null).checked();
    }

    /** Refuses to write over {@code input}, a file the command reads ({@code what}: "the scenario file"); null: none. */
    public OutputFile notOver(Path input, String what) {
        try {
            if (input != null && Files.exists(target) && Files.exists(input) && Files.isSameFile(target, input)) {
                throw refused("it is " + what + " this command reads");
            }
        } catch (IOException e) {
            throw refused(FileKind.reason(e));
        }
        return this;
    }

    /** The path as the user gave it. */
    public Path path() {
        return given;
    }

    /**
     * Writes {@code content} (UTF-8) to the file: to a temporary file beside it, then renamed over it, so a failure
     * leaves the old file (or no file) and no temporary file. Checks the path again first.
     *
     * @return the absolute path written (a symbolic link's target)
     */
    public Path write(String content) {
        Path abs = checked().target;
        Path tmp = null;
        try {
            tmp = Files.createTempFile(abs.getParent(), "." + abs.getFileName() + ".", ".tmp");
            Files.writeString(tmp, content, StandardCharsets.UTF_8);
            keepPermissions(abs, tmp);
            String kind = FileKind.of(abs);
            if (kind != null && !kind.equals(REGULAR)) throw refused("it is " + kind + ", not a regular file");
            Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            tmp = null;
            return abs;
        } catch (IOException e) {
            throw refused(FileKind.reason(e));
        } finally {
            if (tmp != null) deleteQuietly(tmp);
        }
    }

    private static final String REGULAR = FileKind.REGULAR;

    /** This file with its target resolved and every check passed; throws the refusal otherwise. */
    private OutputFile checked() {
        Path abs = given.toAbsolutePath().normalize();
        boolean link = Files.isSymbolicLink(abs);
        if (link) {
            try {
                abs = abs.toRealPath();
            } catch (IOException e) {
                throw refused("it is a symbolic link to a missing file");
            }
            String kind = FileKind.of(abs);
            if (!REGULAR.equals(kind)) throw refused("it is a symbolic link to " + kind + ", not to a regular file");
        }
        String kind = FileKind.of(abs);
        if (kind != null && !kind.equals(REGULAR)) throw refused("it is " + kind + ", not a regular file");
        Path dir = abs.getParent();
        if (dir == null) throw refused("it is the root directory, not a regular file");
        String dirName = !link && given.getParent() != null ? given.getParent().toString() : dir.toString();
        if (!Files.exists(dir)) throw refused("directory " + dirName + " does not exist");
        if (!Files.isDirectory(dir)) throw refused(dirName + " is not a directory");
        if (!Files.isWritable(dir)) throw refused("directory " + dirName + " is not writable");
        if (kind != null && !Files.isWritable(abs)) throw refused("the file is not writable");
        return new OutputFile(option, given, abs);
    }

    private ReportException refused(String reason) {
        return new ReportException("cannot write " + option + " " + given + ": " + reason, null);
    }

    /** A replaced file keeps its permission bits; a new one is readable by all, like any output file. */
    private static void keepPermissions(Path old, Path tmp) throws IOException {
        try {
            Set<PosixFilePermission> perms = Files.exists(old, LinkOption.NOFOLLOW_LINKS)
                    ? Files.getPosixFilePermissions(old) : SHARED;
            Files.setPosixFilePermissions(tmp, perms);
        } catch (UnsupportedOperationException notPosix) {
            // keep the file system's default
        }
    }

    private static void deleteQuietly(Path tmp) {
        try {
            Files.deleteIfExists(tmp);
        } catch (IOException ignored) {
            // the first error is the one to report
        }
    }
}
