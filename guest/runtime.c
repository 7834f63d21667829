/*
 * The memvirt guest runtime: a tiny x86-64 "kernel" whose workload code runs at CPL3.
 *
 * Model (docs/guest-model.md): one guest frame allocator over guest RAM above 2 MiB, 4-level page tables per
 * process, a workload region at REGION_GVA. The VMM writes one op into this vCPU's mailbox, resumes the vCPU, and the
 * runtime OUTs PORT_DONE when the op is finished.
 *
 * The trick that keeps this fast on hosts where CPL0 is emulated: the VMM's identity map of guest RAM is
 * user-accessible and writable, so CPL3 code edits page tables itself (prefault, unmap, remap, new processes).
 * Only OUT, INVLPG, MOV CR3 and MOV CR4 (UD2 system calls, entry.S) and the #PF handler (demand paging) run at CPL0.
 */
#include "layout.h"
#include "patterns.h"

typedef unsigned long u64;
typedef unsigned int u32;
typedef unsigned short u16;

#define PTE_P      1UL
#define PTE_USER   7UL                     /* present, writable, user (SDM Vol 3A 4.5, Table 4-19) */
#define ADDR_MASK  0x000FFFFFFFFFF000UL    /* bits 51:12 */
#define PAGE       4096UL


struct shared {
    u64 lock, demand, next, region, nregions;
    struct { u64 start, end; } ram[2];
    u64 frames, tables, region_max, nproc;
    u64 free_top, balloon, stack, stack_cap;
    u64 pad[15];
    u64 cr3[MAX_PROCS];
};
_Static_assert(__builtin_offsetof(struct shared, ram) == SH_START0, "SH_START0");
_Static_assert(__builtin_offsetof(struct shared, frames) == SH_FRAMES, "SH_FRAMES");
_Static_assert(__builtin_offsetof(struct shared, nproc) == SH_NPROC, "SH_NPROC");
_Static_assert(__builtin_offsetof(struct shared, cr3) == SH_CR3, "SH_CR3");
_Static_assert(__builtin_offsetof(struct shared, free_top) == SH_FREE_TOP, "SH_FREE_TOP");
_Static_assert(__builtin_offsetof(struct shared, stack_cap) == SH_STACK_CAP, "SH_STACK_CAP");

struct mbox {
    u64 op, a0, a1, a2, a3, flush, a5, cr3, pid, r0, r1, r2, r3, vector, error, rip, cr2, loaded;
};
_Static_assert(__builtin_offsetof(struct mbox, flush) == MB_FLUSH, "MB_FLUSH");
_Static_assert(__builtin_offsetof(struct mbox, cr3) == MB_CR3, "MB_CR3");
_Static_assert(__builtin_offsetof(struct mbox, r0) == MB_R0, "MB_R0");
_Static_assert(__builtin_offsetof(struct mbox, vector) == MB_VECTOR, "MB_VECTOR");
_Static_assert(__builtin_offsetof(struct mbox, loaded) == MB_LOADED, "MB_LOADED");

#define SH        ((volatile struct shared *) SHARED_BASE)
#define MBOX(cpu) ((volatile struct mbox *) (MBOX_BASE + (cpu) * MBOX_SIZE))
#define BUF(cpu)  ((u64 *) (BUF_BASE + (cpu) * BUF_SIZE))
#define BUF_ENTRIES (BUF_SIZE / 8)

/* ---- descriptor tables (loaded by entry.S) ---- */
struct tss { u32 reserved0; u64 rsp[3]; u64 reserved1; u64 ist[7]; u64 reserved2; u16 reserved3, iomap; }
        __attribute__((packed));
_Static_assert(sizeof(struct tss) == 104, "tss");

u64 gdt[5 + 2 * MAX_VCPUS] __attribute__((aligned(16))) = {
    0,
    0x00AF9A000000FFFFUL,   /* 0x08 kernel code, 64-bit */
    0x00CF92000000FFFFUL,   /* 0x10 kernel data */
    0x00AFFA000000FFFFUL,   /* 0x18 user code, 64-bit, DPL 3 */
    0x00CFF2000000FFFFUL,   /* 0x20 user data, DPL 3 */
};
u64 idt[2 * 256] __attribute__((aligned(16)));
struct tss tss[MAX_VCPUS] __attribute__((aligned(16)));

