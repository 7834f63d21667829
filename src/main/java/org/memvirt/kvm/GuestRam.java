package org.memvirt.kvm;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.memvirt.config.MachineConfig;
import org.memvirt.config.MemoryBackend;
import org.memvirt.config.MemoryLayout;
import org.memvirt.config.RamRegion;
import org.memvirt.host.Errno;

/**
 * Guest RAM: one host mapping of the whole RAM block (as QEMU's {@code pc.ram}), registered as one memslot per
 * {@link RamRegion} of the layout. Lazy unless the backend asks for prealloc: the host pays only for what the guest
 * touches. Owns the mapping and, for file and memfd backends, the fd; the VMM reads and writes guest RAM only through
 * this class, which loads and stores directly or, once a userfaultfd watches the RAM, through the kernel
 * ({@link #accessThroughKernel}).
 */
final class GuestRam implements AutoCloseable {
    private static final long PAGE = 4096;

    private final MemorySegment mapping;
    private final List<RamRegion> regions;
    private final long belowFourG;
    private final long aboveFourGStart;
    private final int fd;
    private final boolean merge;
    private final boolean noReserve;
    private final boolean share;
    private volatile boolean throughKernel;
    private boolean closed;

    private GuestRam(MemorySegment mapping, MemoryLayout layout, int fd, boolean merge, boolean noReserve, boolean share) {
        this.noReserve = noReserve;
        this.share = share;
        this.mapping = mapping;
        this.regions = layout.ramRegions();
        this.belowFourG = layout.belowFourG();
        this.aboveFourGStart = layout.aboveFourGStart();
        this.fd = fd;
        this.merge = merge;
    }

    /** Refuses guest RAM that {@link #map} cannot map, before anything is opened or mapped. */
    static void check(MachineConfig machine) {
        long size = machine.layout().ramSize();
        if (size <= 0 || size % PAGE != 0) throw new KvmException("guest RAM size must be a multiple of 4 KiB: " + size);
        MemoryBackend b = machine.backend();
        String kind = b == null ? "memory-backend-ram" : b.kind();
        switch (kind) {
            case "memory-backend-ram", "memory-backend-memfd" -> { }
            case "memory-backend-file" -> {
                if (b.memPath() == null) throw new KvmException("memory-backend-file needs mem-path");
            }
            default -> throw new KvmException("memory backend " + kind + " is not supported by the kvm engine");
        }
    }

    /** Maps the RAM block the way the backend says (QEMU backends/hostmem-{ram,file,memfd}.c). */
    static GuestRam map(MachineConfig machine) {
        check(machine);
        MemoryLayout layout = machine.layout();
        long size = layout.ramSize();
        MemoryBackend b = machine.backend();
        String kind = b == null ? "memory-backend-ram" : b.kind();
        boolean share = b != null && b.share();
        boolean prealloc = b != null && b.prealloc();
        boolean reserve = b != null && b.reserve();
        boolean merge = b == null ? machine.memMerge() : b.merge();
        boolean hugetlb = b != null && Boolean.TRUE.equals(b.hugetlb());
        // hugetlb pages are always reserved at mmap, so a short pool fails here and not with SIGBUS/EFAULT later
        int noReserve = prealloc || reserve || hugetlb ? 0 : Libc.MAP_NORESERVE;
        int visibility = share ? Libc.MAP_SHARED : Libc.MAP_PRIVATE;
        int fd = switch (kind) {
            case "memory-backend-ram" -> -1;
            case "memory-backend-memfd" -> Libc.memfdCreate("memvirt-ram",
                    Libc.MFD_CLOEXEC | (hugetlb ? Libc.MFD_HUGETLB : 0));
            default -> openFile(b.memPath());                 // memory-backend-file (check: the only other kind)
        };
        MemorySegment mapping = null;
        try {
            if (fd >= 0) Libc.ftruncate(fd, size);
            int flags = visibility | noReserve | (fd < 0 ? Libc.MAP_ANONYMOUS : 0);
            // anonymous RAM gets a PROT_NONE guard page after it, so that the kernel never merges two VMs' RAM
            // mappings into one VMA (smaps then reports each VM's RAM on its own)
            long guard = fd < 0 ? PAGE : 0;
            boolean fellBack = false;
            try {
                mapping = Libc.mmap(size + guard, Libc.PROT_RW, flags, fd, 0);
            } catch (KvmException e) {
                if (hugetlb) throw new KvmException(e.getMessage() + "; not enough free huge pages for hugetlb (vm.nr_hugepages)");
                if (noReserve != 0 || prealloc || e.errno() != Errno.ENOMEM) throw e;
                // reserve=on (QEMU's default) and the kernel's overcommit heuristic refuses to commit all of guest RAM
                // (e.g. -m 64G on a 24 GiB host without swap; QEMU stops here with "cannot set up guest memory").
                // The mapping is lazy either way, so map it MAP_NORESERVE and say so (guest_ram_noreserve = 1).
                mapping = Libc.mmap(size + guard, Libc.PROT_RW, flags | Libc.MAP_NORESERVE, fd, 0);
                fellBack = true;
            }
            if (guard > 0) {
                Libc.mprotect(mapping.asSlice(size, guard), Libc.PROT_NONE);
                mapping = mapping.asSlice(0, size);
            }
            if (merge) Libc.madvise(mapping, Libc.MADV_MERGEABLE, "MADV_MERGEABLE");
            if (prealloc) populate(mapping);
            return new GuestRam(mapping, layout, fd, merge, noReserve != 0 || fellBack, share);
        } catch (RuntimeException e) {
            if (mapping != null) Libc.munmap(mapping.byteSize() == size ? withGuard(mapping, fd) : mapping);
            Libc.closeQuietly(fd);
            throw e;
        }
    }

