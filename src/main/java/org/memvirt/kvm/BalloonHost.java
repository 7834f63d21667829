package org.memvirt.kvm;

import static org.memvirt.kvm.GuestLayout.*;

import java.util.Arrays;

import org.memvirt.engine.Counter;

/**
 * The VMM's virtio-balloon device (virtio 1.x §5.5 "Traditional Memory Balloon Device", device ID 5) on the virtio-mmio
 * transport (§4.2.2, version 2) at {@link GuestLayout#VIRTIO_MMIO_BASE}: registers, feature negotiation, config
 * ({@code num_pages} set by the host, {@code actual} written by the driver), and three split virtqueues: inflateq and
 * deflateq, whose buffers are arrays of le32 PFNs, and statsq, whose one buffer the device holds until it wants fresh
 * figures (virtio 1.x 5.5.6.3). Buffers are completed while the notify exit is handled, so the
 * guest never waits for an interrupt. An inflated PFN is discarded with MADV_DONTNEED (QEMU hw/virtio/virtio-balloon.c
 * balloon_inflate_page: ram_block_discard_range); a deflated one is only acknowledged (QEMU's MADV_WILLNEED is a hint).
 */
final class BalloonHost {
    private static final long PAGE = 4096;
    private static final long NO_REGION_PAGE = -1;   // ~0 from the guest: a free frame, not a reclaimed region page
    private static final int MAGIC = 0x7472_6976;    // "virt" (virtio 1.x 4.2.2)
    private static final int DEVICE_ID = 5;          // virtio 1.x 5: memory balloon
    private static final int QUEUE_NUM_MAX = 128;    // QEMU's balloon queues have 128 entries
    // VIRTIO_F_VERSION_1 (32) | VIRTIO_BALLOON_F_STATS_VQ (1) | VIRTIO_BALLOON_F_MUST_TELL_HOST (0)
    private static final long FEATURES = 1L << 32 | 1L << 1 | 1L;
    /**
     * The statistics tags 0..7 (virtio 1.2 §5.5.6.3) as the table's counters, named after QEMU's names for them
     * (hw/virtio/virtio-balloon.c balloon_stat_names, snake_case).
     */
    static final Counter[] STATS = {Counter.BALLOON_STAT_SWAP_IN, Counter.BALLOON_STAT_SWAP_OUT,
        Counter.BALLOON_STAT_MAJOR_FAULTS, Counter.BALLOON_STAT_MINOR_FAULTS, Counter.BALLOON_STAT_FREE_MEMORY,
        Counter.BALLOON_STAT_TOTAL_MEMORY, Counter.BALLOON_STAT_AVAILABLE_MEMORY, Counter.BALLOON_STAT_DISK_CACHES};
    private static final int STATUS_FEATURES_OK = 8; // virtio 1.x 2.1
    private static final int DESC_F_NEXT = 1;        // virtio 1.x 2.7.5 VIRTQ_DESC_F_NEXT

    /** Told about each region page the guest dropped to fill the balloon (its content is gone). */
    interface ReclaimListener {
        void reclaimed(int pid, long regionPage);
    }

    /** One split virtqueue's registers and the device's position in it. */
    private static final class Queue {
        int num;
        boolean ready;
        long desc, driver, device;
        int lastAvail;
    }

    private final GuestRam ram;
    private final UffdSwap swap;   // null without a resident limit
    private final long[] offsets = new long[QUEUE_NUM_MAX * (int) BALLOON_BATCH];
    private final Queue[] queues = {new Queue(), new Queue(), new Queue()};
    private final long[] stats = new long[STATS.length];
    private boolean statsValid;
    private int statsHead = -1;   // the stats buffer the device holds, or -1
    private ReclaimListener listener = (pid, page) -> { };
    private int status;
    private int deviceFeatureSel;
    private int driverFeatureSel;
    private long driverFeatures;
    private int queueSel;
    private int numPages;
    private int actual;
    private long inflated;
    private long deflated;
    private long batches;
    private long reclaimed;
    private long discardErrors;
    private long mmioExits;

