package org.memvirt.hostctl;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Reading and writing the kernel's control files (cgroupfs, sysfs), whose errors memvirt reports as one line. */
final class KernelFiles {

    /** The whole file, or null when it does not exist. */
    static String readOrNull(Path file) {
        try {
            return Files.readString(file, StandardCharsets.ISO_8859_1);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw HostctlException.host("cannot read " + file + ": " + reason(e));
        }
    }

    /**
     * Writes {@code value} into the existing file {@code file}: never creates one (a control file the kernel does not
     * show is a missing feature, not a file to make).
     */
    static void write(Path file, String value) {
        try {
            Files.writeString(file, value, StandardCharsets.ISO_8859_1, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING);
        } catch (IOException e) {
            throw HostctlException.host("cannot write " + value + " to " + file + ": " + reason(e));
        }
    }

    /** What an I/O error says, without Java's exception class names where the message alone is clear. */
    static String reason(IOException e) {
        String m = e.getMessage();
        if (e instanceof NoSuchFileException) return "no such file";
        if (m == null) return e.getClass().getSimpleName();
        // NIO reports "PATH: reason" for some errors (FileSystemException); keep the reason only
        int colon = m.lastIndexOf(": ");
        return colon >= 0 && m.startsWith("/") ? m.substring(colon + 2) : m;
    }

    private KernelFiles() {}
}
