package org.memvirt.kvm;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.IntUnaryOperator;

import org.memvirt.engine.Counter;
import org.memvirt.host.Errno;

/**
 * Hypervisor-level swap, as ESX does it: the VMM keeps at most a limit of guest RAM resident and evicts the rest to
 * its own swap file. Guest RAM is registered with userfaultfd in MISSING mode, so every fault on a page that is not
 * there (first touch, or evicted) stops the faulting thread (a vCPU inside KVM's get_user_pages, or the VMM) until
 * this class's handler thread resolves it with UFFDIO_COPY: the page's content from the swap file, or zeros.
 * Eviction is FIFO in fault order: the victim's page is moved out atomically with mremap(MREMAP_DONTUNMAP) (its
 * slot in guest RAM is missing from that instant, so no write can be lost), written to the swap file at
 * {@code page * 4096}, and freed. The swap file is a temporary file, unlinked at once.
 *
 * <p>Safepoints. The handler is a Java thread, so after each system call it returns to Java only when no safepoint
 * (a GC, a deoptimization) is in progress; a safepoint in turn waits for every thread in Java state. A Java load or
 * store to a missing page would park its thread in the kernel's handle_userfault while it is still in Java state:
 * the safepoint waits for that thread, that thread waits for the handler, the handler waits for the safepoint, and
 * the JVM hangs (UffdSafepointTest shows it). So from registration on, {@link GuestRam#accessThroughKernel()} turns
 * every access of the VMM to guest RAM into a system call (process_vm_readv/writev on this process): a thread that
 * waits there for the handler is in native state, which no safepoint waits for. The kernel's copy takes the fault in
 * get_user_pages, which may wait for userfaultfd (linux mm/process_vm_access.c process_vm_rw_single_vec passes
 * {@code locked}); vCPU threads fault inside KVM_RUN, native too. Both are kernel-mode faults, which a userfaultfd
 * traps only when created with that right (linux Documentation/admin-guide/mm/userfaultfd.rst, "Creating a
 * userfaultfd"); a UFFD_USER_MODE_ONLY one answers them with SIGBUS (fs/userfaultfd.c handle_userfault), so it
 * cannot serve here. {@link #openUffd} asks for the right as userfaultfd(2) then as /dev/userfaultfd, and refuses.
 */
final class UffdSwap implements AutoCloseable {
    private static final long PAGE = 4096;
    private static final long UFFD_API = 0xAA;                // linux include/uapi/linux/userfaultfd.h
    private static final long UFFDIO_API = 0xC018_AA3FL;      // _IOWR(0xAA, 0x3F, struct uffdio_api) (24 bytes)
    private static final long UFFDIO_REGISTER = 0xC020_AA00L; // _IOWR(0xAA, 0x00, struct uffdio_register) (32)
    private static final long UFFDIO_COPY = 0xC028_AA03L;     // _IOWR(0xAA, 0x03, struct uffdio_copy) (40)
    private static final long UFFDIO_WAKE = 0x8010_AA02L;     // _IOR(0xAA, 0x02, struct uffdio_range) (16)
    private static final long REGISTER_MODE_MISSING = 1;      // UFFDIO_REGISTER_MODE_MISSING
    private static final int EVENT_PAGEFAULT = 0x12;          // UFFD_EVENT_PAGEFAULT
    private static final int MSG_SIZE = 32;                   // sizeof(struct uffd_msg)
    private static final int MSGS = 64;
    private static final int EEXIST = 17;                     // errno-base.h
    private static final long USERFAULTFD_IOC_NEW = 0xAA00;   // _IO(0xAA, 0x00), include/uapi/linux/userfaultfd.h
    private static final String DEVICE = "/dev/userfaultfd";  // Linux 6.1: fs/userfaultfd.c userfaultfd_misc
    private static final IntUnaryOperator SYSCALL = Libc::userfaultfdOrErrno;
    private static final int EVICT_BATCH = 64;     // pages evicted at once at the limit: a run costs one mremap + pwrite
    private static final int READ_AHEAD = 8;       // linux Documentation/admin-guide/sysctl/vm.rst page-cluster 3: 2^3