extern const u64 fatal_stubs[22];
extern char isr_pf[], isr_syscall[];

static void set_gate(int vector, u64 handler, u64 dpl) {
    idt[2 * vector] = (handler & 0xFFFF) | ((u64) KCODE_SEL << 16) | ((0x8EUL | (dpl << 5)) << 40)
            | ((handler >> 16) & 0xFFFF) << 48;
    idt[2 * vector + 1] = handler >> 32;
}

/* vCPU 0, CPL0, once: the IDT and one TSS per vCPU. Short: this code may be emulated instruction by instruction. */
void boot_tables(void) {
    for (int v = 0; v < 22; v++) set_gate(v, fatal_stubs[v], 0);
    set_gate(6, (u64) isr_syscall, 0);
    set_gate(14, (u64) isr_pf, 0);
    for (int cpu = 0; cpu < MAX_VCPUS; cpu++) {
        u64 base = (u64) &tss[cpu];
        tss[cpu].rsp[0] = KSTACK_BASE + (cpu + 1) * KSTACK_SIZE;
        tss[cpu].iomap = sizeof(struct tss);
        gdt[5 + 2 * cpu] = (sizeof(struct tss) - 1) | (base & 0xFFFFFF) << 16 | 0x89UL << 40
                | ((base >> 24) & 0xFF) << 56;
        gdt[6 + 2 * cpu] = base >> 32;
    }
}

/* ---- services ---- */
static inline u64 sys3(u64 nr, u64 a, u64 b, u64 c) {
    __asm__ volatile("ud2" : "+a"(nr), "+D"(a), "+S"(b), "+d"(c) : : "memory");
    return nr;
}

/*
 * Reports to the VMM with OUT. PVM hosts run guest user mode without IOPL or the TSS I/O bitmap (an OUT at CPL3
 * raises #GP even with IOPL 3), so the OUT itself is a CPL0 service; it works the same at CPL0 and CPL3.
 */
static inline void outl(u64 port, u64 value) {
    sys3(SYS_OUT, port, value, 0);
}

/* OUT from CPL0 code (KVM's emulator cannot run INT n or UD2 system calls in long mode). */
static inline void outl_cpl0(u16 port, u32 value) {
    __asm__ volatile("outl %0, %1" : : "a"(value), "Nd"(port) : "memory");
}

/* ---- the frame allocator and page tables (callable at CPL3 and CPL0) ---- */
static void lock(void) {
    while (__atomic_exchange_n(&SH->lock, 1, __ATOMIC_ACQUIRE))
        while (__atomic_load_n(&SH->lock, __ATOMIC_RELAXED)) { }
}

static void unlock(void) {
    __atomic_store_n(&SH->lock, 0, __ATOMIC_RELEASE);
}

#define STACK ((volatile u32 *) SH->stack)

/* A frame never handed out before (zero: guest RAM starts zeroed), or 0 when there is none left. Lock held. */
static u64 unused_frame_locked(void) {
    u64 f = SH->next;
    while (f >= SH->ram[SH->region].end) {
        if (SH->region + 1 >= SH->nregions) return 0;
        SH->region++;
        f = SH->ram[SH->region].start;
    }
    SH->next = f + PAGE;
    return f;
}

/* The free stack first (LIFO: the frame the balloon gave back last), then never-used frames. 0: no RAM. Lock held. */
static u64 alloc_frame_locked(void) {
    u64 f = SH->free_top ? (u64) STACK[--SH->free_top] << 12 : unused_frame_locked();
    if (f) SH->frames++;
    return f;
}

/* The PTE of va, allocating missing PDPT, PD and PT pages in walk order when alloc. 0: missing (or out of RAM). */
static volatile u64 *walk(u64 pml4, u64 va, int alloc) {
    volatile u64 *t = (volatile u64 *) pml4;
    for (int shift = 39; shift > 12; shift -= 9) {
        volatile u64 *e = &t[(va >> shift) & 511];
        u64 v = *e;
        if (!(v & PTE_P)) {
            if (!alloc) return 0;
            lock();
            v = *e;
            if (!(v & PTE_P)) {
                u64 f = alloc_frame_locked();
                if (!f) { unlock(); return 0; }
                SH->tables++;
                v = f | PTE_USER;
                *e = v;
            }
            unlock();
        }
        t = (volatile u64 *) (v & ADDR_MASK);
    }
    return &t[(va >> 12) & 511];
}

