package org.memvirt.kvm;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

import org.memvirt.host.Errno;

/**
 * The system calls the kvm engine makes, through one FFM downcall handle to glibc's variadic {@code syscall}, linked
 * once. Every call captures errno ({@code captureCallState}); a failed call throws {@link KvmException} naming the
 * call and the errno. (ioctl and open are variadic in libc too: a handle per argument shape would need
 * {@code firstVariadicArg(2)}; going through {@code syscall} needs {@code firstVariadicArg(1)}.)
 */
final class Libc {
    static final int O_RDWR = 2;            // linux include/uapi/asm-generic/fcntl.h
    static final int O_CLOEXEC = 0x80000;   // fcntl.h
    static final int PROT_NONE = 0x0;       // mman-common.h
    static final int PROT_RW = 0x3;         // linux include/uapi/asm-generic/mman-common.h PROT_READ | PROT_WRITE
    static final int MAP_SHARED = 0x01;     // mman-common.h
    static final int MAP_PRIVATE = 0x02;    // mman-common.h
    static final int MAP_FIXED = 0x10;      // mman-common.h
    static final int MAP_ANONYMOUS = 0x20;  // mman-common.h
    static final int MAP_NORESERVE = 0x4000; // arch/x86/include/uapi/asm/mman.h via asm-generic/mman.h
    static final int MADV_DONTNEED = 4;     // mman-common.h
    static final int MADV_REMOVE = 9;       // mman-common.h
    static final int MADV_MERGEABLE = 12;   // mman-common.h
    static final int MADV_PAGEOUT = 21;     // mman-common.h (Linux 5.4)
    static final int MADV_POPULATE_WRITE = 23; // mman-common.h (Linux 5.14)
    static final int MFD_CLOEXEC = 1;       // include/uapi/linux/memfd.h
    static final int MFD_HUGETLB = 4;       // memfd.h
    static final int MREMAP_MAYMOVE = 1;    // include/uapi/linux/mman.h
    static final int MREMAP_FIXED = 2;      // mman.h
    static final int MREMAP_DONTUNMAP = 4;  // mman.h (Linux 5.7)
    static final int O_NONBLOCK = 0x800;    // fcntl.h
    static final int SIGPIPE = 13;          // arch/x86/include/uapi/asm/signal.h

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE.varHandle(PathElement.groupElement("errno"));
    private static final ThreadLocal<MemorySegment> STATE =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(CAPTURE));

    // x86-64 system call numbers (linux arch/x86/entry/syscalls/syscall_64.tbl)
    private static final long SYS_READ = 0, SYS_POLL = 7, SYS_PWRITE64 = 18, SYS_MREMAP = 25, SYS_USERFAULTFD = 323;
    private static final long SYS_CLOSE = 3, SYS_MMAP = 9, SYS_MPROTECT = 10, SYS_MUNMAP = 11, SYS_IOCTL = 16, SYS_PREAD64 = 17,
            SYS_MADVISE = 28, SYS_GETPID = 39, SYS_FTRUNCATE = 77, SYS_GETTID = 186, SYS_TGKILL = 234,
            SYS_OPENAT = 257, SYS_PROCESS_VM_READV = 310, SYS_PROCESS_VM_WRITEV = 311, SYS_MEMFD_CREATE = 319;
    private static final long AT_FDCWD = -100;   // include/uapi/linux/fcntl.h
    private static final long PID = ProcessHandle.current().pid();
    /** Per thread: the local and the remote struct iovec of process_vm_readv/writev (16 bytes each), then one word. */
    private static final ThreadLocal<MemorySegment> IOVECS = ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(40, 8));

    /**
     * glibc's {@code long syscall(long number, ...)}: ONE downcall handle for every call the engine makes. Linking is
     * the JVM's start-up cost (the first handle about 100 ms, each further one 11-22 ms: docs/HOST-FACTS.md), so one variadic
     * handle with six long arguments (firstVariadicArg(1)) replaces ten. Pointers travel as addresses.
     */
    private static final MethodHandle SYSCALL = LINKER.downcallHandle(LINKER.defaultLookup().findOrThrow("syscall"),
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG),
            Linker.Option.captureCallState("errno"), Linker.Option.firstVariadicArg(1));

    /** One system call; -1 and errno in the thread's capture state on failure. */
    private static long sys(MemorySegment state, long nr, long a, long b, long c, long d, long e, long f) {
        try {
            return (long) SYSCALL.invokeExact(state, nr, a, b, c, d, e, f);
        } catch (Throwable t) {
            throw new AssertionError("bad downcall for syscall " + nr, t);
        }
    }

    private static int errno(MemorySegment state) {
        return (int) ERRNO.get(state, 0L);
    }

    static int open(String path, int flags) {
        int fd = openOrErrno(path, flags);
        if (fd < 0) throw new KvmException("open " + path, -fd, Hints.forOpen(path, -fd));
        return fd;
    }

    /** close(2); errors are ignored (the fd is gone either way, and a close must never mask the first error). */
    static void closeQuietly(int fd) {
        if (fd >= 0) sys(STATE.get(), SYS_CLOSE, fd, 0, 0, 0, 0, 0);
    }

    static int ioctl(String name, int fd, long request, MemorySegment arg) {
        return ioctl(name, fd, request, arg.address());
    }

    static int ioctl(String name, int fd, long request, long arg) {
        MemorySegment state = STATE.get();
        long rc = sys(state, SYS_IOCTL, fd, request, arg, 0, 0, 0);
        if (rc < 0) throw new KvmException(name, errno(state), Hints.forIoctl(name));
        return (int) rc;
    }

    /** KVM_RUN: returns 0, or the errno when it is EINTR/EAGAIN (a kick), and throws for any other failure. */
    static int ioctlRun(int fd, long request) {
        MemorySegment state = STATE.get();
        long rc = sys(state, SYS_IOCTL, fd, request, 0, 0, 0, 0);
        if (rc >= 0) return 0;
        int errno = errno(state);
        if (errno == Errno.EINTR || errno == Errno.EAGAIN) return errno;
        throw new KvmException("KVM_RUN", errno, "");
    }

    /** mmap(2); the result is reinterpreted to {@code length} bytes. */
    static MemorySegment mmap(long length, int prot, int flags, int fd, long offset) {
        MemorySegment state = STATE.get();
        long addr = sys(state, SYS_MMAP, 0, length, prot, flags, fd, offset);
        if (addr == -1L) throw new KvmException("mmap of " + length + " bytes", errno(state), "");
        return MemorySegment.ofAddress(addr).reinterpret(length);
    }

    /** Fresh zero anonymous memory over {@code range} (MAP_FIXED): whatever was mapped there is gone, the address stays ours. */
    static void mmapFixedAnonymous(MemorySegment range) {
        MemorySegment state = STATE.get();
        long addr = sys(state, SYS_MMAP, range.address(), range.byteSize(), PROT_RW, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
        if (addr == -1L) throw new KvmException("mmap(MAP_FIXED) of " + range.byteSize() + " bytes", errno(state), "");
    }

    static void mprotect(MemorySegment range, int prot) {
        MemorySegment state = STATE.get();
        if (sys(state, SYS_MPROTECT, range.address(), range.byteSize(), prot, 0, 0, 0) < 0) {
            throw new KvmException("mprotect", errno(state), "");
        }
    }

    static void munmap(MemorySegment mapping) {
        MemorySegment state = STATE.get();
        if (sys(state, SYS_MUNMAP, mapping.address(), mapping.byteSize(), 0, 0, 0, 0) < 0) {
            throw new KvmException("munmap", errno(state), "");
        }
    }

    static void madvise(MemorySegment range, int advice, String name) {
        MemorySegment state = STATE.get();
        if (sys(state, SYS_MADVISE, range.address(), range.byteSize(), advice, 0, 0, 0) < 0) {
            throw new KvmException("madvise(" + name + ")", errno(state), "");
        }
    }

    /** pread(2) of {@code buf.byteSize()} bytes; returns the count read. */
    static long pread(int fd, MemorySegment buf, long offset) {
        MemorySegment state = STATE.get();
        long n = sys(state, SYS_PREAD64, fd, buf.address(), buf.byteSize(), offset, 0, 0);
        if (n < 0) throw new KvmException("pread", errno(state), "");
        return n;
    }

    /** ioctl(2) that reports failure as -errno instead of throwing (for calls where an errno is an answer). */
    static int ioctlOrErrno(int fd, long request, long arg) {
        MemorySegment state = STATE.get();
        long rc = sys(state, SYS_IOCTL, fd, request, arg, 0, 0, 0);
        return rc < 0 ? -errno(state) : (int) rc;
    }

    /** userfaultfd(2) (Linux 4.3): the new fd, or -errno (see {@link UffdSwap#openUffd}). */
    static int userfaultfdOrErrno(int flags) {
        MemorySegment state = STATE.get();
        long fd = sys(state, SYS_USERFAULTFD, flags, 0, 0, 0, 0, 0);
        return fd < 0 ? -errno(state) : (int) fd;
    }

    /** open(2) read-write: the new fd, or -errno (for a device whose absence or refusal is an answer). */
    static int openOrErrno(String path, int flags) {
        MemorySegment state = STATE.get();
        long fd;
        try (Arena arena = Arena.ofConfined()) {
            fd = sys(state, SYS_OPENAT, AT_FDCWD, arena.allocateFrom(path).address(), flags, 0, 0, 0);
        }
        return fd < 0 ? -errno(state) : (int) fd;
    }

    /** poll(2) on one fd for {@code events}; true when it is ready. */
    static boolean pollIn(MemorySegment pollfd, int fd, int timeoutMs) {
        pollfd.set(java.lang.foreign.ValueLayout.JAVA_INT, 0, fd);
        pollfd.set(java.lang.foreign.ValueLayout.JAVA_INT, 4, 1);   // events POLLIN, revents 0
        MemorySegment state = STATE.get();
        long n = sys(state, SYS_POLL, pollfd.address(), 1, timeoutMs, 0, 0, 0);
        if (n < 0 && errno(state) != Errno.EINTR) throw new KvmException("poll", errno(state), "");
        return n > 0;
    }

    /** read(2); -errno for EAGAIN (a non-blocking fd with nothing to read). */
    static long read(int fd, MemorySegment buf) {
        MemorySegment state = STATE.get();
        long n = sys(state, SYS_READ, fd, buf.address(), buf.byteSize(), 0, 0, 0);
        if (n < 0 && errno(state) == Errno.EAGAIN) return -Errno.EAGAIN;
        if (n < 0) throw new KvmException("read", errno(state), "");
        return n;
    }

    static void pwriteFully(int fd, long address, long length, long offset) {
        MemorySegment state = STATE.get();
        long n = sys(state, SYS_PWRITE64, fd, address, length, offset, 0, 0);
        if (n != length) throw new KvmException("pwrite", n < 0 ? errno(state) : 0, n < 0 ? "" : "short write");
    }

    static long preadAt(int fd, long address, long length, long offset) {
        MemorySegment state = STATE.get();
        long n = sys(state, SYS_PREAD64, fd, address, length, offset, 0, 0);
        if (n < 0) throw new KvmException("pread", errno(state), "");
        return n;
    }

    /** mremap(2) of {@code length} bytes at {@code from} to exactly {@code to}, with extra {@code flags}. */
    static void mremapFixed(long from, long length, long to, int flags) {
        MemorySegment state = STATE.get();
        long r = sys(state, SYS_MREMAP, from, length, length, MREMAP_MAYMOVE | MREMAP_FIXED | flags, to, 0);
        if (r == -1L) throw new KvmException("mremap", errno(state), (flags & MREMAP_DONTUNMAP) != 0 ? "MREMAP_DONTUNMAP needs Linux 5.7" : "");
    }

    /**
     * Copies {@code bytes} at {@code remote} in this process to {@code local} through the kernel (process_vm_readv(2),
     * Linux 3.2): the calling thread waits in native code while the kernel faults {@code remote}'s pages in.
     */
    static void processVmRead(long local, long remote, long bytes) {
        processVm(SYS_PROCESS_VM_READV, "process_vm_readv", local, remote, bytes);
    }

    /** Copies {@code bytes} at {@code local} to {@code remote} in this process through the kernel (process_vm_writev(2)). */
    static void processVmWrite(long local, long remote, long bytes) {
        processVm(SYS_PROCESS_VM_WRITEV, "process_vm_writev", local, remote, bytes);
    }

    /** The {@code bytes} (at most 8) at {@code remote}, little-endian and zero-extended, read through the kernel. */
    static long processVmReadWord(long remote, int bytes) {
        MemorySegment iov = IOVECS.get();
        iov.set(JAVA_LONG, 32, 0);
        processVm(iov, SYS_PROCESS_VM_READV, "process_vm_readv", iov.address() + 32, remote, bytes);
        return iov.get(JAVA_LONG, 32);
    }

    /** Writes the low {@code bytes} (at most 8) of {@code value} to {@code remote}, little-endian, through the kernel. */
    static void processVmWriteWord(long remote, int bytes, long value) {
        MemorySegment iov = IOVECS.get();
        iov.set(JAVA_LONG, 32, value);
        processVm(iov, SYS_PROCESS_VM_WRITEV, "process_vm_writev", iov.address() + 32, remote, bytes);
    }

    private static void processVm(long nr, String name, long local, long remote, long bytes) {
        processVm(IOVECS.get(), nr, name, local, remote, bytes);
    }

    /** One local and one remote iovec of {@code bytes} each; anything short of all of them is an error. */
    private static void processVm(MemorySegment iov, long nr, String name, long local, long remote, long bytes) {
        iov.set(JAVA_LONG, 0, local);
        iov.set(JAVA_LONG, 8, bytes);
        iov.set(JAVA_LONG, 16, remote);
        iov.set(JAVA_LONG, 24, bytes);
        MemorySegment state = STATE.get();
        long n = sys(state, nr, PID, iov.address(), 1, iov.address() + 16, 1, 0);
        if (n != bytes) throw new KvmException(name + " of " + bytes + " bytes at 0x" + Long.toHexString(remote),
                n < 0 ? errno(state) : 0, n < 0 ? "" : "short copy: " + n + " bytes");
    }

    static int memfdCreate(String name, int flags) {
        MemorySegment state = STATE.get();
        long fd;
        try (Arena arena = Arena.ofConfined()) {
            fd = sys(state, SYS_MEMFD_CREATE, arena.allocateFrom(name).address(), flags, 0, 0, 0, 0);
        }
        if (fd < 0) {
            throw new KvmException("memfd_create", errno(state),
                    (flags & MFD_HUGETLB) != 0 ? "hugetlb needs huge pages reserved (vm.nr_hugepages)" : "");
        }
        return (int) fd;
    }

    static void ftruncate(int fd, long length) {
        MemorySegment state = STATE.get();
        if (sys(state, SYS_FTRUNCATE, fd, length, 0, 0, 0, 0) < 0) throw new KvmException("ftruncate", errno(state), "");
    }

    /** The calling thread's kernel thread id, for {@link #kick}. */
    static long gettid() {
        return sys(STATE.get(), SYS_GETTID, 0, 0, 0, 0, 0, 0);
    }

    /**
     * Interrupts a thread blocked in KVM_RUN with SIGPIPE (tgkill), which the JVM's handler ignores (HotSpot
     * signals_posix.cpp: "Ignore SIGPIPE and SIGXFSZ"); KVM_RUN returns EINTR.
     */
    static void kick(long tid) {
        MemorySegment state = STATE.get();
        sys(state, SYS_TGKILL, sys(state, SYS_GETPID, 0, 0, 0, 0, 0, 0), tid, SIGPIPE, 0, 0, 0);
    }

    private Libc() {}
}
