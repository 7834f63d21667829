package org.memvirt;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** What a path is (a regular file, a directory, a FIFO, a device node, ...), following links, in the words of errors. */
public final class FileKind {
    public static final String REGULAR = "a regular file";
    public static final String DIRECTORY = "a directory";
    // linux include/uapi/linux/stat.h: S_IFMT and the file types of st_mode
    private static final int S_IFMT = 0170000, S_IFSOCK = 0140000, S_IFLNK = 0120000, S_IFREG = 0100000,
            S_IFBLK = 0060000, S_IFDIR = 0040000, S_IFCHR = 0020000, S_IFIFO = 0010000;

    /** {@link #REGULAR}, {@link #DIRECTORY}, {@code "a FIFO"}, {@code "a character device"}, ...; null where nothing is. */
    public static String of(Path path) {
        int mode;
        try {
            mode = (Integer) Files.getAttribute(path, "unix:mode");
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            if (!Files.exists(path)) return null;
            return Files.isRegularFile(path) ? REGULAR : Files.isDirectory(path) ? DIRECTORY : "a special file";
        }
        return switch (mode & S_IFMT) {
            case S_IFREG -> REGULAR;
            case S_IFDIR -> DIRECTORY;
            case S_IFCHR -> "a character device";
            case S_IFBLK -> "a block device";
            case S_IFIFO -> "a FIFO";
            case S_IFSOCK -> "a socket";
            case S_IFLNK -> "a symbolic link";
            default -> "a special file";
        };
    }

    /** The errno text of a failed file operation, in lower case, without the Java exception's name or the path. */
    public static String reason(IOException e) {
        if (e instanceof NoSuchFileException) return "no such file or directory";
        if (e instanceof java.nio.file.AccessDeniedException) return "permission denied";
        if (e instanceof java.nio.file.FileSystemException fse && fse.getReason() != null && !fse.getReason().isBlank()) {
            String r = fse.getReason();
            return Character.toLowerCase(r.charAt(0)) + r.substring(1);
        }
        String m = e.getMessage();
        return m == null || m.isBlank() ? "input/output error" : Character.toLowerCase(m.charAt(0)) + m.substring(1);
    }

    private FileKind() {}
}