/* Map va: reuse the frame an unmap left in the PTE, else take a new one. 1 mapped, 0 already present, -1 no RAM. */
static int map_page(u64 pml4, u64 va) {
    volatile u64 *pte = walk(pml4, va, 1);
    if (!pte) return -1;
    if (*pte & PTE_P) return 0;
    lock();
    u64 v = *pte;
    if (!(v & PTE_P)) {
        if (v & ADDR_MASK) {
            v |= PTE_P;
        } else {
            u64 f = alloc_frame_locked();
            if (!f) { unlock(); return -1; }
            v = f | PTE_USER;
        }
        *pte = v;
    }
    unlock();
    return 1;
}

/* ---- fatal errors ---- */
static void report_fatal(int cpl0, u64 cpu, u64 vector, u64 error, u64 rip, u64 cr2) {
    volatile struct mbox *m = MBOX(cpu);
    m->vector = vector;
    m->error = error;
    m->rip = rip;
    m->cr2 = cr2;
    for (;;) {
        if (cpl0) outl_cpl0(PORT_FATAL, (u32) vector); else outl(PORT_FATAL, vector);
    }
}

static inline u64 read_cr2(void) { u64 v; __asm__ volatile("mov %%cr2, %0" : "=r"(v)); return v; }
static inline u64 read_cr3(void) { u64 v; __asm__ volatile("mov %%cr3, %0" : "=r"(v)); return v; }
static inline u64 cpu_of_kstack(const void *sp) { return ((u64) sp - KSTACK_BASE) / KSTACK_SIZE; }

/* CPL0. frame: [vector, error, rip, cs, rflags, rsp, ss] */
void fatal_trap(u64 *frame) {
    MBOX(cpu_of_kstack(frame))->r1 = frame[4];   /* RFLAGS at the fault, for the diagnosis */
    report_fatal(1, cpu_of_kstack(frame), frame[0], frame[1], frame[2], frame[0] == 14 ? read_cr2() : 0);
}

/* CPL0 #PF handler. regs: r11..rax (9), then error code, rip, cs, rflags, rsp, ss. Demand paging only. */
void page_fault(u64 *regs) {
    u64 cr2 = read_cr2(), err = regs[9];
    if (!(err & 1) && SH->demand && cr2 >= REGION_GVA && cr2 - REGION_GVA < SH->region_max) {
        int r = map_page(read_cr3() & ADDR_MASK, cr2 & ~(PAGE - 1));
        if (r >= 0) return;
        report_fatal(1, cpu_of_kstack(regs), VEC_OOM, 0, regs[10], cr2);
    }
    report_fatal(1, cpu_of_kstack(regs), 14, err, regs[10], cr2);
}

/* ---- ops, CPL3 ---- */
/* Set on a vCPU once it has set CR4.PCIDE (its first switch ... pcid): from then on INVLPG reaches its current PCID only. */
static u32 pcide[MAX_VCPUS];

static inline u64 sys_invlpg(u64 cpu) { return pcide[cpu] ? SYS_INVLPG_LIST_ALL : SYS_INVLPG_LIST; }

static void prefault(u64 cpu, u64 pml4, u64 start, u64 end) {
    for (u64 va = start; va < end; va += PAGE)
        if (map_page(pml4, va) < 0) report_fatal(0, cpu, VEC_OOM, 0, 0, va);
}

static u64 unmap(u64 cpu, u64 pml4, u64 start, u64 end) {
    u64 *list = BUF(cpu), n = 0, total = 0;
    for (u64 va = start; va < end; va += PAGE) {
        volatile u64 *pte = walk(pml4, va, 0);
        if (!pte || !(*pte & PTE_P)) continue;
        *pte &= ~PTE_P;
        list[n++] = va;
        if (n == BUF_ENTRIES) { sys3(sys_invlpg(cpu), n, (u64) list, 0); total += n; n = 0; }
    }
    if (n) sys3(sys_invlpg(cpu), n, (u64) list, 0);
    return total + n;
}

