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
 * touches. Owns the mapping and, for file and memfd backends, the fd.
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

    long readLong(long gpa) {
        return mapping.get(ValueLayout.JAVA_LONG, gpaToOffset(gpa));
    }

    void writeLong(long gpa, long value) {
        mapping.set(ValueLayout.JAVA_LONG, gpaToOffset(gpa), value);
    }

    MemorySegment mapping() {
        return mapping;
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
