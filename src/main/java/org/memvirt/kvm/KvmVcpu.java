package org.memvirt.kvm;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/** A vCPU fd from KVM_CREATE_VCPU with its mmapped {@code kvm_run}. Owns the fd and the mapping. */
final class KvmVcpu implements AutoCloseable {
    private final int index;
    private final int fd;
    private final MemorySegment run;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment regs = arena.allocate(KvmAbi.REGS);
    private final MemorySegment sregs = arena.allocate(KvmAbi.SREGS);
    private volatile long tid;   // the kernel thread id of the thread that runs KVM_RUN
    private Thread boundThread;
    private boolean closed;

    KvmVcpu(int index, int fd, int mmapSize) {
        this.index = index;
        this.fd = fd;
        MemorySegment mapped;
        try {
            mapped = Libc.mmap(mmapSize, Libc.PROT_RW, Libc.MAP_SHARED, fd, 0);
        } catch (RuntimeException e) {
            Libc.closeQuietly(fd);
            arena.close();
            throw e;
        }
        this.run = mapped;
    }

    int index() {
        return index;
    }

    /** Records the calling thread as the one that runs this vCPU (the target of {@link #kick()}); cheap if unchanged. */
    void bindThread() {
        Thread current = Thread.currentThread();
        if (current != boundThread) {
            tid = Libc.gettid();
            boundThread = current;
        }
    }

    /** KVM_RUN until the next exit to user space; returns the exit reason, or {@link KvmAbi#EXIT_INTR} on a kick. */
    int run() {
        int errno = Libc.ioctlRun(fd, KvmAbi.RUN);
        return errno == 0 ? run.get(JAVA_INT, KvmAbi.RUN_EXIT_REASON) : KvmAbi.EXIT_INTR;
    }

    /** Makes a KVM_RUN in progress (or the next one) return to user space. Callable from any thread. */
    synchronized void kick() {
        if (closed) return;                       // the watchdog may race with close(): never touch an unmapped kvm_run
        run.set(JAVA_BYTE, KvmAbi.RUN_IMMEDIATE_EXIT, (byte) 1);
        long t = tid;
        if (t != 0) Libc.kick(t);
    }

    void clearKick() {
        run.set(JAVA_BYTE, KvmAbi.RUN_IMMEDIATE_EXIT, (byte) 0);
    }

    /** The shared kvm_run structure (read the exit union from it). */
    MemorySegment runArea() {
        return run;
    }

    long ioPort() {
        return Short.toUnsignedLong(run.get(JAVA_SHORT, KvmAbi.RUN_IO_PORT));
    }

    int ioData() {
        long dataOffset = run.get(JAVA_LONG, KvmAbi.RUN_IO_DATA_OFFSET);
        return run.get(JAVA_INT, dataOffset);
    }

    /** KVM_EXIT_MMIO: the guest-physical address accessed. */
    long mmioAddress() {
        return run.get(JAVA_LONG, KvmAbi.RUN_MMIO_PHYS_ADDR);
    }

    int mmioLength() {
        return run.get(JAVA_INT, KvmAbi.RUN_MMIO_LEN);
    }

    boolean mmioIsWrite() {
        return run.get(JAVA_BYTE, KvmAbi.RUN_MMIO_IS_WRITE) != 0;
    }

    /** The value a guest MMIO write stored (little-endian, {@link #mmioLength} bytes). */
    long mmioWriteValue() {
        long v = run.get(JAVA_LONG, KvmAbi.RUN_MMIO_DATA);
        int len = mmioLength();
        return len >= 8 ? v : v & ((1L << (8 * len)) - 1);
    }

    /** The value a guest MMIO read gets, delivered at the next KVM_RUN. */
    void setMmioReadValue(long value) {
        run.set(JAVA_LONG, KvmAbi.RUN_MMIO_DATA, value);
    }

    long rip() {
        Libc.ioctl("KVM_GET_REGS", fd, KvmAbi.GET_REGS, regs);
        return regs.get(JAVA_LONG, KvmAbi.REGS_RIP);
    }