    BalloonHost(GuestRam ram, UffdSwap swap) {
        this.ram = ram;
        this.swap = swap;
    }

    void setListener(ReclaimListener listener) {
        this.listener = listener;
    }

    /** The host's request: the balloon should hold {@code pages} 4 KiB pages (config {@code num_pages}). */
    void setNumPages(long pages) {
        numPages = (int) pages;
    }

    static boolean owns(long gpa) {
        return gpa >= VIRTIO_MMIO_BASE && gpa < VIRTIO_MMIO_BASE + VIRTIO_MMIO_SIZE;
    }

    /** On the vCPU's thread, at KVM_EXIT_MMIO inside the device's window. */
    void mmio(int cpu, KvmVcpu k, long pid) {
        mmioExits++;
        long off = k.mmioAddress() - VIRTIO_MMIO_BASE;
        if (k.mmioIsWrite()) write(cpu, off, (int) k.mmioWriteValue(), pid);
        else k.setMmioReadValue(Integer.toUnsignedLong(read(off)));
    }

    /**
     * The queue QueueSel names; for a QueueSel past the last queue (the driver's value is any u32) a detached one that
     * reads as absent and drops writes (virtio 1.2 §4.2.2: QueueNumMax reads 0 for a queue that is not available).
     */
    private Queue selected() {
        return exists(queueSel) ? queues[queueSel] : new Queue();
    }

    private boolean exists(int queue) {
        return queue >= 0 && queue < queues.length;
    }

    private int read(long off) {
        Queue q = selected();
        return switch ((int) off) {
            case (int) VIO_MAGIC -> MAGIC;
            case (int) VIO_VERSION -> 2;
            case (int) VIO_DEVICE_ID -> DEVICE_ID;
            case (int) VIO_DEV_FEAT -> deviceFeatureSel > 1 ? 0 : (int) (FEATURES >>> (32 * deviceFeatureSel));
            case (int) VIO_QUEUE_NUM_MAX -> exists(queueSel) ? QUEUE_NUM_MAX : 0;
            case (int) VIO_QUEUE_READY -> q.ready ? 1 : 0;
            case (int) VIO_INT_STATUS, (int) VIO_CONFIG_GEN -> 0;
            case (int) VIO_STATUS -> status;
            case (int) VIO_CFG_NUM_PAGES -> numPages;
            case (int) VIO_CFG_ACTUAL -> actual;
            default -> 0;
        };
    }

    private void write(int cpu, long off, int value, long pid) {
        Queue q = selected();
        switch ((int) off) {
            case (int) VIO_DEV_FEAT_SEL -> deviceFeatureSel = value;
            case (int) VIO_DRV_FEAT_SEL -> driverFeatureSel = value;
            case (int) VIO_DRV_FEAT -> {
                if (driverFeatureSel < 2) {
                    long shift = 32L * driverFeatureSel;
                    driverFeatures = driverFeatures & ~(0xFFFF_FFFFL << shift) | (Integer.toUnsignedLong(value) << shift);
                }
            }
            case (int) VIO_QUEUE_SEL -> queueSel = value;
            case (int) VIO_QUEUE_NUM -> q.num = value;
            case (int) VIO_QUEUE_READY -> q.ready = value == 1;
            case (int) VIO_QUEUE_DESC -> q.desc = low(q.desc, value);
            case (int) VIO_QUEUE_DESC + 4 -> q.desc = high(q.desc, value);
            case (int) VIO_QUEUE_DRIVER -> q.driver = low(q.driver, value);
            case (int) VIO_QUEUE_DRIVER + 4 -> q.driver = high(q.driver, value);
            case (int) VIO_QUEUE_DEVICE -> q.device = low(q.device, value);
            case (int) VIO_QUEUE_DEVICE + 4 -> q.device = high(q.device, value);
            case (int) VIO_STATUS -> setStatus(value);
            case (int) VIO_QUEUE_NOTIFY -> notify(cpu, value, pid);
            case (int) VIO_CFG_ACTUAL -> actual = value;
            default -> { }
        }
    }

