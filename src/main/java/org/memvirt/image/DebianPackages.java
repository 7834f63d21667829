package org.memvirt.image;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Debian's packages through Debian's own tools, without installing anything: {@code apt-cache} resolves names and
 * candidate versions, {@code apt-get download} fetches a .deb into a directory (no root needed), {@code dpkg-deb -x}
 * unpacks it. The package lists are refreshed ({@code apt-get update}, root only) only when they do not know a
 * package at all.
 */
final class DebianPackages {
    static final String KERNEL_META = "linux-image-amd64";   // Debian's meta-package: depends on the current amd64 kernel
    static final String BUSYBOX = "busybox-static";          // Debian's statically linked busybox
    static final List<String> TOOLS = List.of("apt-get", "apt-cache", "dpkg-deb");
    private static final Pattern KERNEL_DEPENDS = Pattern.compile("(?m)^\\s*\\|?Depends:\\s*(linux-image-\\d\\S*-amd64)\\s*$");
    private static final Pattern CANDIDATE = Pattern.compile("(?m)^\\s*Candidate:\\s*(\\S+)\\s*$");
    private static final Duration QUICK = Duration.ofMinutes(2), DOWNLOAD = Duration.ofMinutes(15);

    /** A package at an exact version ({@code apt-get download NAME=VERSION} fetches exactly it). */
    record Package(String name, String version) {
        String pinned() {
            return name + "=" + version;
        }
    }

    private final HostCommands commands;
    private final boolean root;
    private boolean updated;

    DebianPackages(HostCommands commands, boolean root) {
        this.commands = commands;
        this.root = root;
    }

    /** The package tools missing from PATH (empty when all are there). */
    List<String> missingTools() {
        List<String> missing = new ArrayList<>();
        for (String t : TOOLS) if (!commands.onPath(t)) missing.add(t);
        return missing;
    }

    /**
     * The real kernel package {@link #KERNEL_META} depends on (e.g. linux-image-6.1.0-57-amd64) and {@link #BUSYBOX},
     * each at its candidate version: two apt-cache calls (each reads the whole package lists).
     */
    List<Package> kernelAndBusybox(Path dir) {
        String depends = knownOrUpdate(List.of("apt-cache", "depends", KERNEL_META), dir, KERNEL_META, KERNEL_DEPENDS);
        Matcher m = KERNEL_DEPENDS.matcher(depends);
        m.find();
        List<String> names = List.of(m.group(1), BUSYBOX);
        String policy = knownOrUpdate(List.of("apt-cache", "policy", names.get(0), names.get(1)), dir, BUSYBOX, CANDIDATE);
        return names.stream().map(n -> new Package(n, candidate(policy, n))).toList();
    }

    /** The candidate version of {@code name} in {@code apt-cache policy} output (a section per package: "NAME:"). */
    static String candidate(String policy, String name) {
        String section = "";
        for (String line : policy.lines().toList()) {
            if (!line.isEmpty() && !Character.isWhitespace(line.charAt(0))) section = line.strip();
            Matcher m = CANDIDATE.matcher(line);
            if (section.equals(name + ":") && m.matches() && !m.group(1).equals("(none)")) return m.group(1);
        }
        throw new ImageException("the package lists offer no installable version of " + name + " (apt-cache policy "
                + name + " shows no candidate)");
    }

    /** Runs an apt-cache query; when its answer lacks {@code expected}, refreshes the lists once (as root) and asks again. */
    private String knownOrUpdate(List<String> query, Path dir, String name, Pattern expected) {
        HostCommands.Result r = commands.run(query, dir, QUICK);
        if (r.ok() && expected.matcher(r.stdout()).find()) return r.stdout();
        if (!root) {
            throw new ImageException("the package lists do not know " + name + " (" + r.lastLine() + "); run 'apt-get update'"
                    + " as root once, then build the guest image again");
        }
        if (!updated) {
            updated = true;
            HostCommands.Result u = commands.run(List.of("apt-get", "update", "-q"), dir, DOWNLOAD);
            if (!u.ok()) throw new ImageException("apt-get update failed: " + u.lastLine());
            r = commands.run(query, dir, QUICK);
            if (r.ok() && expected.matcher(r.stdout()).find()) return r.stdout();
        }
        throw new ImageException("the package lists do not know " + name + " (" + r.lastLine() + "); memvirt builds its"
                + " guest from Debian's packages, so this needs Debian's (amd64) package sources");
    }

    /** Fetches exactly {@code p} into {@code dir}; returns the .deb. */
    Path download(Package p, Path dir) {
        HostCommands.Result r = commands.run(List.of("apt-get", "download", "-q", p.pinned()), dir, DOWNLOAD);
        if (!r.ok()) throw new ImageException("apt-get download " + p.pinned() + " failed: " + r.lastLine());
        try (Stream<Path> files = Files.list(dir)) {
            String prefix = p.name() + "_";
            return files.filter(f -> f.getFileName().toString().startsWith(prefix) && f.toString().endsWith(".deb"))
                    .findFirst()
                    .orElseThrow(() -> new ImageException("apt-get download " + p.pinned() + " left no " + prefix + "*.deb in " + dir));
        } catch (IOException e) {
            throw new ImageException("cannot list " + dir + ": " + e.getMessage());
        }
    }

    /** Unpacks {@code deb}'s files into {@code dir} (no maintainer scripts, no database: nothing is installed). */
    void extract(Path deb, Path dir) {
        HostCommands.Result r = commands.run(List.of("dpkg-deb", "-x", deb.toString(), dir.toString()), dir, QUICK);
        if (!r.ok()) throw new ImageException("dpkg-deb -x " + deb.getFileName() + " failed: " + r.lastLine());
    }
}
