/*
 * Guest-physical layout of the memvirt guest runtime (the first 2 MiB of guest RAM, docs/guest-model.md).
 * org.memvirt.kvm.GuestLayout mirrors every value; GuestLayoutTest checks the two agree.
 * The VMM, acting as boot loader, identity-maps all guest RAM at GVA == GPA with 2 MiB pages, user-accessible.
 */
#ifndef MEMVIRT_LAYOUT_H
#define MEMVIRT_LAYOUT_H

#define PML4_PROC0    0x001000  /* process 0's PML4 (built by the VMM) */
#define IDMAP_PDPT    0x002000  /* identity map: PML4[0] -> this PDPT */
#define MBOX_BASE     0x003000  /* one mailbox per vCPU */
#define MBOX_SIZE     0x200
#define SHARED_BASE   0x004000  /* state shared by all vCPUs (frame allocator, processes) */
#define KSTACK_BASE   0x008000  /* CPL0 stacks, one page per vCPU; top of vCPU i = KSTACK_BASE + (i + 1) * KSTACK_SIZE */
#define KSTACK_SIZE   0x001000
#define IMAGE_BASE    0x010000  /* the runtime's flat binary (code, data, bss); entry at its first byte */
#define IMAGE_LIMIT   0x050000
#define VQ_STATS      0x005000  /* the balloon's statsq; its one stats buffer at VQ_STATS + VQ_STATS_BUF_OFF */
#define VQ_INFLATE    0x006000  /* the balloon's inflateq (split virtqueue: descriptors, avail ring, used ring) */
#define VQ_DEFLATE    0x007000  /* ... and its deflateq */
#define USTACK_BASE   0x050000  /* CPL3 stacks */
#define USTACK_SIZE   0x008000
#define BUF_BASE      0x090000  /* per-vCPU buffers: random access streams, INVLPG lists */
#define BUF_SIZE      0x00E000
#define IDMAP_PD      0x100000  /* 256 page directories: identity map of [0, 256 GiB) */
#define IDMAP_PDS     256
#define RUNTIME_END   0x200000  /* the guest frame allocator starts here */
#define REGION_GVA    0x0000010000000000  /* every process's workload region (PML4 index 2) */
#define MAX_VCPUS     8
#define MAX_PROCS     256
#define VEC_OOM       0xFF  /* fatal "vector": the guest frame allocator ran out of guest RAM */

/* mailbox fields (byte offsets) */
#define MB_OP      0x00
#define MB_A0      0x08
#define MB_A1      0x10
#define MB_A2      0x18
#define MB_A3      0x20
#define MB_FLUSH   0x28  /* set by the VMM after a free with more than one vCPU: flush this vCPU's TLB before its next op */
#define MB_CR3     0x38  /* CR3 of the process the op runs in */
#define MB_PID     0x40
#define MB_R0      0x48
#define MB_R1      0x50
#define MB_VECTOR  0x68  /* fatal: vector (0xFF: guest out of memory) */
#define MB_ERROR   0x70
#define MB_RIP     0x78
#define MB_CR2     0x80
#define MB_LOADED  0x88  /* CR3 this vCPU has loaded (guest-private) */

/* shared-state fields (byte offsets) */
#define SH_LOCK        0x00
#define SH_DEMAND      0x08
#define SH_NEXT        0x10  /* next never-used frame */
#define SH_REGION      0x18  /* index of the RAM region SH_NEXT is in */
#define SH_NREGIONS    0x20
#define SH_START0      0x28
#define SH_END0        0x30
#define SH_START1      0x38
#define SH_END1        0x40
#define SH_FRAMES      0x48  /* frames handed out (tables + data) */
#define SH_TABLES      0x50  /* of which page-table pages */
#define SH_REGION_MAX  0x58  /* workload region size in bytes */
#define SH_NPROC       0x60
#define SH_FREE_TOP    0x68  /* entries on the free-frame stack (frames the balloon gave back; LIFO) */
#define SH_BALLOON     0x70  /* pages in the balloon: virtio-balloon's 'actual' */
#define SH_STACK       0x78  /* GPA of the page stack: u32 PFNs, free stack from entry 0 up, balloon from the top down */
#define SH_STACK_CAP   0x80  /* entries in the page stack (one per guest RAM page) */
#define SH_CR3         0x100 /* u64[MAX_PROCS]: PML4 GPA of each process */