static u64 remap(u64 pml4, u64 start, u64 end) {
    u64 count = 0;
    for (u64 va = start; va < end; va += PAGE) {
        volatile u64 *pte = walk(pml4, va, 0);
        if (!pte || (*pte & PTE_P) || !(*pte & ADDR_MASK)) continue;
        *pte |= PTE_P;
        count++;
    }
    return count;
}

/* Half of the vCPU's buffer holds the GVAs to INVLPG, the other half the frames they held. */
#define FREE_BATCH (BUF_ENTRIES / 2)

/* The INVLPGs first, then the frames on the free stack: no stale translation may reach a frame handed out again. */
static void free_flush(u64 cpu, u64 *gvas, u64 ng, const u64 *frames, u64 nf) {
    if (ng) sys3(sys_invlpg(cpu), ng, (u64) gvas, 0);
    lock();
    for (u64 i = 0; i < nf; i++) STACK[SH->free_top++] = (u32) (frames[i] >> 12);
    SH->frames -= nf;
    unlock();
}

/*
 * free: every page of the range that holds a frame (present, or unmapped with its frame kept) gets its PTE cleared
 * and its frame pushed on the free stack (LIFO, so the highest page freed is handed out first); present pages are
 * INVLPGed. Page-table pages stay. Returns the pages freed.
 */
static u64 free_pages(u64 cpu, u64 pml4, u64 start, u64 end) {
    u64 *gvas = BUF(cpu), *frames = gvas + FREE_BATCH, ng = 0, nf = 0, total = 0;
    for (u64 va = start; va < end; va += PAGE) {
        volatile u64 *pte = walk(pml4, va, 0);
        if (!pte || !(*pte & ADDR_MASK)) continue;
        u64 v = *pte;
        *pte = 0;
        if (v & PTE_P) gvas[ng++] = va;
        frames[nf++] = v & ADDR_MASK;
        if (nf == FREE_BATCH) { free_flush(cpu, gvas, ng, frames, nf); total += nf; ng = nf = 0; }
    }
    free_flush(cpu, gvas, ng, frames, nf);
    return total + nf;
}

static void processes(u64 cpu, u64 count) {
    for (u64 p = SH->nproc; p < count; p++) {
        lock();
        u64 f = alloc_frame_locked();
        if (f) SH->tables++;
        unlock();
        if (!f) report_fatal(0, cpu, VEC_OOM, 0, 0, 0);
        volatile u64 *dst = (volatile u64 *) f, *src = (volatile u64 *) PML4_PROC0;
        for (int i = 0; i < 512; i++) if (i != 2) dst[i] = src[i];   /* the kernel half is shared; 2 = the region */
        SH->cr3[p] = f;
    }
    SH->nproc = count;
}

/* ---- the virtio-balloon driver (virtio-mmio transport, split virtqueues; docs/overcommit-kvm.md) ---- */
#define VIO(off) (*(volatile u32 *) (VIRTIO_MMIO_BASE + (off)))
#define STATUS_ACK 1
#define STATUS_DRIVER 2
#define STATUS_DRIVER_OK 4
#define STATUS_FEATURES_OK 8

struct vq_desc { u64 addr; u32 len; u16 flags; u16 next; };
struct vq_avail { u16 flags, idx, ring[VQ_NUM]; };
struct vq_used { u16 flags, idx; struct { u32 id, len; } ring[VQ_NUM]; };

static void queue_setup(u64 q, u64 page) {
    VIO(VIO_QUEUE_SEL) = (u32) q;
    VIO(VIO_QUEUE_NUM) = VQ_NUM;
    VIO(VIO_QUEUE_DESC) = (u32) page;
    VIO(VIO_QUEUE_DESC + 4) = 0;
    VIO(VIO_QUEUE_DRIVER) = (u32) (page + VQ_AVAIL_OFF);
    VIO(VIO_QUEUE_DRIVER + 4) = 0;
    VIO(VIO_QUEUE_DEVICE) = (u32) (page + VQ_USED_OFF);
    VIO(VIO_QUEUE_DEVICE + 4) = 0;
    VIO(VIO_QUEUE_READY) = 1;
}

