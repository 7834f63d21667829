package org.memvirt.kvm;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Whether this process may open a userfaultfd that handles kernel faults (KVM's, process_vm_readv's), decided from
 * the host and not from memvirt's code (linux Documentation/admin-guide/mm/userfaultfd.rst, fs/userfaultfd.c
 * userfaultfd_syscall_allowed): /dev/userfaultfd readable and writable by this user, or CAP_SYS_PTRACE, or
 * vm.unprivileged_userfaultfd = 1.
 */
final class UffdAccess {
    static final Path DEVICE = Path.of("/dev/userfaultfd");
    static final Path SYSCTL = Path.of("/proc/sys/vm/unprivileged_userfaultfd");
    private static final int CAP_SYS_PTRACE = 19;   // linux include/uapi/linux/capability.h

    /** Why this process may not handle kernel faults with a userfaultfd, or null when it may. */
    static String refusal() {
        if (deviceOpenable()) return null;
        if (hasSysPtrace()) return null;
        if (unprivilegedAllowed()) return null;
        return "userfaultfd for kernel faults needs " + DEVICE + " readable and writable by this user (it is not), or"
                + " CAP_SYS_PTRACE (not held), or vm.unprivileged_userfaultfd=1 (it is 0)";
    }

    /** Skips the running test unless this process may handle kernel faults with a userfaultfd. */
    static void assume() {
        String why = refusal();
        org.memvirt.Skip.unless(why == null, () -> why);
    }

    static boolean deviceOpenable() {
        return Files.exists(DEVICE) && Files.isReadable(DEVICE) && Files.isWritable(DEVICE);
    }

    static boolean hasSysPtrace() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("CapEff:")) return (Long.parseUnsignedLong(line.substring(7).trim(), 16) >>> CAP_SYS_PTRACE & 1) != 0;
            }
            return false;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static boolean unprivilegedAllowed() {
        try {
            return Files.exists(SYSCTL) && Files.readString(SYSCTL).trim().equals("1");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private UffdAccess() {}
}