    private final long base;
    private final long pages;
    private final long limitPages;
    private final long pinnedBelow;   // pages below this index (the runtime's 2 MiB) are never evicted
    private final int uffd;
    private final int swapFd;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment buf;
    private final MemorySegment msgs;
    private final MemorySegment pollfd;
    private final MemorySegment arg;
    private final MemorySegment scratch;
    private final long[] inSwap;
    private final long[] resident;
    private final long[] queued;
    private final int[] ring;
    private final long[] victims = new long[EVICT_BATCH];
    private int head;
    private int size;
    private long residentPages;
    private long swappedPages;
    private long swapOuts;
    private long swapIns;
    private long faults;
    private long zeroFills;
    private final Thread handler;
    private volatile boolean stop;
    private volatile RuntimeException failure;

    private UffdSwap(GuestRam ram, long limitBytes, int uffd, int swapFd) {
        this.base = ram.hostAddress();
        this.pages = ram.size() / PAGE;
        this.limitPages = limitBytes / PAGE;
        this.pinnedBelow = GuestLayout.RUNTIME_END / PAGE;
        this.uffd = uffd;
        this.swapFd = swapFd;
        this.buf = arena.allocate(READ_AHEAD * PAGE, PAGE);
        this.msgs = arena.allocate((long) MSG_SIZE * MSGS, 8);
        this.pollfd = arena.allocate(8, 8);
        this.arg = arena.allocate(40, 8);
        this.scratch = Libc.mmap(EVICT_BATCH * PAGE, Libc.PROT_RW, Libc.MAP_PRIVATE | Libc.MAP_ANONYMOUS, -1, 0);
        int words = (int) ((pages + 63) / 64);
        this.inSwap = new long[words];
        this.resident = new long[words];
        this.queued = new long[words];
        this.ring = new int[(int) Math.min(pages, limitPages) + 1];
        this.handler = new Thread(this::serve, "uffd-swap");
        handler.setDaemon(true);
    }

    /** Why the VMM cannot swap guest RAM through userfaultfd here, or null when it can. */
    static String unavailableReason() {
        return unavailableReason(SYSCALL, DEVICE);
    }

    /** {@link #unavailableReason()} with {@code syscall} for userfaultfd(2) and {@code device} for /dev/userfaultfd. */
    static String unavailableReason(IntUnaryOperator syscall, String device) {
        try {
            Libc.closeQuietly(openUffd(syscall, device));
            return null;
        } catch (KvmException e) {
            return e.getMessage();
        }
    }

    /**
     * A userfaultfd that traps kernel faults (linux Documentation/admin-guide/mm/userfaultfd.rst, "Creating a
     * userfaultfd"): userfaultfd(2) without UFFD_USER_MODE_ONLY, which needs CAP_SYS_PTRACE or
     * vm.unprivileged_userfaultfd=1; else /dev/userfaultfd's USERFAULTFD_IOC_NEW (Linux 6.1), which needs read and write
     * access to the node; else a one-line refusal with both answers (exit status 3: this host cannot).
     *
     * @param syscall userfaultfd(2): flags to the new fd or -errno
     */
    static int openUffd(IntUnaryOperator syscall, String device) {
        int flags = Libc.O_CLOEXEC | Libc.O_NONBLOCK;
        int fd = syscall.applyAsInt(flags);
        if (fd >= 0) return fd;
        int syscallErrno = -fd;
        int dev = Libc.openOrErrno(device, Libc.O_RDWR | Libc.O_CLOEXEC);
        if (dev >= 0) {
            fd = Libc.ioctlOrErrno(dev, USERFAULTFD_IOC_NEW, flags);
            Libc.closeQuietly(dev);
            if (fd >= 0) return fd;
        }
        int devErrno = -(dev >= 0 ? fd : dev);
        throw KvmException.host("the VMM's swap needs a userfaultfd that traps kernel faults: userfaultfd(2) gave "
                + Errno.name(syscallErrno) + (syscallErrno == Errno.EPERM ? " (it needs CAP_SYS_PTRACE or"
                + " vm.unprivileged_userfaultfd=1)" : "") + ", " + (dev >= 0 ? "USERFAULTFD_IOC_NEW on " : "open ")
                + device + " gave " + Errno.name(devErrno) + (devErrno == Errno.EACCES ? " (it needs read and write"
                + " access to the node)" : devErrno == Errno.ENOENT ? " (Linux 6.1 and later have it)" : ""));
    }

    /** Refuses a limit below twice the guest runtime (the runtime's pages are never evicted). */
    static void checkLimit(long limitBytes) {
        if (limitBytes < 2 * GuestLayout.RUNTIME_END) {
            throw new KvmException("the resident limit must be at least " + (2 * GuestLayout.RUNTIME_END >> 20) + " MiB");
        }
    }

