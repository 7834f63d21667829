package org.memvirt.kvm;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * The libc calls the kvm engine makes, as FFM downcall handles created once. Every call captures errno
 * ({@code captureCallState}); {@code open} and {@code ioctl} are variadic ({@code firstVariadicArg(2)}). A failed
 * call throws {@link KvmException} naming the call and the errno. Rarely used calls are linked on first use.
 */
final class Libc {
    static final int O_RDWR = 2;            // linux include/uapi/asm-generic/fcntl.h
    static final int O_CLOEXEC = 0x80000;   // fcntl.h
    static final int PROT_RW = 0x3;         // linux include/uapi/asm-generic/mman-common.h PROT_READ | PROT_WRITE
    static final int MAP_SHARED = 0x01;     // mman-common.h
    static final int MAP_PRIVATE = 0x02;    // mman-common.h
    static final int MAP_ANONYMOUS = 0x20;  // mman-common.h
    static final int MAP_NORESERVE = 0x4000; // arch/x86/include/uapi/asm/mman.h via asm-generic/mman.h
    static final int MADV_DONTNEED = 4;     // mman-common.h
    static final int MADV_MERGEABLE = 12;   // mman-common.h
    static final int MADV_POPULATE_WRITE = 23; // mman-common.h (Linux 5.14)
    static final int MFD_CLOEXEC = 1;       // include/uapi/linux/memfd.h
    static final int MFD_HUGETLB = 4;       // memfd.h
    static final int SIGPIPE = 13;          // arch/x86/include/uapi/asm/signal.h

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE.varHandle(PathElement.groupElement("errno"));
    private static final ThreadLocal<MemorySegment> STATE =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(CAPTURE));

    private static final MethodHandle OPEN = errnoCall("open", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT), true);
    private static final MethodHandle CLOSE = errnoCall("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT), false);
    private static final MethodHandle IOCTL_PTR =
            errnoCall("ioctl", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS), true);
    private static final MethodHandle IOCTL_LONG =
            errnoCall("ioctl", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG), true);
    private static final MethodHandle MMAP = errnoCall("mmap",
            FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG), false);
    private static final MethodHandle MUNMAP =
            errnoCall("munmap", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG), false);
    private static final MethodHandle MADVISE =
            errnoCall("madvise", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT), false);
    private static final MethodHandle PREAD =
            errnoCall("pread", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG), false);

    /** Linked on first use: only file/memfd backends and the timeout watchdog need them. */
    private static final class Rare {
        static final MethodHandle MEMFD_CREATE =
                errnoCall("memfd_create", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT), false);
        static final MethodHandle FTRUNCATE =
                errnoCall("ftruncate", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG), false);
        static final MethodHandle PTHREAD_SELF = LINKER.downcallHandle(
                LINKER.defaultLookup().findOrThrow("pthread_self"), FunctionDescriptor.of(JAVA_LONG));
        static final MethodHandle PTHREAD_KILL = LINKER.downcallHandle(
                LINKER.defaultLookup().findOrThrow("pthread_kill"), FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_INT));
    }

    private static MethodHandle errnoCall(String name, FunctionDescriptor fd, boolean variadic) {
        Linker.Option errno = Linker.Option.captureCallState("errno");
        Linker.Option[] options = variadic
                ? new Linker.Option[] {errno, Linker.Option.firstVariadicArg(2)}
                : new Linker.Option[] {errno};
        return LINKER.downcallHandle(LINKER.defaultLookup().findOrThrow(name), fd, options);
    }

    private static int errno(MemorySegment state) {
        return (int) ERRNO.get(state, 0L);
    }

    static int open(String path, int flags) {
        MemorySegment state = STATE.get();
        int fd;
        try (Arena arena = Arena.ofConfined()) {
            fd = (int) OPEN.invokeExact(state, arena.allocateFrom(path), flags);
        } catch (Throwable t) {
            throw linkage("open", t);
        }
        if (fd < 0) throw new KvmException("open " + path, errno(state), Hints.forOpen(path, errno(state)));
        return fd;
    }

    /** close(2); errors are ignored (the fd is gone either way, and a close must never mask the first error). */
    static void closeQuietly(int fd) {
        if (fd < 0) return;
        try {
            int unused = (int) CLOSE.invokeExact(STATE.get(), fd);
        } catch (Throwable t) {
            throw linkage("close", t);
        }
    }

    static int ioctl(String name, int fd, long request, MemorySegment arg) {
        MemorySegment state = STATE.get();
        int rc;
        try {
            rc = (int) IOCTL_PTR.invokeExact(state, fd, request, arg);
        } catch (Throwable t) {
            throw linkage(name, t);
        }
        if (rc < 0) throw new KvmException(name, errno(state), Hints.forIoctl(name));
        return rc;
    }

    static int ioctl(String name, int fd, long request, long arg) {
        MemorySegment state = STATE.get();
        int rc;
        try {
            rc = (int) IOCTL_LONG.invokeExact(state, fd, request, arg);
        } catch (Throwable t) {
            throw linkage(name, t);
        }
        if (rc < 0) throw new KvmException(name, errno(state), Hints.forIoctl(name));
        return rc;
    }

    /** KVM_RUN: returns 0, or the errno when it is EINTR/EAGAIN (a kick), and throws for any other failure. */
    static int ioctlRun(int fd, long request) {
        MemorySegment state = STATE.get();
        int rc;
        try {
            rc = (int) IOCTL_LONG.invokeExact(state, fd, request, 0L);
        } catch (Throwable t) {
            throw linkage("KVM_RUN", t);
        }
        if (rc >= 0) return 0;
        int errno = errno(state);
        if (errno == Errno.EINTR || errno == Errno.EAGAIN) return errno;
        throw new KvmException("KVM_RUN", errno, "");
    }

    /** mmap(2); the result is reinterpreted to {@code length} bytes. */
    static MemorySegment mmap(long length, int prot, int flags, int fd, long offset) {
        MemorySegment state = STATE.get();
        MemorySegment addr;
        try {
            addr = (MemorySegment) MMAP.invokeExact(state, MemorySegment.NULL, length, prot, flags, fd, offset);
        } catch (Throwable t) {
            throw linkage("mmap", t);
        }
        if (addr.address() == -1L) throw new KvmException("mmap of " + length + " bytes", errno(state), "");
        return addr.reinterpret(length);
    }

    static void munmap(MemorySegment mapping) {
        MemorySegment state = STATE.get();
        int rc;
        try {
            rc = (int) MUNMAP.invokeExact(state, mapping, mapping.byteSize());
        } catch (Throwable t) {
            throw linkage("munmap", t);
        }
        if (rc < 0) throw new KvmException("munmap", errno(state), "");
    }

    static void madvise(MemorySegment range, int advice, String name) {
        MemorySegment state = STATE.get();
        int rc;
        try {
            rc = (int) MADVISE.invokeExact(state, range, range.byteSize(), advice);
        } catch (Throwable t) {
            throw linkage("madvise", t);
        }
        if (rc < 0) throw new KvmException("madvise(" + name + ")", errno(state), "");
    }

    /** pread(2) of {@code buf.byteSize()} bytes; returns the count read. */
    static long pread(int fd, MemorySegment buf, long offset) {
        MemorySegment state = STATE.get();
        long n;
        try {
            n = (long) PREAD.invokeExact(state, fd, buf, buf.byteSize(), offset);
        } catch (Throwable t) {
            throw linkage("pread", t);
        }
        if (n < 0) throw new KvmException("pread", errno(state), "");
        return n;
    }

    static int memfdCreate(String name, int flags) {
        MemorySegment state = STATE.get();
        int fd;
        try (Arena arena = Arena.ofConfined()) {
            fd = (int) Rare.MEMFD_CREATE.invokeExact(state, arena.allocateFrom(name), flags);
        } catch (Throwable t) {
            throw linkage("memfd_create", t);
        }
        if (fd < 0) {
            throw new KvmException("memfd_create", errno(state),
                    (flags & MFD_HUGETLB) != 0 ? "hugetlb needs huge pages reserved (vm.nr_hugepages)" : "");
        }
        return fd;
    }

    static void ftruncate(int fd, long length) {
        MemorySegment state = STATE.get();
        int rc;
        try {
            rc = (int) Rare.FTRUNCATE.invokeExact(state, fd, length);
        } catch (Throwable t) {
            throw linkage("ftruncate", t);
        }
        if (rc < 0) throw new KvmException("ftruncate", errno(state), "");
    }

    /** The calling thread's pthread_t, for {@link #kick}. */
    static long pthreadSelf() {
        try {
            return (long) Rare.PTHREAD_SELF.invokeExact();
        } catch (Throwable t) {
            throw linkage("pthread_self", t);
        }
    }

    /**
     * Interrupts a thread blocked in KVM_RUN with SIGPIPE, which the JVM's handler ignores (HotSpot
     * signals_posix.cpp: "Ignore SIGPIPE and SIGXFSZ"); KVM_RUN returns EINTR.
     */
    static void kick(long pthread) {
        try {
            int unused = (int) Rare.PTHREAD_KILL.invokeExact(pthread, SIGPIPE);
        } catch (Throwable t) {
            throw linkage("pthread_kill", t);
        }
    }

    private static AssertionError linkage(String name, Throwable t) {
        return new AssertionError("bad downcall for " + name, t);
    }

    private Libc() {}
}