/* ops (MB_OP) */
#define OP_NOP        0
#define OP_TOUCH      1  /* a0 offset, a1 bytes */
#define OP_READ       2  /* a0 offset, a1 bytes; r0 = xor of what was read */
#define OP_FILL       3  /* a0 offset, a1 bytes, a2 kind, a3 param */
#define OP_RANDOM     4  /* a1 entries in the buffer (page << 1 | write) */
#define OP_PREFAULT   5  /* a0 offset, a1 bytes: map every unmapped page */
#define OP_PROCESSES  6  /* a0 count */
#define OP_SWITCH     7  /* a0 count, a1 1: with PCID; r0 = the process running afterwards */
#define OP_UNMAP      8  /* a0 offset, a1 bytes; r0 = pages unmapped (= INVLPGs) */
#define OP_REMAP      9  /* a0 offset, a1 bytes; r0 = pages remapped */
#define OP_BALLOON   10  /* the balloon driver moves toward the device's num_pages; r0 = actual (~0: no device) */
#define OP_FREE      11  /* a0 offset, a1 bytes: frames back on the free stack; r0 = pages freed */

/* ports (OUT from the guest; the VMM counts each as a user-space exit) */
#define PORT_DONE     0xE0
#define PORT_READY    0xE1
#define PORT_FATAL    0xE2
#define BALLOON_BATCH 256   /* linux include/uapi/linux/virtio_balloon.h VIRTIO_BALLOON_ARRAY_PFNS_MAX */

/* the virtio-balloon device: virtio-mmio (virtio 1.x, 4.2.2 "MMIO Device Register Layout"), version 2 */
#define VIRTIO_MMIO_BASE 0xFEB00000  /* qemu include/hw/i386/microvm.h VIRTIO_MMIO_BASE */
#define VIRTIO_MMIO_SIZE 0x200
#define VQ_NUM           16          /* entries per virtqueue (the device offers 128, as QEMU's balloon) */
#define VIO_MAGIC        0x000
#define VIO_VERSION      0x004
#define VIO_DEVICE_ID    0x008
#define VIO_DEV_FEAT     0x010
#define VIO_DEV_FEAT_SEL 0x014
#define VIO_DRV_FEAT     0x020
#define VIO_DRV_FEAT_SEL 0x024
#define VIO_QUEUE_SEL    0x030
#define VIO_QUEUE_NUM_MAX 0x034
#define VIO_QUEUE_NUM    0x038
#define VIO_QUEUE_READY  0x044
#define VIO_QUEUE_NOTIFY 0x050
#define VIO_INT_STATUS   0x060
#define VIO_INT_ACK      0x064
#define VIO_STATUS       0x070
#define VIO_QUEUE_DESC   0x080  /* low; high at +4 */
#define VIO_QUEUE_DRIVER 0x090
#define VIO_QUEUE_DEVICE 0x0A0
#define VIO_CONFIG_GEN   0x0FC
#define VIO_CFG_NUM_PAGES 0x100 /* struct virtio_balloon_config: le32 num_pages, le32 actual */
#define VIO_CFG_ACTUAL   0x104
#define VQ_AVAIL_OFF     0x100  /* inside a VQ_* page: descriptors at 0, avail ring here, used ring at VQ_USED_OFF */
#define VQ_USED_OFF      0x200
#define VQ_STATS_BUF_OFF 0x400  /* 8 packed {le16 tag; le64 val} entries, tags 0..7 (virtio 1.x 5.5.6.3) */
#define VQ_STATS_TAGS    8
#define BUF_DROPPED_OFF  0x1000 /* in vCPU 0's buffer: the region page of each PFN of the last batch, ~0 for a free frame */

/* system calls: UD2 from CPL3, service number in rax (entry.S isr_syscall) */
#define SYS_SET_CR3      1  /* rdi = cr3 */
#define SYS_INVLPG_LIST  2  /* rdi = count, rsi = list of GVAs */
#define SYS_SWITCH       3  /* rdi = count, rsi = nproc, rdx = current pid; rax = final pid */
#define SYS_SWITCH_PCID  5  /* as SYS_SWITCH, with CR4.PCIDE and CR3 = PML4 | (pid + 1) | bit 63 */
#define SYS_INVLPG_LIST_ALL 6  /* as SYS_INVLPG_LIST, then every PCID flushed (CR4.PCIDE off and on) */
#define SYS_OUT          4  /* rdi = port, rsi = value: OUT to the VMM */

/* GDT selectors */
#define KCODE_SEL  0x08
#define KDATA_SEL  0x10
#define UCODE_SEL  0x1B
#define UDATA_SEL  0x23
#define TSS_SEL0   0x28  /* vCPU i: TSS_SEL0 + 16 * i */

#endif
