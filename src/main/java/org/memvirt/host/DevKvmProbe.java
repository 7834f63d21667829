package org.memvirt.host;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;

/**
 * Probes the real KVM device through three libc downcalls (open, ioctl, close). Read-only: it creates one VM fd and
 * closes it, and changes nothing on the host. The full bindings live in the kvm package; this one stays tiny.
 */
public final class DevKvmProbe implements KvmProbe {
    static final long KVM_GET_API_VERSION = 0xAE00L;     // linux include/uapi/linux/kvm.h _IO(KVMIO, 0x00)
    static final long KVM_CREATE_VM = 0xAE01L;           // _IO(KVMIO, 0x01)
    static final long KVM_CHECK_EXTENSION = 0xAE03L;     // _IO(KVMIO, 0x03)
    static final long KVM_GET_VCPU_MMAP_SIZE = 0xAE04L;  // _IO(KVMIO, 0x04)
    private static final int O_RDWR = 2;                 // asm-generic/fcntl.h
    private static final int O_CLOEXEC = 0x80000;        // asm-generic/fcntl.h 02000000

    @Override
    public Result probe(Path devKvm) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(Libc.CAPTURE);
            int fd = Libc.open(state, arena.allocateFrom(devKvm.toString()), O_RDWR | O_CLOEXEC);
            if (fd < 0) {
                int errno = Libc.errno(state);
                return errno == Errno.ENOENT ? new Result.Absent() : new Result.OpenFailed(errno);
            }
            try {
                return opened(state, fd);
            } finally {
                Libc.close(fd);
            }
        }
    }

    private static Result.Opened opened(MemorySegment state, int fd) {
        int api = Libc.ioctl(state, fd, KVM_GET_API_VERSION, 0L);
        int mmapSize = Math.max(0, Libc.ioctl(state, fd, KVM_GET_VCPU_MMAP_SIZE, 0L));
        Map<KvmCap, Integer> caps = new EnumMap<>(KvmCap.class);
        for (KvmCap cap : KvmCap.values()) {
            caps.put(cap, Math.max(0, Libc.ioctl(state, fd, KVM_CHECK_EXTENSION, cap.number())));
        }
        int vmFd = Libc.ioctl(state, fd, KVM_CREATE_VM, 0L);
        int createVmErrno = vmFd < 0 ? Libc.errno(state) : 0;
        if (vmFd >= 0) {
            Libc.close(vmFd);
        }
        return new Result.Opened(api, mmapSize, caps, createVmErrno);
    }

    /** open/ioctl/close linked once, on first use; both variadics with firstVariadicArg(2), errno captured. */
    private static final class Libc {
        static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
        static final VarHandle ERRNO = CAPTURE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
        private static final Linker LINKER = Linker.nativeLinker();
        private static final MethodHandle OPEN = link("open",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT), true);
        private static final MethodHandle IOCTL = link("ioctl",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG), true);
        private static final MethodHandle CLOSE = link("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT), false);

        static int open(MemorySegment state, MemorySegment path, int flags) {
            try {
                return (int) OPEN.invokeExact(state, path, flags);
            } catch (Throwable t) {
                throw new AssertionError("bad downcall for open", t);
            }
        }

        static int ioctl(MemorySegment state, int fd, long request, long arg) {
            try {
                return (int) IOCTL.invokeExact(state, fd, request, arg);
            } catch (Throwable t) {
                throw new AssertionError("bad downcall for ioctl", t);
            }
        }

        static void close(int fd) {
            try {
                int ignored = (int) CLOSE.invokeExact(fd);
            } catch (Throwable t) {
                throw new AssertionError("bad downcall for close", t);
            }
        }

        static int errno(MemorySegment state) {
            return (int) ERRNO.get(state, 0L);
        }

        @SuppressWarnings("restricted")                 // the JVM runs with --enable-native-access=ALL-UNNAMED
        private static MethodHandle link(String name, FunctionDescriptor fd, boolean variadic) {
            MemorySegment symbol = LINKER.defaultLookup().find(name)
                    .orElseThrow(() -> new HostException("libc has no symbol " + name));
            return variadic
                    ? LINKER.downcallHandle(symbol, fd, Linker.Option.captureCallState("errno"),
                            Linker.Option.firstVariadicArg(2))
                    : LINKER.downcallHandle(symbol, fd);
        }

        private Libc() {}
    }
}