static void put_buffer(u64 page, u64 q, u64 addr, u32 len);

/* Free frames: the free stack plus frames never handed out. */
static u64 free_frames(void) {
    u64 n = SH->free_top;
    for (u64 r = SH->region; r < SH->nregions; r++) {
        u64 from = r == SH->region ? SH->next : SH->ram[r].start;
        if (SH->ram[r].end > from) n += (SH->ram[r].end - from) / PAGE;
    }
    return n;
}

/* Fills the stats buffer (tags 0..7: swap in/out, major/minor faults, free, total, available, caches) and gives it. */
static void stats_give(void) {
    volatile unsigned char *e = (volatile unsigned char *) (VQ_STATS + VQ_STATS_BUF_OFF);
    u64 free = free_frames() * PAGE;
    u64 vals[VQ_STATS_TAGS] = { 0, 0, 0, 0, free, (SH->stack_cap - SH->balloon) * PAGE, free, 0 };
    for (u64 t = 0; t < VQ_STATS_TAGS; t++, e += 10) {
        *(volatile u16 *) e = (u16) t;
        *(volatile u64 *) (e + 2) = vals[t];   /* packed: the qword is unaligned, as the spec lays it out */
    }
    put_buffer(VQ_STATS, 2, VQ_STATS + VQ_STATS_BUF_OFF, VQ_STATS_TAGS * 10);
}

/* virtio 1.x 3.1.1 driver initialization: reset, ACKNOWLEDGE, DRIVER, features (VERSION_1), FEATURES_OK, queues, DRIVER_OK. */
static int balloon_probe(void) {
    static int ready;   /* 0 not yet, 1 ready, 2 ready with a statistics queue */
    if (ready) return ready;
    if (VIO(VIO_MAGIC) != 0x74726976 || VIO(VIO_VERSION) != 2 || VIO(VIO_DEVICE_ID) != 5) return 0;
    VIO(VIO_STATUS) = 0;
    VIO(VIO_STATUS) = STATUS_ACK;
    VIO(VIO_STATUS) = STATUS_ACK | STATUS_DRIVER;
    VIO(VIO_DEV_FEAT_SEL) = 0;
    u32 low = VIO(VIO_DEV_FEAT) & 3;            /* MUST_TELL_HOST (bit 0, honoured) and STATS_VQ (bit 1) */
    VIO(VIO_DRV_FEAT_SEL) = 0;
    VIO(VIO_DRV_FEAT) = low;
    VIO(VIO_DRV_FEAT_SEL) = 1;
    VIO(VIO_DRV_FEAT) = 1;                      /* VIRTIO_F_VERSION_1 (bit 32) */
    VIO(VIO_STATUS) = STATUS_ACK | STATUS_DRIVER | STATUS_FEATURES_OK;
    if (!(VIO(VIO_STATUS) & STATUS_FEATURES_OK)) return 0;
    queue_setup(0, VQ_INFLATE);
    queue_setup(1, VQ_DEFLATE);
    if (low & 2) queue_setup(2, VQ_STATS);
    VIO(VIO_STATUS) = STATUS_ACK | STATUS_DRIVER | STATUS_FEATURES_OK | STATUS_DRIVER_OK;
    ready = 1 + (low & 2 ? 1 : 0);
    return ready;
}

/*
 * tell_host: one buffer (an array of le32 PFNs) on queue q, notify, and wait until the device has used it. The
 * device here completes the buffer while handling the notify exit, so the used index has moved when the write returns.
 */
static void put_buffer(u64 page, u64 q, u64 addr, u32 len) {
    volatile struct vq_desc *d = (volatile struct vq_desc *) page;
    volatile struct vq_avail *a = (volatile struct vq_avail *) (page + VQ_AVAIL_OFF);
    u16 idx = a->idx;
    volatile struct vq_desc *e = &d[idx % VQ_NUM];
    e->addr = addr;
    e->len = len;
    e->flags = 0;
    e->next = 0;
    a->ring[idx % VQ_NUM] = (u16) (idx % VQ_NUM);
    __atomic_store_n(&a->idx, (u16) (idx + 1), __ATOMIC_RELEASE);
    VIO(VIO_QUEUE_NOTIFY) = (u32) q;
}

