package org.memvirt.kvm;

/** Names of the errno values KVM and the memory calls return (linux include/uapi/asm-generic/errno-base.h, errno.h). */
final class Errno {
    static final int EINTR = 4;   // errno-base.h
    static final int EAGAIN = 11; // errno-base.h
    static final int ENOMEM = 12; // errno-base.h

    private static final String[] NAMES = new String[134];

    static {
        String[] base = {null, "EPERM", "ENOENT", "ESRCH", "EINTR", "EIO", "ENXIO", "E2BIG", "ENOEXEC", "EBADF",
            "ECHILD", "EAGAIN", "ENOMEM", "EACCES", "EFAULT", "ENOTBLK", "EBUSY", "EEXIST", "EXDEV", "ENODEV",
            "ENOTDIR", "EISDIR", "EINVAL", "ENFILE", "EMFILE", "ENOTTY", "ETXTBSY", "EFBIG", "ENOSPC", "ESPIPE",
            "EROFS", "EMLINK", "EPIPE", "EDOM", "ERANGE"};
        System.arraycopy(base, 0, NAMES, 0, base.length);
        NAMES[38] = "ENOSYS";
        NAMES[95] = "EOPNOTSUPP";
        NAMES[22] = "EINVAL";
    }

    static String name(int errno) {
        return errno > 0 && errno < NAMES.length && NAMES[errno] != null ? NAMES[errno] : "errno";
    }

    private Errno() {}
}
