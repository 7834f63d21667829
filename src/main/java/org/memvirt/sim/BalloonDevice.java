package org.memvirt.sim;

/**
 * A virtio-balloon device (virtio spec "Traditional Memory Balloon Device"; qemu hw/virtio/virtio-balloon.c) with
 * the Linux guest driver's behaviour (drivers/virtio/virtio_balloon.c). All counts are 4 KiB balloon pages.
 *
 * <p>The host sets {@code num_pages} (QEMU's {@code balloon} command takes the target logical VM size:
 * {@code num_pages = (ram - target) / 4096}); the driver moves at most 256 pages per virtqueue round trip toward it
 * and writes {@code actual}. When it cannot allocate a page it logs "Out of puff!" and retries 200 ms later, forever.
 * With {@code DEFLATE_ON_OOM} the guest's OOM notifier takes back 256 pages per notification, and ballooned memory
 * still counts in the guest's MemTotal; without it MemTotal shrinks by the balloon.
 */
public final class BalloonDevice {
    public static final int ARRAY_PFNS_MAX = 256;                     // linux virtio_balloon.c VIRTIO_BALLOON_ARRAY_PFNS_MAX
    public static final int OOM_NR_PAGES = 256;                       // linux virtio_balloon.c VIRTIO_BALLOON_OOM_NR_PAGES
    public static final long OUT_OF_PUFF_RETRY_NANOS = 200_000_000L;  // linux virtio_balloon.c fill_balloon: msleep(200)
    public static final long ROUND_TRIP_NANOS = 20_000L;              // modelled: one virtqueue kick, host madvise, interrupt

    /** Where the driver gets and returns guest frames: the guest's page allocator. */
    public interface GuestFrames {
        /** A free guest frame for the balloon, or -1 if the guest has none free. */
        long allocate();

        /** Gives a frame back to the guest's free pages. */
        void release(long gfn);
    }

    private final HostMemory host;
    private final int vm;
    private final RamMap ram;                // null: gfns are RAM-block pages (no hole in guest RAM)
    private final long ramPages;
    private final boolean deflateOnOom;
    private long[] pages = new long[1024];   // the driver's balloon page list (LIFO)
    private int listed;                      // vb->num_pages: pages on the list
    private long numPages;                   // config.num_pages, written by the device
    private long actual;                     // config.actual, written by the driver
    private long inflateRoundTripNanos = ROUND_TRIP_NANOS;
    private long deflateRoundTripNanos = ROUND_TRIP_NANOS;
    private long outOfPuff;
    private long inflated;
    private long deflated;
    private long oomDeflations;

    public BalloonDevice(HostMemory host, int vm, long ramPages, boolean deflateOnOom) {
        this(host, vm, null, ramPages, deflateOnOom);
    }

    /** A device for guest RAM laid out by {@code ram}: a PFN is discarded at its page of the RAM block. */
    BalloonDevice(HostMemory host, int vm, RamMap ram, boolean deflateOnOom) {
        this(host, vm, ram, ram.ramPages(), deflateOnOom);
    }

    private BalloonDevice(HostMemory host, int vm, RamMap ram, long ramPages, boolean deflateOnOom) {
        this.host = host;
        this.vm = vm;
        this.ram = ram;
        this.ramPages = ramPages;
        this.deflateOnOom = deflateOnOom;
    }

    /** The driver's time per round trip of up to {@link #ARRAY_PFNS_MAX} pages inflating and deflating (a guest's pace). */
    void setPace(long inflateNanos, long deflateNanos) {
        inflateRoundTripNanos = inflateNanos;
        deflateRoundTripNanos = deflateNanos;
    }

    /** The driver's time for one round trip toward the target: inflating or deflating. */
    long roundTripNanos(boolean inflating) {
        return inflating ? inflateRoundTripNanos : deflateRoundTripNanos;
    }

    /** QEMU virtio_balloon_to_target: target logical VM size in bytes, clamped to RAM; 0 is ignored. */
    public void setTargetBytes(long targetBytes) {
        if (targetBytes == 0) return;
        long target = Math.min(targetBytes, ramPages * HostConfig.PAGE_SIZE);
        numPages = (ramPages * HostConfig.PAGE_SIZE - target) >> 12;
    }

    /** Sets {@code num_pages} directly (Firecracker's {@code amount_mib * 256}, or a workload op). */
    public void setNumPages(long n) {
        numPages = Math.clamp(n, 0, ramPages);
    }

    public long numPages() {
        return numPages;
    }

    public long actual() {
        return actual;
    }

