package org.memvirt.kvm;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * A virtio-mmio driver for testing {@link BalloonHost} without /dev/kvm. Register accesses reach the device as KVM
 * hands them to the VMM: a {@code struct kvm_run} (linux include/uapi/linux/kvm.h, the {@code mmio} member of the exit
 * union: phys_addr at 32, data[8] at 40, len at 48, is_write at 52) in a memfd mapped by a {@link KvmVcpu}. Queues are
 * split virtqueues in guest RAM (virtio 1.2 §2.7): descriptor table (16-byte aligned, 16 bytes per entry), available
 * ring (2-byte aligned: flags, idx, ring[size]) and used ring (4-byte aligned: flags, idx, {id, len}[size]).
 */
final class VirtioDriver implements AutoCloseable {
    static final int NEXT = 1;   // virtio 1.2 §2.7.5 VIRTQ_DESC_F_NEXT
    private static final long RUN_MMIO_PHYS_ADDR = 32, RUN_MMIO_DATA = 40, RUN_MMIO_LEN = 48, RUN_MMIO_IS_WRITE = 52;

    final GuestRam ram;
    final BalloonHost device;
    final KvmVcpu vcpu;
    private final long pid;
    private final long[] desc = new long[3], avail = new long[3], used = new long[3];
    private final int[] size = new int[3], nextDesc = new int[3];

    /** A driver for {@code device} over {@code ram}; MMIO exits come from vCPU 0 running process {@code pid}. */
    VirtioDriver(GuestRam ram, BalloonHost device, long pid) {
        this.ram = ram;
        this.device = device;
        this.pid = pid;
        try (Arena arena = Arena.ofConfined()) {
            this.vcpu = new KvmVcpu(0, NativeResources.memfdWith(arena.allocate(4096)), 4096);
        }
    }

    MemorySegment run() {
        return vcpu.runArea();
    }

    /** A 32-bit MMIO read of register {@code reg} (an offset into the device's window). */
    int read(long reg) {
        exit(reg, 4, false, 0);
        return (int) run().get(JAVA_LONG, RUN_MMIO_DATA);
    }

    /** A 32-bit MMIO write; the bytes of {@code data} past {@code len} are what the kvm_run buffer held before. */
    void write(long reg, int value) {
        exit(reg, 4, true, 0xA5A5_A5A5_0000_0000L | Integer.toUnsignedLong(value));
    }

    /** One MMIO exit as KVM reports it, handled by the device. */
    void exit(long reg, int len, boolean isWrite, long data) {
        MemorySegment r = run();
        r.set(JAVA_LONG, RUN_MMIO_PHYS_ADDR, GuestLayout.VIRTIO_MMIO_BASE + reg);
        r.set(JAVA_LONG, RUN_MMIO_DATA, data);
        r.set(JAVA_INT, RUN_MMIO_LEN, len);
        r.set(JAVA_BYTE, RUN_MMIO_IS_WRITE, (byte) (isWrite ? 1 : 0));
        device.mmio(0, vcpu, pid);
    }

    /** Device initialization (virtio 1.2 §3.1.1) with the features the guest runtime takes; queues come after. */
    void negotiate(long features) {
        write(GuestLayout.VIO_STATUS, 0);
        write(GuestLayout.VIO_STATUS, 1);                          // ACKNOWLEDGE
        write(GuestLayout.VIO_STATUS, 1 | 2);                      // DRIVER
        write(GuestLayout.VIO_DRV_FEAT_SEL, 0);
        write(GuestLayout.VIO_DRV_FEAT, (int) features);
        write(GuestLayout.VIO_DRV_FEAT_SEL, 1);
        write(GuestLayout.VIO_DRV_FEAT, (int) (features >>> 32));
        write(GuestLayout.VIO_STATUS, 1 | 2 | 8);                  // FEATURES_OK
    }

    /** Queue {@code q} of {@code entries} at {@code base}: the three parts back to back, each at its alignment. */
    void setupQueue(int q, long base, int entries) {
        setupQueue(q, base, base + 16L * entries, align(base + 16L * entries + 6 + 2L * entries, 4), entries);
    }

    void setupQueue(int q, long descTable, long availRing, long usedRing, int entries) {
        desc[q] = descTable;
        avail[q] = availRing;
        used[q] = usedRing;
        size[q] = entries;
        write(GuestLayout.VIO_QUEUE_SEL, q);
        write(GuestLayout.VIO_QUEUE_NUM, entries);
        write(GuestLayout.VIO_QUEUE_DESC, (int) descTable);
        write(GuestLayout.VIO_QUEUE_DESC + 4, (int) (descTable >>> 32));
        write(GuestLayout.VIO_QUEUE_DRIVER, (int) availRing);
        write(GuestLayout.VIO_QUEUE_DRIVER + 4, (int) (availRing >>> 32));
        write(GuestLayout.VIO_QUEUE_DEVICE, (int) usedRing);
        write(GuestLayout.VIO_QUEUE_DEVICE + 4, (int) (usedRing >>> 32));
        write(GuestLayout.VIO_QUEUE_READY, 1);
    }

    private static long align(long v, long a) {
        return (v + a - 1) & -a;
    }

    /**
     * Makes one buffer available on queue {@code q}: a chain of descriptors, one per {gpa, len} pair, linked with
     * VIRTQ_DESC_F_NEXT. Returns the head's index. (No notify: see {@link #notifyQueue}.)
     */
    int offer(int q, long... gpaLenPairs) {
        int n = gpaLenPairs.length / 2, head = nextDesc[q];
        for (int i = 0; i < n; i++) {
            int index = (head + i) % size[q];
            long d = desc[q] + 16L * index;
            boolean last = i == n - 1;
            ram.writeLong(d, gpaLenPairs[2 * i]);
            ram.write(d + 8, 4, gpaLenPairs[2 * i + 1]);
            ram.write(d + 12, 2, last ? 0 : NEXT);
            ram.write(d + 14, 2, last ? 0 : (index + 1) % size[q]);
        }
        nextDesc[q] = (head + n) % size[q];
        int idx = u16(avail[q] + 2);
        ram.write(avail[q] + 4 + 2L * (idx % size[q]), 2, head);
        ram.write(avail[q] + 2, 2, idx + 1);   // the free-running index
        return head;
    }

    /** Makes descriptor {@code from} of queue {@code q} continue at descriptor {@code to}. */
    void link(int q, int from, int to) {
        long d = desc[q] + 16L * from;
        ram.write(d + 12, 2, NEXT);
        ram.write(d + 14, 2, to);
    }

    void notifyQueue(int q) {
        write(GuestLayout.VIO_QUEUE_NOTIFY, q);
    }

    /** The used ring's free-running index of queue {@code q}. */
    int usedIdx(int q) {
        return u16(used[q] + 2);
    }

    /** Used ring element {@code i} of queue {@code q}: {id, len}. */
    long[] usedElem(int q, int i) {
        long e = used[q] + 4 + 8L * (i % size[q]);
        return new long[] {ram.read(e, 4), ram.read(e + 4, 4)};
    }

    /** Writes {@code pfns} as an array of le32 at {@code gpa} (include/uapi/linux/virtio_balloon.h: 4 KiB PFNs). */
    void putPfns(long gpa, long... pfns) {
        for (int i = 0; i < pfns.length; i++) ram.write(gpa + 4L * i, 4, pfns[i]);
    }

    int u16(long gpa) {
        return (int) ram.read(gpa, 2);
    }

    @Override
    public void close() {
        vcpu.close();
    }
}