    /** Writing 0 resets the device; FEATURES_OK stays set only when the driver took nothing the device lacks. */
    private void setStatus(int value) {
        if (value == 0) {
            status = 0;
            driverFeatures = 0;
            for (int i = 0; i < queues.length; i++) queues[i] = new Queue();
            statsHead = -1;
            return;
        }
        if ((value & STATUS_FEATURES_OK) != 0 && (driverFeatures & ~FEATURES) != 0) value &= ~STATUS_FEATURES_OK;
        status = value;
    }

    private static long low(long v, int value) {
        return v & 0xFFFF_FFFF_0000_0000L | Integer.toUnsignedLong(value);
    }

    private static long high(long v, int value) {
        return v & 0xFFFF_FFFFL | Integer.toUnsignedLong(value) << 32;
    }

    /** Completes every buffer the driver made available on queue {@code index} (0 inflateq, 1 deflateq, 2 statsq). */
    private void notify(int cpu, int index, long pid) {
        if (!exists(index) || !queues[index].ready) throw new GuestFailure("balloon: notify of queue " + index + " that is not ready");
        Queue q = queues[index];
        checkLayout(index, q);
        if (index == 2) {
            takeStats(q);
            return;
        }
        int availIdx = u16(q.driver + 2);
        while (q.lastAvail != availIdx) {
            int head = u16(q.driver + 4 + 2L * (q.lastAvail % q.num));
            int pfns = processChain(cpu, q, head, index == 0, pid);
            use(q, head);
            q.lastAvail = (q.lastAvail + 1) & 0xFFFF;
            batches++;
            if (index == 0) inflated += pfns;
            else deflated += pfns;
        }
    }

    /**
     * A queue the device can walk: its size a power of 2 up to QueueNumMax (virtio 1.2 §2.7 "Queue Size value is
     * always a power of 2", §4.2.2), its parts at their alignment (§2.7: descriptor table 16, available ring 2, used
     * ring 4). The driver MUST keep both and the spec leaves the device free otherwise: here such a driver stops the guest.
     */
    private static void checkLayout(int index, Queue q) {
        if (q.num < 1 || q.num > QUEUE_NUM_MAX || Integer.bitCount(q.num) != 1) {
            throw new GuestFailure("balloon: queue " + index + " has " + q.num + " entries, not a power of 2 up to "
                    + QUEUE_NUM_MAX + " (virtio 1.2 §2.7, §4.2.2 QueueNumMax)");
        }
        if ((q.desc & 15) != 0 || (q.driver & 1) != 0 || (q.device & 3) != 0) {
            throw new GuestFailure(String.format("balloon: queue %d has its descriptor table at 0x%x, available ring at"
                    + " 0x%x, used ring at 0x%x; virtio 1.2 §2.7 aligns them to 16, 2 and 4 bytes", index, q.desc,
                    q.driver, q.device));
        }
    }

    /** Puts {@code head} on the used ring (nothing written into the buffer). */
    private void use(Queue q, int head) {
        int usedIdx = u16(q.device + 2);
        long elem = q.device + 4 + 8L * (usedIdx % q.num);
        at(elem, 8);
        ram.write(elem, 4, head);
        ram.write(elem + 4, 4, 0);
        ram.write(q.device + 2, 2, usedIdx + 1);
    }

    /** Reads the driver's stats buffer ({le16 tag; le64 val} packed, 10 bytes each) and keeps it until the next request. */
    private void takeStats(Queue q) {
        int availIdx = u16(q.driver + 2);
        while (q.lastAvail != availIdx) {
            int head = u16(q.driver + 4 + 2L * (q.lastAvail % q.num));
            q.lastAvail = (q.lastAvail + 1) & 0xFFFF;
            long d = q.desc + 16L * head;
            at(d, 16);
            long addr = ram.readLong(d);
            int len = (int) ram.read(d + 8, 4);
            for (int e = 0; e + 10 <= len; e += 10) {
                long entry = addr + e;
                at(entry, 10);
                int tag = (int) ram.read(entry, 2);
                long val = ram.read(entry + 2, 8);
                if (tag < stats.length) stats[tag] = val;
            }
            statsValid = true;
            statsHead = head;
        }
    }