    /** Registers all of guest RAM (before anything touches it) and starts the handler thread. */
    static UffdSwap start(GuestRam ram, long limitBytes) {
        checkLimit(limitBytes);
        int uffd = openUffd(SYSCALL, DEVICE);
        int swapFd = -1;
        try {
            swapFd = openSwapFile();
            UffdSwap s = new UffdSwap(ram, limitBytes, uffd, swapFd);
            s.handshake(ram);
            s.handler.start();
            return s;
        } catch (RuntimeException e) {
            Libc.closeQuietly(swapFd);
            Libc.closeQuietly(uffd);
            throw e;
        }
    }

    private static int openSwapFile() {
        try {
            Path p = Files.createTempFile("memvirt-swap-", ".bin");
            try {
                return Libc.open(p.toString(), Libc.O_RDWR | Libc.O_CLOEXEC);
            } finally {
                Files.deleteIfExists(p);   // the fd keeps the file until close
            }
        } catch (IOException e) {
            throw new KvmException("cannot create the VMM's swap file: " + e.getMessage());
        }
    }

    private void handshake(GuestRam ram) {
        arg.fill((byte) 0);
        arg.set(JAVA_LONG, 0, UFFD_API);
        Libc.ioctl("UFFDIO_API", uffd, UFFDIO_API, arg);
        ram.accessThroughKernel();   // before any fault can need the handler: the VMM's accesses must let safepoints by
        arg.fill((byte) 0);
        arg.set(JAVA_LONG, 0, base);
        arg.set(JAVA_LONG, 8, pages * PAGE);
        arg.set(JAVA_LONG, 16, REGISTER_MODE_MISSING);
        Libc.ioctl("UFFDIO_REGISTER", uffd, UFFDIO_REGISTER, arg);
    }

    // ---- the handler thread ----

    private void serve() {
        try {
            while (!stop) {
                if (!Libc.pollIn(pollfd, uffd, 50)) continue;
                long n = Libc.read(uffd, msgs);
                for (long off = 0; off + MSG_SIZE <= n; off += MSG_SIZE) {
                    if (msgs.get(JAVA_BYTE, off) != EVENT_PAGEFAULT) continue;
                    long address = msgs.get(JAVA_LONG, off + 16);
                    resolve((address - base) / PAGE);
                }
            }
        } catch (RuntimeException e) {
            failure = e;   // faults now stay unresolved: the run's watchdog stops the vCPUs and the run fails
        }
    }

    /**
     * Brings page {@code page} in, evicting first when at the limit: from the swap file with up to 7 following
     * swapped pages (swap-in read-ahead), or as one page of zeros.
     */
    private synchronized void resolve(long page) {
        faults++;
        if (test(resident, page)) {   // a second fault on a page already brought in: just wake the waiter
            wake(page);
            return;
        }
        boolean fromSwap = test(inSwap, page);
        int run = 1;
        while (fromSwap && run < READ_AHEAD && page + run < pages && test(inSwap, page + run)) run++;
        while (residentPages + run > limitPages && evictBatch()) { }
        if (fromSwap) {
            if (Libc.preadAt(swapFd, buf.address(), run * PAGE, page * PAGE) != run * PAGE) {
                throw new KvmException("short read from the swap file");
            }
            for (int i = 0; i < run; i++) clear(inSwap, page + i);
            swappedPages -= run;
            swapIns += run;
        } else {
            buf.asSlice(0, PAGE).fill((byte) 0);
            zeroFills++;
        }
        arg.fill((byte) 0);
        arg.set(JAVA_LONG, 0, base + page * PAGE);
        arg.set(JAVA_LONG, 8, buf.address());
        arg.set(JAVA_LONG, 16, run * PAGE);
        int rc = Libc.ioctlOrErrno(uffd, UFFDIO_COPY, arg.address());
        if (rc == -EEXIST) {
            wake(page);
        } else if (rc < 0) {
            throw new KvmException("UFFDIO_COPY", -rc, "");
        }
        for (int i = 0; i < run; i++) {
            set(resident, page + i);
            if (page + i >= pinnedBelow) enqueue(page + i);
        }
        residentPages += run;
    }

    private void wake(long page) {
        arg.set(JAVA_LONG, 0, base + page * PAGE);
        arg.set(JAVA_LONG, 8, PAGE);
        Libc.ioctl("UFFDIO_WAKE", uffd, UFFDIO_WAKE, arg);
    }

