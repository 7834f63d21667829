package org.memvirt.kvm;

import static org.memvirt.kvm.GuestLayout.buffer;

import java.util.Arrays;

/**
 * The VMM's side of the guest's balloon: a port-I/O equivalent of the traditional virtio-balloon device (virtio 1.x
 * "Memory Balloon Device": inflateq/deflateq carrying arrays of 4 KiB PFNs, at most 256 per buffer). An inflate batch
 * is discarded with MADV_DONTNEED (QEMU hw/virtio/virtio-balloon.c balloon_inflate_page: ram_block_discard_range), so
 * the host frees the pages and the guest reads zeros after it takes them back; a deflate batch is acknowledged only
 * (QEMU's MADV_WILLNEED is a hint). 'actual' is the guest's count, read from its shared state.
 */
final class BalloonHost {
    private static final long PAGE = 4096;
    private static final long NO_REGION_PAGE = -1;   // ~0 from the guest: a free frame, not a reclaimed region page

    /** Told about each region page the guest dropped to fill the balloon (its content is gone). */
    interface ReclaimListener {
        void reclaimed(int pid, long regionPage);
    }

    private final GuestRam ram;
    private final UffdSwap swap;   // null without a resident limit
    private final long[] offsets = new long[(int) GuestLayout.BALLOON_BATCH];
    private ReclaimListener listener = (pid, page) -> { };
    private long inflated;
    private long deflated;
    private long batches;
    private long reclaimed;
    private long discardErrors;

    BalloonHost(GuestRam ram, UffdSwap swap) {
        this.ram = ram;
        this.swap = swap;
    }

    void setListener(ReclaimListener listener) {
        this.listener = listener;
    }

    /** On the vCPU's thread, at the guest's OUT: {@code count} pairs {pfn, region page} in the vCPU's buffer. */
    void onBatch(int cpu, boolean inflate, int count, long pid) {
        if (count < 0 || count > GuestLayout.BALLOON_BATCH) throw new GuestFailure("balloon batch of " + count + " PFNs from vCPU " + cpu);
        batches++;
        long buf = buffer(cpu);
        for (int i = 0; i < count; i++) {
            long pfn = ram.readLong(buf + 16L * i), page = ram.readLong(buf + 16L * i + 8);
            offsets[i] = ram.gpaToOffset(pfn * PAGE);
            if (inflate && page != NO_REGION_PAGE) {
                reclaimed++;
                listener.reclaimed((int) pid, page);
            }
        }
        if (!inflate) {
            deflated += count;
            return;
        }
        inflated += count;
        discardRuns(count);
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
                discardErrors++;   // QEMU ignores discard errors too (hugetlb backing, a 4 KiB hole is impossible)
            }
            i = j;
        }
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
}