    /** QEMU query-balloon {@code actual}: the logical VM size in bytes, {@code ram - actual * 4096}. */
    public long logicalSizeBytes() {
        return (ramPages - actual) * HostConfig.PAGE_SIZE;
    }

    public boolean deflateOnOom() {
        return deflateOnOom;
    }

    /** towards_target(): pages still to inflate (positive) or deflate (negative). */
    public long towardsTarget() {
        return numPages - actual;
    }

    /**
     * One pass of update_balloon_size_func: fill_balloon or leak_balloon of at most 256 pages, then {@code actual}.
     *
     * @return nanoseconds until the driver runs again: a round trip, the 200 ms out-of-puff sleep, or -1 when done
     */
    public long work(GuestFrames frames) {
        long diff = towardsTarget();
        if (diff > 0) {
            long want = Math.min(diff, ARRAY_PFNS_MAX);
            long got = 0;
            while (got < want) {
                long gfn = frames.allocate();
                if (gfn < 0) break;
                push(gfn);
                host.balloonRelease(vm, ram == null ? gfn : ram.gfnToRamPage(gfn));   // discarded (MADV_DONTNEED)
                got++;
            }
            actual = listed;
            inflated += got;
            if (got < want) {
                outOfPuff++;                    // "Out of puff! Can't get %u pages"
                return OUT_OF_PUFF_RETRY_NANOS;
            }
            return towardsTarget() == 0 ? -1 : inflateRoundTripNanos;
        }
        if (diff < 0) {
            leak(Math.min(-diff, ARRAY_PFNS_MAX), frames);
            return towardsTarget() == 0 ? -1 : deflateRoundTripNanos;
        }
        return -1;
    }

    /** The guest's OOM notifier (DEFLATE_ON_OOM only): leaks up to 256 pages; returns how many were freed. */
    public long oomNotify(GuestFrames frames) {
        if (!deflateOnOom || actual == 0) return 0;
        long n = leak(Math.min(actual, OOM_NR_PAGES), frames);
        oomDeflations++;
        return n;
    }

    /** leak_balloon: tells the host first (MUST_TELL_HOST), then frees the pages to the guest. */
    private long leak(long n, GuestFrames frames) {
        n = Math.min(n, actual);
        for (long i = 0; i < n; i++) frames.release(pop());
        actual = listed;
        deflated += n;
        return n;
    }

    /** Guest MemTotal in pages: RAM, less the balloon unless DEFLATE_ON_OOM (adjust_managed_page_count). */
    public long guestTotalPages(long managedPages) {
        return deflateOnOom ? managedPages : managedPages - actual;
    }

    /** The virtio stats tags (virtio spec; linux include/uapi/linux/virtio_balloon.h) under QEMU's QOM names. */
    public static final java.util.List<String> STAT_NAMES = java.util.List.of(
            "stat-swap-in", "stat-swap-out", "stat-major-faults", "stat-minor-faults", "stat-free-memory",
            "stat-total-memory", "stat-available-memory", "stat-disk-caches", "stat-htlb-pgalloc", "stat-htlb-pgfail",
            "stat-oom-kills", "stat-alloc-stalls", "stat-async-scans", "stat-direct-scans", "stat-async-reclaims",
            "stat-direct-reclaims");

    /**
     * One stats buffer as the driver fills it (update_balloon_stats): tag -> value, the tag's position in
     * {@link #STAT_NAMES}. Byte-valued tags in bytes; tags this guest model does not know are left out (QEMU
     * reports them as -1).
     */
    public static java.util.Map<String, Long> stats(long swapInBytes, long swapOutBytes, long majorFaults,
            long minorFaults, long freeBytes, long totalBytes, long availableBytes, long cachesBytes, long oomKills) {
        java.util.LinkedHashMap<String, Long> m = new java.util.LinkedHashMap<>();
        long[] v = {swapInBytes, swapOutBytes, majorFaults, minorFaults, freeBytes, totalBytes, availableBytes,
                cachesBytes};
        for (int tag = 0; tag < v.length; tag++) m.put(STAT_NAMES.get(tag), v[tag]);
        m.put(STAT_NAMES.get(10), oomKills);
        return m;
    }

    public long outOfPuffCount() {
        return outOfPuff;
    }

    public long inflatedPages() {
        return inflated;
    }

    public long deflatedPages() {
        return deflated;
    }

    public long oomDeflations() {
        return oomDeflations;
    }

    private void push(long gfn) {
        if (listed == pages.length) pages = java.util.Arrays.copyOf(pages, pages.length * 2);
        pages[listed++] = gfn;
    }

    private long pop() {
        return pages[--listed];
    }
}