    /** Evicts up to EVICT_BATCH of the oldest resident pages, run by run; false when there is none to evict. */
    private boolean evictBatch() {
        int n = 0;
        while (size > 0 && n < EVICT_BATCH) {
            int page = ring[head];
            head = (head + 1) % ring.length;
            size--;
            clear(queued, page);
            if (test(resident, page)) victims[n++] = page;   // else: given to the balloon since
        }
        if (n == 0) return false;
        java.util.Arrays.sort(victims, 0, n);
        for (int i = 0; i < n; ) {
            int j = i + 1;
            while (j < n && victims[j] == victims[j - 1] + 1) j++;
            evictRun(victims[i], j - i);
            i = j;
        }
        return true;
    }

    /**
     * Moves {@code count} pages from {@code page} on out of guest RAM atomically (their slots are missing from then
     * on), writes them to the swap file at the same offsets, and frees them.
     */
    private void evictRun(long page, int count) {
        long hva = base + page * PAGE, bytes = count * PAGE;
        Libc.mremapFixed(hva, bytes, scratch.address(), Libc.MREMAP_DONTUNMAP);
        Libc.pwriteFully(swapFd, scratch.address(), bytes, page * PAGE);
        Libc.mmapFixedAnonymous(scratch);
        for (int i = 0; i < count; i++) {
            clear(resident, page + i);
            set(inSwap, page + i);
        }
        residentPages -= count;
        swappedPages += count;
        swapOuts += count;
    }

    private void enqueue(long page) {
        if (test(queued, page)) return;
        if (size == ring.length) compact();
        if (size == ring.length) return;   // every queued page is resident: the limit itself bounds this
        ring[(head + size) % ring.length] = (int) page;
        size++;
        set(queued, page);
    }

    /** Drops queue entries of pages that are no longer resident. */
    private void compact() {
        int kept = 0;
        for (int i = 0; i < size; i++) {
            int page = ring[(head + i) % ring.length];
            if (test(resident, page)) ring[(head + kept++) % ring.length] = page;
            else clear(queued, page);
        }
        size = kept;
    }

    /**
     * The balloon's discard of {@code bytes} at RAM-block offset {@code offset}: MADV_DONTNEED, and the range's pages
     * leave the resident set and the swap file (a deflated page must read zero, not its old content).
     */
    synchronized void discard(GuestRam ram, long offset, long bytes) {
        ram.discard(offset, bytes);
        for (long p = offset / PAGE, end = (offset + bytes) / PAGE; p < end; p++) {
            if (test(resident, p)) {
                clear(resident, p);
                residentPages--;
            }
            if (test(inSwap, p)) {
                clear(inSwap, p);
                swappedPages--;
            }
        }
    }

    private static boolean test(long[] bits, long i) {
        return (bits[(int) (i >>> 6)] & (1L << i)) != 0;
    }

    private static void set(long[] bits, long i) {
        bits[(int) (i >>> 6)] |= 1L << i;
    }

    private static void clear(long[] bits, long i) {
        bits[(int) (i >>> 6)] &= ~(1L << i);
    }

    // ---- reporting ----

    /** The handler's failure, if it stopped. */
    RuntimeException failure() {
        return failure;
    }

    synchronized Map<Counter, Long> counters() {
        Map<Counter, Long> out = new LinkedHashMap<>();
        out.put(Counter.RESIDENT_LIMIT_PAGES, limitPages);
        out.put(Counter.SWAP_OUT_PAGES, swapOuts);
        out.put(Counter.SWAP_IN_PAGES, swapIns);
        out.put(Counter.SWAP_FILE_PAGES, swappedPages);
        out.put(Counter.UFFD_FAULTS, faults);
        out.put(Counter.UFFD_ZERO_FILLS, zeroFills);
        out.put(Counter.UFFD_RESIDENT_PAGES, residentPages);
        return out;
    }

    synchronized long swappedBytes() {
        return swappedPages * PAGE;
    }

    @Override
    public void close() {
        stop = true;
        try {
            handler.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Libc.closeQuietly(uffd);   // unregisters guest RAM: later faults are ordinary ones
        Libc.closeQuietly(swapFd);
        try {
            Libc.munmap(scratch);
        } catch (KvmException e) {
            // the scratch page is gone either way at exit
        }
        if (!handler.isAlive()) arena.close();
    }
}