    /** The whole mapping: guest RAM plus, for anonymous RAM, its guard page. */
    private static MemorySegment withGuard(MemorySegment ram, int fd) {
        return fd < 0 ? MemorySegment.ofAddress(ram.address()).reinterpret(ram.byteSize() + PAGE) : ram;
    }

    /** A directory gets a fresh unlinked file inside it, as QEMU does for {@code mem-path=<dir>}. */
    private static int openFile(String memPath) {
        try {
            Path p = Path.of(memPath);
            if (Files.isDirectory(p)) {
                Path tmp = Files.createTempFile(p, "memvirt-ram-", "");
                try {
                    return Libc.open(tmp.toString(), Libc.O_RDWR | Libc.O_CLOEXEC);
                } finally {
                    Files.deleteIfExists(tmp);
                }
            }
            if (!Files.exists(p)) Files.createFile(p);
            return Libc.open(p.toString(), Libc.O_RDWR | Libc.O_CLOEXEC);
        } catch (IOException e) {
            throw new KvmException("mem-path " + memPath + ": " + e.getMessage());
        }
    }

    /** -mem-prealloc: MADV_POPULATE_WRITE (Linux 5.14), else one write per page. */
    private static void populate(MemorySegment mapping) {
        try {
            Libc.madvise(mapping, Libc.MADV_POPULATE_WRITE, "MADV_POPULATE_WRITE");
        } catch (KvmException e) {
            for (long off = 0; off < mapping.byteSize(); off += PAGE) {
                mapping.set(ValueLayout.JAVA_BYTE, off, mapping.get(ValueLayout.JAVA_BYTE, off));
            }
        }
    }

    /** Registers one memslot per RAM region (slot 0 below 4 GiB, slot 1 above). */
    void registerWith(KvmVm vm) {
        for (int slot = 0; slot < regions.size(); slot++) {
            RamRegion r = regions.get(slot);
            vm.setUserMemoryRegion(slot, r.gpa(), r.size(), mapping.address() + r.ramOffset());
        }
    }

    List<RamRegion> regions() {
        return regions;
    }

    /** The highest guest-physical address plus one. */
    long gpaEnd() {
        return regions.getLast().end();
    }

    /** Offset into the RAM block of guest-physical {@code gpa} (which must be RAM). */
    long gpaToOffset(long gpa) {
        return gpaToOffset(gpa, 1);
    }

    /**
     * Offset into the RAM block of the {@code bytes} at guest-physical {@code gpa}, which must lie wholly inside one RAM
     * region ({@code gpa} is a u64: one past 2^63 is no RAM either).
     */
    long gpaToOffset(long gpa, long bytes) {
        if (gpa >= 0 && gpa <= belowFourG - bytes) return gpa;
        long off = gpa - aboveFourGStart + belowFourG;
        if (gpa < aboveFourGStart || off > mapping.byteSize() - bytes) {
            throw new KvmException("guest-physical address 0x" + Long.toHexString(gpa)
                    + (bytes == 1 ? "" : " (" + bytes + " bytes)") + " is not RAM");
        }
        return off;
    }

    /**
     * Gives {@code bytes} at RAM-block offset {@code offset} back to the host (QEMU ram_block_discard_range):
     * MADV_DONTNEED for private RAM, MADV_REMOVE for shared RAM (a file or memfd: punches the hole).
     */
    void discard(long offset, long bytes) {
        if (share) Libc.madvise(mapping.asSlice(offset, bytes), Libc.MADV_REMOVE, "MADV_REMOVE");
        else Libc.madvise(mapping.asSlice(offset, bytes), Libc.MADV_DONTNEED, "MADV_DONTNEED");
    }

