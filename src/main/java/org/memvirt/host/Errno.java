package org.memvirt.host;

/**
 * errno values by name and their strerror() text (linux include/uapi/asm-generic/errno-base.h and errno.h; texts as
 * glibc's strerror prints them), for the calls memvirt makes: opening and probing /dev/kvm, KVM ioctls, mmap, madvise,
 * userfaultfd and poll.
 */
public final class Errno {
    public static final int EPERM = 1;
    public static final int ENOENT = 2;
    public static final int EINTR = 4;
    public static final int ENXIO = 6;
    public static final int EAGAIN = 11;
    public static final int ENOMEM = 12;
    public static final int EACCES = 13;
    public static final int EBUSY = 16;
    public static final int ENODEV = 19;
    public static final int EINVAL = 22;
    public static final int EMFILE = 24;
    public static final int ENOTTY = 25;
    public static final int ENOSYS = 38;                      // asm-generic/errno.h
    public static final int EOPNOTSUPP = 95;                  // asm-generic/errno.h

    /** Name and strerror() text by value: errno-base.h 1..34, then the two of errno.h memvirt meets. */
    private static final String[][] KNOWN = new String[EOPNOTSUPP + 1][];

    static {
        String[][] base = {
            {"EPERM", "Operation not permitted"}, {"ENOENT", "No such file or directory"},
            {"ESRCH", "No such process"}, {"EINTR", "Interrupted system call"}, {"EIO", "Input/output error"},
            {"ENXIO", "No such device or address"}, {"E2BIG", "Argument list too long"},
            {"ENOEXEC", "Exec format error"}, {"EBADF", "Bad file descriptor"}, {"ECHILD", "No child processes"},
            {"EAGAIN", "Resource temporarily unavailable"}, {"ENOMEM", "Cannot allocate memory"},
            {"EACCES", "Permission denied"}, {"EFAULT", "Bad address"}, {"ENOTBLK", "Block device required"},
            {"EBUSY", "Device or resource busy"}, {"EEXIST", "File exists"}, {"EXDEV", "Invalid cross-device link"},
            {"ENODEV", "No such device"}, {"ENOTDIR", "Not a directory"}, {"EISDIR", "Is a directory"},
            {"EINVAL", "Invalid argument"}, {"ENFILE", "Too many open files in system"},
            {"EMFILE", "Too many open files"}, {"ENOTTY", "Inappropriate ioctl for device"},
            {"ETXTBSY", "Text file busy"}, {"EFBIG", "File too large"}, {"ENOSPC", "No space left on device"},
            {"ESPIPE", "Illegal seek"}, {"EROFS", "Read-only file system"}, {"EMLINK", "Too many links"},
            {"EPIPE", "Broken pipe"}, {"EDOM", "Numerical argument out of domain"},
            {"ERANGE", "Numerical result out of range"}};
        for (int i = 0; i < base.length; i++) KNOWN[i + 1] = base[i];
        KNOWN[ENOSYS] = new String[] {"ENOSYS", "Function not implemented"};
        KNOWN[EOPNOTSUPP] = new String[] {"EOPNOTSUPP", "Operation not supported"};
    }

    /** The symbolic name ("EACCES"), or "errno N" for a value not listed here. */
    public static String name(int errno) {
        String[] known = known(errno);
        return known == null ? "errno " + errno : known[0];
    }

    /** strerror() text ("Permission denied"), or glibc's "Unknown error N" for a value not listed here. */
    public static String message(int errno) {
        String[] known = known(errno);
        return known == null ? "Unknown error " + errno : known[1];
    }

    private static String[] known(int errno) {
        return errno > 0 && errno < KNOWN.length ? KNOWN[errno] : null;
    }

    private Errno() {}
}
