package org.memvirt.host;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The directory under which this host's /proc, /sys and /dev are read: "/" for the real host, a fixture tree in tests.
 * Absent files read as empty, never as errors, because an absent module or knob is a fact to report.
 */
public record HostRoot(Path root) {
    public static final HostRoot REAL = new HostRoot(Path.of("/"));

    public HostRoot {
        if (!Files.isDirectory(root)) {
            throw new HostException("host root " + root + " is not a directory");
        }
    }

    /** The path of {@code absolute} (such as "/proc/cpuinfo") under this root. */
    public Path resolve(String absolute) {
        return root.resolve(absolute.startsWith("/") ? absolute.substring(1) : absolute);
    }

    public boolean exists(String absolute) {
        return Files.exists(resolve(absolute));
    }

    /** The whole file, or empty when it does not exist (or is not readable, as a write-only sysfs knob). */
    public Optional<String> read(String absolute) {
        Path p = resolve(absolute);
        try {
            return Optional.of(Files.readString(p, StandardCharsets.ISO_8859_1));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            if (Files.exists(p) && !Files.isReadable(p)) {
                return Optional.empty();
            }
            throw new HostException("cannot read " + p + ": " + e.getMessage(), e);
        }
    }

    /** The first line of a one-value file (sysfs), trimmed; empty when the file does not exist. */
    public Optional<String> readValue(String absolute) {
        return read(absolute).map(s -> s.lines().findFirst().orElse("").trim());
    }

    /** A sysfs choice file such as "always [madvise] never": the word in brackets, or the whole value. */
    public Optional<String> readChoice(String absolute) {
        return readValue(absolute).map(HostRoot::bracketed);
    }

    static String bracketed(String value) {
        int open = value.indexOf('[');
        int close = value.indexOf(']', open + 1);
        return open >= 0 && close > open ? value.substring(open + 1, close) : value;
    }

    /** A module parameter from /sys/module/{module}/parameters/{name}, trimmed. */
    public Optional<String> moduleParameter(String module, String name) {
        return readValue("/sys/module/" + module + "/parameters/" + name);
    }

    /** The names in directory {@code absolute}, sorted; empty when it does not exist. */
    public List<String> list(String absolute) {
        Path dir = resolve(absolute);
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new HostException("cannot list " + dir + ": " + e.getMessage(), e);
        }
    }

    /** Whether /sys/module/{module} exists: the module is loaded (or built in). */
    public boolean moduleLoaded(String module) {
        return exists("/sys/module/" + module);
    }

    /** A bool module parameter: sysfs prints Y/N for bool and 1/0 for int (kvm_amd npt was int before 5.x). */
    public Optional<Boolean> moduleFlag(String module, String name) {
        return moduleParameter(module, name).map(HostRoot::parseFlag);
    }

    static boolean parseFlag(String value) {
        return switch (value) {
            case "Y", "y", "1" -> true;
            case "N", "n", "0" -> false;
            default -> throw new HostException("not a boolean module parameter: '" + value + "'");
        };
    }
}