    /** Asks the driver for fresh statistics: returns the held stats buffer (the driver refills it at its next run). */
    void requestStats() {
        if (statsHead < 0 || !queues[2].ready) return;
        use(queues[2], statsHead);
        statsHead = -1;
    }

    /** The driver's last statistics by QEMU's names (bytes or counts), or null before the first buffer. */
    long[] stats() {
        return statsValid ? stats.clone() : null;
    }

    /** Reads the PFN arrays of one descriptor chain; discards them for inflate. Returns the PFN count. */
    private int processChain(int cpu, Queue q, int head, boolean inflate, long pid) {
        int count = 0;
        for (int i = head, hops = 0; ; hops++) {
            if (hops >= q.num) throw new GuestFailure("balloon: descriptor chain loops");
            long d = q.desc + 16L * i;
            at(d, 16);
            long addr = ram.readLong(d);
            int len = (int) ram.read(d + 8, 4);
            int flags = (int) ram.read(d + 12, 2);
            for (long p = 0; p < len / 4; p++) {
                // buffers have no alignment (virtio 1.2 §2.7 aligns only the rings): the array may start at any byte
                at(addr + 4 * p, 4);
                long pfn = ram.read(addr + 4 * p, 4);
                if (count == offsets.length) throw new GuestFailure("balloon: more than " + offsets.length + " PFNs in one buffer");
                offsets[count++] = at(pfn * PAGE, PAGE);
            }
            if ((flags & DESC_F_NEXT) == 0) break;
            i = (int) ram.read(d + 14, 2);
        }
        if (inflate) {
            noteDropped(cpu, count, pid);
            discardRuns(count);
        }
        return count;
    }

    /** The harness's record (not device protocol): which region pages the guest dropped for this batch. */
    private void noteDropped(int cpu, int count, long pid) {
        long list = buffer(cpu) + BUF_DROPPED_OFF;
        for (int i = 0; i < Math.min(count, (int) BALLOON_BATCH); i++) {
            long page = ram.readLong(list + 8L * i);
            if (page != NO_REGION_PAGE) {
                reclaimed++;
                listener.reclaimed((int) pid, page);
            }
        }
    }

    private int u16(long gpa) {
        at(gpa, 2);
        return (int) ram.read(gpa, 2);
    }

    /** The RAM-block offset of the {@code bytes} the driver points at; an address outside guest RAM stops the guest. */
    private long at(long gpa, long bytes) {
        try {
            return ram.gpaToOffset(gpa, bytes);
        } catch (KvmException e) {
            throw new GuestFailure("balloon: " + e.getMessage());
        }
    }

    /** One madvise per run of contiguous pages of the batch. */
    private void discardRuns(int count) {
        Arrays.sort(offsets, 0, count);
        for (int i = 0; i < count; ) {
            int j = i + 1;
            while (j < count && offsets[j] == offsets[j - 1] + PAGE) j++;
            try {
                if (swap != null) swap.discard(ram, offsets[i], (j - i) * PAGE);
                else ram.discard(offsets[i], (j - i) * PAGE);
            } catch (KvmException e) {
                discardErrors++;   // QEMU ignores discard errors too (hugetlb backing: a 4 KiB hole is impossible)
            }
            i = j;
        }
    }

    /** virtio-balloon config {@code actual}, as the driver last wrote it. */
    long actualPages() {
        return Integer.toUnsignedLong(actual);
    }

    long inflatedPages() {
        return inflated;
    }

    long deflatedPages() {
        return deflated;
    }

    long batches() {
        return batches;
    }

    long reclaimedPages() {
        return reclaimed;
    }

    long discardErrors() {
        return discardErrors;
    }

    long mmioExits() {
        return mmioExits;
    }
}
