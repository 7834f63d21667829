package org.memvirt.hostctl;

import static java.nio.file.LinkOption.NOFOLLOW_LINKS;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import org.memvirt.host.HostRoot;

/**
 * What memvirt runs that died without cleaning up (kill -9, a crash, power loss of the JVM) left on the host, and its
 * removal: memory cgroups under memvirt's own group and swap files in memvirt's swap directory whose {@link OwnedName}
 * names an owner that no longer runs. Nothing else is looked at: not a group or file of another name, not one whose
 * owner still runs, not a group elsewhere in the hierarchy.
 */
public final class Leftovers {

    /**
     * Removes the stale groups under memvirt's own group in {@code hierarchy}: kills what still runs in one (only
     * memvirt starts processes there; a QEMU that outlived its memvirt, say) and removes it. One line per group removed,
     * or per group that could not be.
     */
    public static List<String> removeStaleGroups(MemoryHierarchy hierarchy) {
        List<String> done = new ArrayList<>();
        for (Path dir : stale(hierarchy.root(), hierarchy.ownDir(), "", true)) {
            try {
                int killed = MemoryCgroup.emptyAndRemove(dir, MemoryCgroup.EMPTY_WAIT);
                done.add("removed memory cgroup " + dir + " of a memvirt run that no longer runs"
                        + (killed == 0 ? "" : " (killed " + killed + " process" + (killed == 1 ? "" : "es") + " left in it)"));
            } catch (HostctlException e) {
                done.add(e.getMessage());
            }
        }
        return done;
    }

    /** Swaps off and deletes the stale swap files in {@code dir}. One line per file removed, or that could not be. */
    public static List<String> removeStaleSwapFiles(HostRoot root, Path dir) {
        List<String> done = new ArrayList<>();
        for (Path file : stale(root, dir, SwapFile.SUFFIX, false)) {
            try {
                boolean wasOn = SwapFile.active(root, file);
                SwapFile.swapOffAndDelete(root, file);
                done.add((wasOn ? "swapped off and deleted" : "deleted") + " swap file " + file
                        + " of a memvirt run that no longer runs");
            } catch (HostctlException e) {
                done.add(e.getMessage());
            }
        }
        return done;
    }

    /** The entries of {@code dir} named {@link OwnedName} + {@code suffix} whose owner is gone, directories or files. */
    static List<Path> stale(HostRoot root, Path dir, String suffix, boolean directories) {
        if (!Files.isDirectory(dir)) return List.of();
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.filter(p -> directories ? Files.isDirectory(p, NOFOLLOW_LINKS) : Files.isRegularFile(p, NOFOLLOW_LINKS)).filter(p -> {
                Optional<OwnedName> n = OwnedName.parse(p.getFileName().toString(), suffix);
                return n.isPresent() && !n.get().ownerAlive(root);
            }).sorted().toList();
        } catch (IOException e) {
            throw HostctlException.host("cannot list " + dir + ": " + KernelFiles.reason(e));
        }
    }

    private Leftovers() {}
}