static void tell_host(u64 q, u32 *pfns, u64 n) {
    u64 page = q ? VQ_DEFLATE : VQ_INFLATE;
    volatile struct vq_used *u = (volatile struct vq_used *) (page + VQ_USED_OFF);
    u16 used = u->idx;
    put_buffer(page, q, (u64) pfns, (u32) (n * 4));
    while (__atomic_load_n(&u->idx, __ATOMIC_ACQUIRE) == used) { }
}

struct batch { u32 *pfns; u64 *dropped, *gvas, n, ng, cpu; };

/* Hands an inflate batch to the device: INVLPG the reclaimed GVAs first (no stale translation may reach a discarded frame). */
static void inflate_flush(struct batch *b) {
    if (b->ng) sys3(sys_invlpg(b->cpu), b->ng, (u64) b->gvas, 0);
    if (b->n) tell_host(0, b->pfns, b->n);
    VIO(VIO_CFG_ACTUAL) = (u32) SH->balloon;
    b->n = b->ng = 0;
}

/* The highest region page below *scan that holds a frame (present or unmapped): its PTE, or 0. */
static volatile u64 *reclaim_candidate(u64 pml4, u64 *scan) {
    while (*scan) {
        *scan -= PAGE;
        volatile u64 *pte = walk(pml4, REGION_GVA + *scan, 0);
        if (pte && (*pte & ADDR_MASK)) return pte;
    }
    return 0;
}

/*
 * fill_balloon: takes free frames (free stack, then never-used frames); when the guest has none left it reclaims
 * the running process's region pages from the top down (their content is dropped). Stops short of the target when
 * nothing is left ("Out of puff!"). Returns 'actual'.
 */
static u64 balloon_inflate(struct batch *b, u64 pml4, u64 target) {
    u64 scan = SH->region_max;
    while (SH->balloon < target) {
        u64 page = ~0UL;
        lock();
        u64 f = SH->free_top ? (u64) STACK[--SH->free_top] << 12 : unused_frame_locked();
        unlock();
        if (!f) {
            volatile u64 *pte = reclaim_candidate(pml4, &scan);
            if (!pte) break;
            f = *pte & ADDR_MASK;
            *pte = 0;
            page = scan >> 12;
            b->gvas[b->ng++] = REGION_GVA + scan;
            lock();
            SH->frames--;
            unlock();
        }
        STACK[SH->stack_cap - 1 - SH->balloon] = (u32) (f >> 12);
        SH->balloon++;
        b->pfns[b->n] = (u32) (f >> 12);
        b->dropped[b->n] = page;
        if (++b->n == BALLOON_BATCH) inflate_flush(b);
    }
    inflate_flush(b);
    return SH->balloon;
}

/* Tells the device about a deflate batch, then pushes its frames on the free stack (MUST_TELL_HOST order). */
static void deflate_flush(struct batch *b) {
    if (b->n) {
        tell_host(1, b->pfns, b->n);
        lock();
        for (u64 i = 0; i < b->n; i++) STACK[SH->free_top++] = b->pfns[i];
        unlock();
    }
    VIO(VIO_CFG_ACTUAL) = (u32) SH->balloon;
    b->n = 0;
}

/* leak_balloon: the most recently ballooned pages first. Returns 'actual'. */
static u64 balloon_deflate(struct batch *b, u64 target) {
    while (SH->balloon > target) {
        b->pfns[b->n] = STACK[SH->stack_cap - SH->balloon];
        b->dropped[b->n] = ~0UL;
        SH->balloon--;
        if (++b->n == BALLOON_BATCH) deflate_flush(b);
    }
    deflate_flush(b);
    return SH->balloon;
}