    /** Asks the host kernel to reclaim all of guest RAM now (MADV_PAGEOUT, Linux 5.4): to swap, where swap is on. */
    void pageOut() {
        Libc.madvise(mapping, Libc.MADV_PAGEOUT, "MADV_PAGEOUT");
    }

    /**
     * From now on every access of the VMM to guest RAM is a system call (process_vm_readv/writev on this process),
     * never a Java load or store. For RAM registered with a userfaultfd: a Java thread that touches a missing page
     * waits in the kernel's handle_userfault while in Java state, so every safepoint (a GC) waits for it, and the
     * handler thread, which must come back from a native call to resolve the fault, waits for the safepoint: the whole
     * JVM hangs. Inside a system call the thread waits in native state, which a safepoint does not wait for.
     * process_vm_readv's get_user_pages may wait for the handler (linux mm/process_vm_access.c
     * process_vm_rw_single_vec passes {@code locked}); pread on /proc/self/mem may not, and fails with EIO.
     */
    void accessThroughKernel() {
        throughKernel = true;
    }

    /** The {@code bytes} (1, 2, 4 or 8) at guest-physical {@code gpa}, little-endian and zero-extended; any alignment. */
    long read(long gpa, int bytes) {
        long off = gpaToOffset(gpa, width(bytes));
        if (throughKernel) return Libc.processVmReadWord(mapping.address() + off, bytes);
        return switch (bytes) {
            case 8 -> mapping.get(ValueLayout.JAVA_LONG_UNALIGNED, off);
            case 4 -> Integer.toUnsignedLong(mapping.get(ValueLayout.JAVA_INT_UNALIGNED, off));
            case 2 -> Short.toUnsignedLong(mapping.get(ValueLayout.JAVA_SHORT_UNALIGNED, off));
            default -> Byte.toUnsignedLong(mapping.get(ValueLayout.JAVA_BYTE, off));
        };
    }

    /** Writes the low {@code bytes} (1, 2, 4 or 8) of {@code value} at guest-physical {@code gpa}, little-endian. */
    void write(long gpa, int bytes, long value) {
        long off = gpaToOffset(gpa, width(bytes));
        if (throughKernel) {
            Libc.processVmWriteWord(mapping.address() + off, bytes, value);
            return;
        }
        switch (bytes) {
            case 8 -> mapping.set(ValueLayout.JAVA_LONG_UNALIGNED, off, value);
            case 4 -> mapping.set(ValueLayout.JAVA_INT_UNALIGNED, off, (int) value);
            case 2 -> mapping.set(ValueLayout.JAVA_SHORT_UNALIGNED, off, (short) value);
            default -> mapping.set(ValueLayout.JAVA_BYTE, off, (byte) value);
        }
    }

    private static int width(int bytes) {
        if (bytes != 1 && bytes != 2 && bytes != 4 && bytes != 8) throw new IllegalArgumentException("a guest RAM access of " + bytes + " bytes");
        return bytes;
    }

    long readLong(long gpa) {
        return read(gpa, 8);
    }

    void writeLong(long gpa, long value) {
        write(gpa, 8, value);
    }

    /** Copies guest RAM at {@code gpa} (one RAM region) into {@code to}, which must be native memory. */
    void read(long gpa, MemorySegment to) {
        long off = gpaToOffset(gpa, nativeOnly(to).byteSize());
        if (throughKernel) Libc.processVmRead(to.address(), mapping.address() + off, to.byteSize());
        else MemorySegment.copy(mapping, off, to, 0, to.byteSize());
    }

    /** Copies {@code from}, which must be native memory, into guest RAM at {@code gpa} (one RAM region). */
    void write(long gpa, MemorySegment from) {
        long off = gpaToOffset(gpa, nativeOnly(from).byteSize());
        if (throughKernel) Libc.processVmWrite(from.address(), mapping.address() + off, from.byteSize());
        else MemorySegment.copy(from, 0, mapping, off, from.byteSize());
    }

    /** A buffer for {@link #read(long, MemorySegment)} and {@link #write(long, MemorySegment)}: the kernel needs its address. */
    private static MemorySegment nativeOnly(MemorySegment buffer) {
        if (!buffer.isNative()) throw new IllegalArgumentException("guest RAM is copied to and from native memory only");
        return buffer;
    }

    /** Guest RAM in bytes: the mapping's size, every region's together. */
    long size() {
        return mapping.byteSize();
    }

    long hostAddress() {
        return mapping.address();
    }

    boolean mergeable() {
        return merge;
    }

    /** Whether guest RAM was mapped MAP_NORESERVE (no commit charge for untouched RAM). */
    boolean noReserve() {
        return noReserve;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            try {
                Libc.munmap(withGuard(mapping, fd));
            } finally {
                Libc.closeQuietly(fd);
            }
        }
    }
}
