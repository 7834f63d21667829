package org.memvirt.hostctl;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.memvirt.host.HostRoot;

/**
 * Where memvirt may create memory cgroups: the memory controller's hierarchy and, in it, the group memvirt itself runs
 * in (/proc/self/cgroup, mounted where /proc/self/mountinfo says; cgroups(7)). memvirt creates its groups only as
 * children of that group, so it never writes to a group it did not create and never moves a process out of its own.
 *
 * @param root where /proc is read (the real host, or a fixture tree in tests)
 * @param version the memory controller's interface
 * @param ownPath memvirt's own group as /proc/self/cgroup names it, such as {@code /user.slice/session-1.scope}
 * @param ownDir that group's directory
 */
public record MemoryHierarchy(HostRoot root, CgroupVersion version, String ownPath, Path ownDir) {

    /** memvirt's own group on this host; a HostctlException (exit status 3) saying why there is none to use. */
    public static MemoryHierarchy find(HostRoot root) {
        String cgroups = root.read("/proc/self/cgroup").orElse("");
        String mounts = root.read("/proc/self/mountinfo").orElse("");
        MemoryHierarchy h = locate(root, cgroups, mounts);
        if (!Files.isDirectory(h.ownDir)) throw HostctlException.host("memvirt's memory cgroup " + h.ownDir + " does not exist");
        if (!Files.isWritable(h.ownDir)) {
            throw HostctlException.host("cannot create memory cgroups under " + h.ownDir + ": not writable by this user (root or "
                    + "a delegated group needed)");
        }
        if (h.version == CgroupVersion.V2) {
            // cgroup-v2.rst "Enabling and Disabling": a child gets the memory controller only when its parent's
            // subtree_control lists it; memvirt does not write to its parent, which it did not create
            String subtree = KernelFiles.readOrNull(h.ownDir.resolve("cgroup.subtree_control"));
            if (subtree == null || !List.of(subtree.trim().split("\\s+")).contains("memory")) {
                throw HostctlException.host("cgroup v2: " + h.ownDir + "/cgroup.subtree_control does not enable memory "
                        + "(memvirt changes no group it did not create; run it in a group delegated to it)");
            }
        }
        return h;
    }

    /** Why memvirt cannot create memory cgroups here, or null when it can. */
    public static String unavailableReason(HostRoot root) {
        try {
            find(root);
            return null;
        } catch (HostctlException e) {
            return e.getMessage();
        }
    }

    /** The hierarchy from the text of /proc/self/cgroup and /proc/self/mountinfo, nothing checked on disk yet. */
    static MemoryHierarchy locate(HostRoot root, String cgroups, String mountinfo) {
        String v1Path = null;
        String v2Path = null;
        for (String line : cgroups.split("\n")) {
            String[] f = line.split(":", 3);                           // hierarchy-ID:controller-list:cgroup-path
            if (f.length != 3) continue;
            if (List.of(f[1].split(",")).contains("memory")) v1Path = f[2];
            else if (f[0].equals("0") && f[1].isEmpty()) v2Path = f[2];
        }
        for (String line : mountinfo.split("\n")) {
            Mount m = Mount.parse(line);
            if (m == null) continue;
            if (v1Path != null && m.fsType.equals("cgroup") && m.superOptions.contains("memory")) {
                return at(root, CgroupVersion.V1, v1Path, m);
            }
            if (v1Path == null && v2Path != null && m.fsType.equals("cgroup2")) {
                String controllers = root.read(m.mountPoint + "/cgroup.controllers").orElse("");
                if (!List.of(controllers.trim().split("\\s+")).contains("memory")) {
                    throw HostctlException.host("cgroup v2 at " + m.mountPoint + " has no memory controller");
                }
                return at(root, CgroupVersion.V2, v2Path, m);
            }
        }
        throw HostctlException.host("no memory cgroup controller is mounted for this process (/proc/self/cgroup, "
                + "/proc/self/mountinfo)");
    }

    private static MemoryHierarchy at(HostRoot root, CgroupVersion version, String path, Mount m) {
        // mountinfo's root field: the mount shows the hierarchy from there on (a cgroup namespace or a bind mount)
        String rel = m.root.equals("/") ? path : path.equals(m.root) ? "/" : path.startsWith(m.root + "/")
                ? path.substring(m.root.length()) : null;
        if (rel == null) {
            throw HostctlException.host("memvirt's memory cgroup " + path + " is outside the mount at " + m.mountPoint);
        }
        Path dir = root.resolve(m.mountPoint + rel);
        return new MemoryHierarchy(root, version, path, dir);
    }

    /** Where a child named {@code name} of memvirt's own group is, as a path in the hierarchy. */
    String childPath(String name) {
        return (ownPath.endsWith("/") ? ownPath : ownPath + "/") + name;
    }

    /** One line of /proc/PID/mountinfo (proc(5)): the fields memvirt needs. */
    private record Mount(String root, String mountPoint, String fsType, List<String> superOptions) {
        static Mount parse(String line) {
            String[] f = line.trim().split(" ");
            int dash = List.of(f).indexOf("-");                       // optional fields end at a single hyphen
            if (dash < 6 || f.length < dash + 4) return null;
            return new Mount(unescape(f[3]), unescape(f[4]), f[dash + 1], List.of(f[dash + 3].split(",")));
        }

        /** mountinfo writes space, tab, newline and backslash as octal escapes (fs/proc_namespace.c mangle). */
        private static String unescape(String s) {
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                if (c == '\\' && i + 3 < s.length() && s.substring(i + 1, i + 4).matches("[0-7]{3}")) {
                    b.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
                    i += 3;
                } else {
                    b.append(c);
                }
            }
            return b.toString();
        }
    }
}