/* update_balloon_size: reads num_pages from the device's config and moves toward it; ~0 when there is no device. */
static u64 balloon_update(u64 cpu, u64 pml4) {
    if (!balloon_probe()) return ~0UL;
    u64 *buf = BUF(cpu);
    struct batch b = { (u32 *) buf, buf + BUF_DROPPED_OFF / 8, buf + 2 * BUF_DROPPED_OFF / 8, 0, 0, cpu };
    u64 target = VIO(VIO_CFG_NUM_PAGES);
    u64 actual = target > SH->balloon ? balloon_inflate(&b, pml4, target) : balloon_deflate(&b, target);
    /* the initial stats buffer (virtio 1.x 5.5.6.3), then a refill whenever the device has used it (stats_request) */
    static u16 stats_seen;
    static int stats_given;
    volatile struct vq_used *su = (volatile struct vq_used *) (VQ_STATS + VQ_USED_OFF);
    if (balloon_probe() == 2 && (!stats_given || su->idx != stats_seen)) {
        stats_given = 1;
        stats_seen = su->idx;
        stats_give();
    }
    return actual;
}

static void run_op(u64 cpu, volatile struct mbox *m) {
    if (m->flush) {   /* another vCPU freed frames this one may still translate to (there are no shootdown IPIs) */
        m->flush = 0;
        if (pcide[cpu]) sys3(SYS_INVLPG_LIST_ALL, 0, 0, 0);   /* every PCID */
        else m->loaded = ~0UL;                                /* the CR3 load below flushes PCID 0 */
    }
    if (m->cr3 != m->loaded) {
        sys3(SYS_SET_CR3, m->cr3, 0, 0);
        m->loaded = m->cr3;
    }
    u64 op = m->op, pml4 = m->cr3 & ADDR_MASK, pid = m->pid;
    u64 start = REGION_GVA + m->a0, end = start + m->a1;
    if ((op == OP_TOUCH || op == OP_READ || op == OP_FILL || op == OP_PREFAULT) && !SH->demand)
        prefault(cpu, pml4, start, end);
    switch (op) {
    case OP_TOUCH:
        for (u64 va = start; va < end; va += PAGE) *(volatile u64 *) va = touch_value(pid, (va - REGION_GVA) >> 12);
        break;
    case OP_READ: {
        u64 sink = 0;
        for (u64 va = start; va < end; va += PAGE) sink ^= *(volatile u64 *) va;
        m->r0 = sink;
        break;
    }
    case OP_FILL: {
        u64 kind = m->a2, param = m->a3;
        for (u64 va = start; va < end; va += PAGE) {
            u64 page = (va - REGION_GVA) >> 12;
            volatile u64 *p = (volatile u64 *) va;
            for (u64 q = 0; q < 512; q++) p[q] = fill_value(kind, param, pid, page, q);
        }
        break;
    }
    case OP_RANDOM: {
        const u64 *buf = BUF(cpu);
        u64 n = m->a1, sink = 0;
        for (u64 i = 0; i < n; i++) {
            u64 e = buf[i], page = e >> 1;
            volatile u64 *p = (volatile u64 *) (REGION_GVA + page * PAGE);
            if (e & 1) *p = touch_value(pid, page); else sink ^= *p;
        }
        m->r0 = sink;
        break;
    }
    case OP_PROCESSES: processes(cpu, m->a0); break;
    case OP_SWITCH:
        if (m->a1) pcide[cpu] = 1;
        m->r0 = sys3(m->a1 ? SYS_SWITCH_PCID : SYS_SWITCH, m->a0, SH->nproc, pid);
        m->loaded = SH->cr3[m->r0];
        break;
    case OP_UNMAP: m->r0 = unmap(cpu, pml4, start, end); break;
    case OP_REMAP: m->r0 = remap(pml4, start, end); break;
    case OP_FREE: m->r0 = free_pages(cpu, pml4, start, end); break;
    case OP_BALLOON: m->r0 = balloon_update(cpu, pml4); break;
    default: break;
    }
}

/* CPL3 main loop: report ready, then one op per resume. */
void umain(u64 cpu) {
    volatile struct mbox *m = MBOX(cpu);
    outl(PORT_READY, (u32) cpu);
    for (;;) {
        run_op(cpu, m);
        outl(PORT_DONE, (u32) cpu);
    }
}

/* gcc may emit calls to these even with -ffreestanding. */
void *memset(void *d, int c, unsigned long n) { char *p = d; while (n--) *p++ = (char) c; return d; }
void *memcpy(void *d, const void *s, unsigned long n) { char *p = d; const char *q = s; while (n--) *p++ = *q++; return d; }
