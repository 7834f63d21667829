package org.memvirt.image;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;

/**
 * Debian's package tools as a test double: apt-cache answers as on the reference host (captured output), apt-get
 * download writes a stand-in .deb, dpkg-deb -x lays out the package's files (the kernel with module look-alikes
 * compiled by gcc, busybox). Records every command it runs.
 */
final class FakeDebian implements HostCommands {
    static final String KERNEL = "linux-image-6.1.0-57-amd64", KERNEL_VERSION = "6.1.192-3";
    static final String BUSYBOX_VERSION = "1:1.35.0-4+deb12u1+b1";
    static final String DEPENDS = """
            linux-image-amd64
              Depends: linux-image-6.1.0-57-amd64
            """;
    static final String POLICY = """
            linux-image-6.1.0-57-amd64:
              Installed: (none)
              Candidate: %s
              Version table:
                 %<s 500
                    500 http://deb.debian.org/debian-security bookworm-security/main amd64 Packages
            busybox-static:
              Installed: (none)
              Candidate: 1:1.35.0-4+deb12u1+b1
              Version table:
                 1:1.35.0-4+deb12u1+b1 500
                    500 http://deb.debian.org/debian bookworm/main amd64 Packages
            """;

    final List<String> log = Collections.synchronizedList(new ArrayList<>());
    private final Path modules;                       // a compiled module tree to copy for each kernel unpack
    Set<String> tools = Set.of("apt-get", "apt-cache", "dpkg-deb");
    boolean listsKnown = true;                        // false: apt-cache knows nothing until 'apt-get update'
    String failOn = "";                               // a command prefix that fails
    String kernelVersion = KERNEL_VERSION;            // what apt-cache policy offers

    /** {@code modules}: a tree made by {@link Modules#debianTree}, copied into each kernel unpack. */
    FakeDebian(Path modules) {
        this.modules = modules;
    }

    @Override
    public boolean onPath(String program) {
        return tools.contains(program);
    }

    @Override
    public Result run(List<String> command, Path dir, Duration timeout) {
        String line = String.join(" ", command);
        log.add(line);
        if (!failOn.isEmpty() && line.startsWith(failOn)) return new Result(100, "", "E: simulated failure of " + failOn);
        try {
            return switch (command.get(0) + " " + command.get(1)) {
                case "apt-cache depends" -> listsKnown ? new Result(0, DEPENDS, "") : new Result(100, "", "E: No packages found");
                case "apt-cache policy" -> listsKnown ? new Result(0, POLICY.formatted(kernelVersion), "") : new Result(0, "", "");
                case "apt-get update" -> {
                    listsKnown = true;
                    yield new Result(0, "Reading package lists...", "");
                }
                case "apt-get download" -> download(command.getLast(), dir);
                case "dpkg-deb -x" -> extract(Path.of(command.get(2)), Path.of(command.get(3)));
                default -> new Result(127, "", command.get(0) + ": unexpected in this test");
            };
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Result download(String pinned, Path dir) throws IOException {
        String[] nv = pinned.split("=", 2);
        Files.writeString(dir.resolve(nv[0] + "_" + nv[1].replace(":", "%3a") + "_amd64.deb"), "deb of " + pinned);
        return new Result(0, "Get:1 " + pinned, "");
    }

    private Result extract(Path deb, Path into) throws IOException {
        String what = Files.readString(deb);
        if (what.contains(KERNEL)) {
            Path boot = Files.createDirectories(into.resolve("boot"));
            Files.writeString(boot.resolve("vmlinuz-6.1.0-57-amd64"), "a bzImage stand-in");
            copyTree(modules, into.resolve("lib/modules/6.1.0-57-amd64"));
        } else {
            Files.writeString(Files.createDirectories(into.resolve("bin")).resolve("busybox"), "a busybox stand-in");
        }
        return new Result(0, "", "");
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (var all = Files.walk(from)) {
            for (Path p : (Iterable<Path>) all::iterator) {
                Path t = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) Files.createDirectories(t); else Files.copy(p, t);
            }
        }
    }

    long count(String prefix) {
        synchronized (log) {
            return log.stream().filter(l -> l.startsWith(prefix)).count();
        }
    }
}