    /** Starts the vCPU at {@code rip} with {@code rsp} and {@code rdi} (the first C argument), interrupts off. */
    void setEntry(long rip, long rsp, long rdi) {
        regs.fill((byte) 0);
        regs.set(JAVA_LONG, KvmAbi.REGS_RIP, rip);
        regs.set(JAVA_LONG, KvmAbi.REGS_RSP, rsp);
        regs.set(JAVA_LONG, KvmAbi.REGS_RDI, rdi);
        // bit 1 is reserved and always 1 (SDM Vol 1 3.4.3); IOPL 3 from the start: PVM hosts keep the IOPL of the
        // first entry and ignore the one IRETQ pops, and the runtime reports to the VMM with OUT from CPL3
        regs.set(JAVA_LONG, KvmAbi.REGS_RFLAGS, 0x3002);
        Libc.ioctl("KVM_SET_REGS", fd, KvmAbi.SET_REGS, regs);
    }

    /**
     * Long mode with paging at CPL0 (what a 64-bit boot loader hands over): CR0 PG|AM|WP|NE|ET|MP|PE, CR4 PAE,
     * EFER LME|LMA, flat 64-bit code and data segments; the guest loads its own GDT, IDT and TSS.
     */
    void setLongMode(long cr3, int codeSelector, int dataSelector) {
        Libc.ioctl("KVM_GET_SREGS", fd, KvmAbi.GET_SREGS, sregs);
        segment(KvmAbi.SREGS_CS, codeSelector, 0xB, 1, 0);
        for (long data : new long[] {KvmAbi.SREGS_DS, KvmAbi.SREGS_ES, KvmAbi.SREGS_FS, KvmAbi.SREGS_GS,
                KvmAbi.SREGS_SS}) {
            segment(data, dataSelector, 0x3, 0, 1);
        }
        sregs.set(JAVA_LONG, KvmAbi.SREGS_CR0, 0x80050033L);    // SDM Vol 3A 2.5
        sregs.set(JAVA_LONG, KvmAbi.SREGS_CR3, cr3);
        sregs.set(JAVA_LONG, KvmAbi.SREGS_CR4, 0x20L);          // PAE
        sregs.set(JAVA_LONG, KvmAbi.SREGS_EFER, 0x500L);        // LME | LMA (SDM Vol 3A 2.2.1)
        Libc.ioctl("KVM_SET_SREGS", fd, KvmAbi.SET_SREGS, sregs);
    }

    private void segment(long offset, int selector, int type, int longMode, int db) {
        MemorySegment s = sregs.asSlice(offset, KvmAbi.SEGMENT.byteSize());
        s.set(JAVA_LONG, 0, 0L);
        s.set(JAVA_INT, 8, 0xFFFFFFFF);
        s.set(JAVA_SHORT, 12, (short) selector);
        s.set(JAVA_BYTE, 14, (byte) type);
        s.set(JAVA_BYTE, 15, (byte) 1);     // present
        s.set(JAVA_BYTE, 16, (byte) 0);     // dpl
        s.set(JAVA_BYTE, 17, (byte) db);
        s.set(JAVA_BYTE, 18, (byte) 1);     // s: code/data
        s.set(JAVA_BYTE, 19, (byte) longMode);
        s.set(JAVA_BYTE, 20, (byte) 1);     // g
        s.set(JAVA_BYTE, 21, (byte) 0);
        s.set(JAVA_BYTE, 22, (byte) 0);
    }

    /** KVM_SET_CPUID2: what CPUID reports to the guest, and which CR4 bits KVM lets it set. */
    void setCpuid(MemorySegment cpuid2) {
        Libc.ioctl("KVM_SET_CPUID2", fd, KvmAbi.SET_CPUID2, cpuid2);
    }

    /** The vCPU-scoped binary statistics (KVM_GET_STATS_FD on the vCPU fd). */
    StatsReader openStats() {
        return new StatsReader(Libc.ioctl("KVM_GET_STATS_FD", fd, KvmAbi.GET_STATS_FD, 0L));
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            tid = 0;
            try {
                Libc.munmap(run);
            } finally {
                Libc.closeQuietly(fd);
                arena.close();
            }
        }
    }
}
