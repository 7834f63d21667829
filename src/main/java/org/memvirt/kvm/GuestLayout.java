package org.memvirt.kvm;

/**
 * The guest runtime's guest-physical layout and protocol numbers, mirroring guest/layout.h value for value
 * (GuestLayoutTest compares the two files).
 */
final class GuestLayout {
    static final long PML4_PROC0 = 0x001000;
    static final long IDMAP_PDPT = 0x002000;
    static final long MBOX_BASE = 0x003000;
    static final long MBOX_SIZE = 0x200;
    static final long SHARED_BASE = 0x004000;
    static final long KSTACK_BASE = 0x008000;
    static final long KSTACK_SIZE = 0x001000;
    static final long IMAGE_BASE = 0x010000;
    static final long IMAGE_LIMIT = 0x050000;
    static final long USTACK_BASE = 0x050000;
    static final long USTACK_SIZE = 0x008000;
    static final long BUF_BASE = 0x090000;
    static final long BUF_SIZE = 0x00E000;
    static final long IDMAP_PD = 0x100000;
    static final long IDMAP_PDS = 256;
    static final long RUNTIME_END = 0x200000;
    static final long REGION_GVA = 0x0000010000000000L;
    static final long MAX_VCPUS = 8;
    static final long MAX_PROCS = 256;

    static final long MB_OP = 0x00, MB_A0 = 0x08, MB_A1 = 0x10, MB_A2 = 0x18, MB_A3 = 0x20, MB_FLUSH = 0x28, MB_CR3 = 0x38,
            MB_PID = 0x40, MB_R0 = 0x48, MB_R1 = 0x50, MB_VECTOR = 0x68, MB_ERROR = 0x70, MB_RIP = 0x78,
            MB_CR2 = 0x80, MB_LOADED = 0x88;

    static final long SH_LOCK = 0x00, SH_DEMAND = 0x08, SH_NEXT = 0x10, SH_REGION = 0x18, SH_NREGIONS = 0x20,
            SH_START0 = 0x28, SH_END0 = 0x30, SH_START1 = 0x38, SH_END1 = 0x40, SH_FRAMES = 0x48, SH_TABLES = 0x50,
            SH_REGION_MAX = 0x58, SH_NPROC = 0x60, SH_FREE_TOP = 0x68, SH_BALLOON = 0x70, SH_STACK = 0x78,
            SH_STACK_CAP = 0x80, SH_CR3 = 0x100;

    static final long OP_NOP = 0, OP_TOUCH = 1, OP_READ = 2, OP_FILL = 3, OP_RANDOM = 4, OP_PREFAULT = 5,
            OP_PROCESSES = 6, OP_SWITCH = 7, OP_UNMAP = 8, OP_REMAP = 9, OP_BALLOON = 10,
            OP_FREE = 11;

    static final long PORT_DONE = 0xE0, PORT_READY = 0xE1, PORT_FATAL = 0xE2;
    static final long BALLOON_BATCH = 256;   // linux include/uapi/linux/virtio_balloon.h VIRTIO_BALLOON_ARRAY_PFNS_MAX

    // the virtio-balloon device (virtio-mmio, virtio 1.x 4.2.2)
    static final long VIRTIO_MMIO_BASE = 0xFEB00000L, VIRTIO_MMIO_SIZE = 0x200, VQ_NUM = 16, VQ_INFLATE = 0x006000, VQ_STATS = 0x005000,
            VQ_STATS_BUF_OFF = 0x400, VQ_STATS_TAGS = 8,
            VQ_DEFLATE = 0x007000, VQ_AVAIL_OFF = 0x100, VQ_USED_OFF = 0x200, BUF_DROPPED_OFF = 0x1000;
    static final long VIO_MAGIC = 0x000, VIO_VERSION = 0x004, VIO_DEVICE_ID = 0x008, VIO_DEV_FEAT = 0x010,
            VIO_DEV_FEAT_SEL = 0x014, VIO_DRV_FEAT = 0x020, VIO_DRV_FEAT_SEL = 0x024, VIO_QUEUE_SEL = 0x030,
            VIO_QUEUE_NUM_MAX = 0x034, VIO_QUEUE_NUM = 0x038, VIO_QUEUE_READY = 0x044, VIO_QUEUE_NOTIFY = 0x050,
            VIO_INT_STATUS = 0x060, VIO_INT_ACK = 0x064, VIO_STATUS = 0x070, VIO_QUEUE_DESC = 0x080,
            VIO_QUEUE_DRIVER = 0x090, VIO_QUEUE_DEVICE = 0x0A0, VIO_CONFIG_GEN = 0x0FC, VIO_CFG_NUM_PAGES = 0x100,
            VIO_CFG_ACTUAL = 0x104;

    static final long KCODE_SEL = 0x08, KDATA_SEL = 0x10;

    /** Entries of a vCPU's buffer (page index and write bit per random access). */
    static final int BUF_ENTRIES = (int) (BUF_SIZE / 8);
    /** The fatal "vector" the runtime reports when its frame allocator runs out of guest RAM. */
    static final long VEC_OOM = 0xFF;

    static long mailbox(int cpu) {
        return MBOX_BASE + cpu * MBOX_SIZE;
    }

    static long buffer(int cpu) {
        return BUF_BASE + cpu * BUF_SIZE;
    }

    static long kernelStackTop(int cpu) {
        return KSTACK_BASE + (cpu + 1) * KSTACK_SIZE;
    }

    private GuestLayout() {}
}
