package org.memvirt.kvm;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * Test fixtures for native resources: memfds holding given bytes, and this process's open fds and mappings as
 * /proc/self/fd and /proc/self/maps list them (the leak checks of the kvm tests).
 */
final class NativeResources {
    /** The number of fds this process has open. */
    static long openFds() {
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            return s.count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The number of mappings this process has. */
    static long mappings() {
        return maps().size();
    }

    /** Whether any mapping of this process contains {@code address}. */
    static boolean mapped(long address) {
        return permissions(address) != null;
    }

    /** The permissions ({@code rw-p}, {@code ---p}, ...) of the mapping that contains {@code address}, or null. */
    static String permissions(long address) {
        for (String line : maps()) {
            int dash = line.indexOf('-'), space = line.indexOf(' ');
            long start = Long.parseUnsignedLong(line.substring(0, dash), 16);
            long end = Long.parseUnsignedLong(line.substring(dash + 1, space), 16);
            if (Long.compareUnsigned(address, start) >= 0 && Long.compareUnsigned(address, end) < 0) {
                return line.substring(space + 1, space + 5);
            }
        }
        return null;
    }

    /** A new memfd (the caller owns it) holding {@code bytes} from offset 0. */
    static int memfdWith(MemorySegment bytes) {
        int fd = Libc.memfdCreate("memvirt-test", Libc.MFD_CLOEXEC);
        try {
            Libc.ftruncate(fd, bytes.byteSize());
            if (bytes.byteSize() > 0) Libc.pwriteFully(fd, bytes.address(), bytes.byteSize(), 0);
            return fd;
        } catch (RuntimeException e) {
            Libc.closeQuietly(fd);
            throw e;
        }
    }

    private static List<String> maps() {
        try {
            return Files.readAllLines(Path.of("/proc/self/maps"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private NativeResources() {}
}
