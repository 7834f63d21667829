/*
 * One workload process (docs/agent-protocol.md, "Processes"): its own region of guest-virtual memory, as large as
 * the workload region, and what it wrote there for verify. Started by the coordinator as
 *   agent --worker INDEX REGION_BYTES PAGE_SHIFT      (fd 3: its socketpair end, fd 4: the shared memfd)
 * and driven one request at a time. Everything it needs besides the region and its page-state map is mapped and
 * locked before the first request, so an op's page faults are the op's own.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "agent.h"
#include "../patterns.h"

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23        /* linux include/uapi/asm-generic/mman-common.h (Linux 5.14) */
#endif

#define MAX_HOLES 4096                /* separate unmapped ranges a process can have */
#define MINCORE_CHUNK 65536           /* pages per mincore(2) call */

static int index_;                    /* this process's index: the pid of Patterns.touch */
static uint8_t *region;               /* 2 MiB-aligned, region_pages * 4 KiB */
static uint64_t region_pages;
static uint8_t *state;                /* per region page: 0 unwritten, 1 touch value at qword 0, 2 + k fill k */
static uint64_t written_lo = UINT64_MAX, written_hi;   /* pages [lo, hi) hold every non-zero state byte */
static struct { uint64_t kind, param; } fills[MAX_FILLS];
static int nfills;
static struct { uint64_t lo, hi; } holes[MAX_HOLES];   /* unmapped (PROT_NONE) page ranges, sorted, disjoint */
static int nholes;
static struct shared *shm;
static int mem_fd;                    /* /proc/self/mem: reads unmapped pages without mapping them */
static unsigned char residency[MINCORE_CHUNK];
static struct wresp resp;

static int fail(const char *what) {
    snprintf(resp.msg, sizeof resp.msg, "%s: %s", what, strerror(errno));
    return -1;
}

static void *page_addr(uint64_t page) {
    return region + (page << 12);
}

/* ---- unmapped ranges: mprotect(PROT_NONE) clears the PTEs' present bit and keeps the pages (mm/mprotect.c) ---- */

static int hole_find(uint64_t page) {          /* the hole holding page, or -1 */
    int lo = 0, hi = nholes;
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        if (holes[mid].hi <= page) lo = mid + 1; else hi = mid;
    }
    return lo < nholes && holes[lo].lo <= page ? lo : -1;
}

/* Makes [lo, hi) accessible again where it is unmapped; returns 0 or -1. */
static int holes_remove(uint64_t lo, uint64_t hi) {
    for (int i = 0; i < nholes; ) {
        uint64_t a = holes[i].lo > lo ? holes[i].lo : lo, b = holes[i].hi < hi ? holes[i].hi : hi;
        if (a >= b) { i++; continue; }
        if (mprotect(page_addr(a), (b - a) << 12, PROT_READ | PROT_WRITE) != 0) return fail("mprotect");
        if (holes[i].lo < a && holes[i].hi > b) {             /* split in two */
            if (nholes == MAX_HOLES) { snprintf(resp.msg, sizeof resp.msg, "more than %d unmapped ranges", MAX_HOLES); return -1; }
            memmove(&holes[i + 2], &holes[i + 1], (size_t) (nholes - i - 1) * sizeof holes[0]);
            holes[i + 1].lo = b;
            holes[i + 1].hi = holes[i].hi;
            holes[i].hi = a;
            nholes++;
            i += 2;
        } else if (holes[i].lo < a) {
            holes[i++].hi = a;
        } else if (holes[i].hi > b) {
            holes[i++].lo = b;
        } else {
            memmove(&holes[i], &holes[i + 1], (size_t) (nholes - i - 1) * sizeof holes[0]);
            nholes--;
        }
    }
    return 0;
}

static int holes_add(uint64_t lo, uint64_t hi) {
    if (holes_remove(lo, hi) != 0) return -1;               /* then [lo, hi) is disjoint from every hole */
    if (mprotect(page_addr(lo), (hi - lo) << 12, PROT_NONE) != 0) return fail("mprotect");
    int i = 0;
    while (i < nholes && holes[i].hi < lo) i++;
    int merge_prev = i < nholes && holes[i].hi == lo;
    int next = merge_prev ? i + 1 : i;
    int merge_next = next < nholes && holes[next].lo == hi;
    if (merge_prev && merge_next) {
        holes[i].hi = holes[next].hi;
        memmove(&holes[next], &holes[next + 1], (size_t) (nholes - next - 1) * sizeof holes[0]);
        nholes--;
    } else if (merge_prev) {
        holes[i].hi = hi;
    } else if (merge_next) {
        holes[next].lo = lo;
    } else {
        if (nholes == MAX_HOLES) { snprintf(resp.msg, sizeof resp.msg, "more than %d unmapped ranges", MAX_HOLES); return -1; }
        memmove(&holes[i + 1], &holes[i], (size_t) (nholes - i) * sizeof holes[0]);
        holes[i].lo = lo;
        holes[i].hi = hi;
        nholes++;
    }
    return 0;
}

/* ---- residency: which pages have a frame (mincore(2)), without touching them ---- */

/* Calls visit(page) for each page of [lo, hi) of base (a region or the state map) that has a frame. */
static int each_resident(uint8_t *base, uint64_t lo, uint64_t hi, void (*visit)(uint64_t page, void *arg), void *arg) {
    for (uint64_t from = lo; from < hi; from += MINCORE_CHUNK) {
        uint64_t n = hi - from < MINCORE_CHUNK ? hi - from : MINCORE_CHUNK;
        if (mincore(base + (from << 12), n << 12, residency) != 0) return fail("mincore");
        for (uint64_t i = 0; i < n; i++) if (residency[i] & 1) visit(from + i, arg);
    }
    return 0;
}

static void count_mapped(uint64_t page, void *arg) {           /* resident and not unmapped */
    if (hole_find(page) < 0) ++*(uint64_t *) arg;
}

static void count_unmapped(uint64_t page, void *arg) {         /* resident and unmapped */
    if (hole_find(page) >= 0) ++*(uint64_t *) arg;
}

static void count_any(uint64_t page, void *arg) {
    (void) page;
    ++*(uint64_t *) arg;
}

/* ---- the page-state map ---- */

static void mark(uint64_t lo, uint64_t hi, uint8_t value) {
    memset(state + lo, value, hi - lo);
    if (lo < written_lo) written_lo = lo;
    if (hi > written_hi) written_hi = hi;
}

static void clear_state_page(uint64_t state_page, void *arg) {  /* a state-map page with a frame */
    const uint64_t *range = arg;
    uint64_t lo = state_page << 12, hi = lo + PAGE_SIZE_4K;
    if (lo < range[0]) lo = range[0];
    if (hi > range[1]) hi = range[1];
    if (lo < hi) memset(state + lo, 0, hi - lo);
}

/* Forgets [lo, hi) without faulting in state-map pages that were never written. */
static int unmark(uint64_t lo, uint64_t hi) {
    if (lo < written_lo) lo = written_lo;
    if (hi > written_hi) hi = written_hi;
    if (lo >= hi) return 0;
    uint64_t range[2] = {lo, hi};
    return each_resident(state, lo >> 12, ((hi + PAGE_SIZE_4K - 1) >> 12), clear_state_page, range);
}

static int fill_state(uint64_t kind, uint64_t param) {
    for (int i = 0; i < nfills; i++) if (fills[i].kind == kind && fills[i].param == param) return 2 + i;
    if (nfills == MAX_FILLS) { snprintf(resp.msg, sizeof resp.msg, "verify tracks at most %d fill contents", MAX_FILLS); return -1; }
    fills[nfills].kind = kind;
    fills[nfills].param = param;
    return 2 + nfills++;
}

/* ---- ops ---- */

/* demand off: every page of [lo, hi) gets its frame before the op (MADV_POPULATE_WRITE: write faults, no access). */
static int populate(uint64_t lo, uint64_t hi) {
    if (madvise(page_addr(lo), (hi - lo) << 12, MADV_POPULATE_WRITE) == 0) return 0;
    if (errno != EINVAL) return fail("madvise(MADV_POPULATE_WRITE)");
    for (uint64_t p = lo; p < hi; p++) __atomic_fetch_add((uint64_t *) page_addr(p), 0, __ATOMIC_RELAXED);   /* before 5.14 */
    return 0;
}

static int prepare(uint64_t lo, uint64_t hi, int demand) {
    if (nholes && holes_remove(lo, hi) != 0) return -1;
    return demand ? 0 : populate(lo, hi);
}

static int touch(uint64_t lo, uint64_t hi, int demand) {
    if (prepare(lo, hi, demand) != 0) return -1;
    for (uint64_t p = lo; p < hi; p++) *(volatile uint64_t *) page_addr(p) = touch_value((unsigned long) index_, p);
    mark(lo, hi, 1);
    resp.r[0] = hi - lo;
    return 0;
}

static int read_pages(uint64_t lo, uint64_t hi, int demand) {
    if (prepare(lo, hi, demand) != 0) return -1;
    uint64_t sum = 0;
    for (uint64_t p = lo; p < hi; p++) sum ^= *(volatile uint64_t *) page_addr(p);
    resp.r[0] = hi - lo;
    resp.r[1] = sum;
    return 0;
}

static int fill(uint64_t lo, uint64_t hi, uint64_t kind, uint64_t param, int demand) {
    int s = fill_state(kind, param);
    if (s < 0 || prepare(lo, hi, demand) != 0) return -1;
    for (uint64_t p = lo; p < hi; p++) {
        volatile uint64_t *q = page_addr(p);
        for (unsigned long i = 0; i < 512; i++) q[i] = fill_value(kind, param, (unsigned long) index_, p, i);
    }
    mark(lo, hi, (uint8_t) s);
    resp.r[0] = hi - lo;
    return 0;
}

/* Entries page << 1 | write from the shared list: a write stores the touch value at qword 0. */
static int access_list(uint64_t count) {
    uint64_t sum = 0;
    for (uint64_t i = 0; i < count; i++) {
        uint64_t e = shm->access[i], page = e >> 1;
        if (page >= region_pages) {
            snprintf(resp.msg, sizeof resp.msg, "access %llu: page %llu is outside the region of %llu pages",
                    (unsigned long long) i, (unsigned long long) page, (unsigned long long) region_pages);
            return -1;
        }
        if (nholes && hole_find(page) >= 0 && holes_remove(page, page + 1) != 0) return -1;
        volatile uint64_t *q = page_addr(page);
        if (e & 1) {
            *q = touch_value((unsigned long) index_, page);
            if (state[page] != 1) mark(page, page + 1, 1);
        } else {
            sum ^= *q;
        }
    }
    resp.r[0] = count;
    resp.r[1] = sum;
    return 0;
}

static int unmap(uint64_t lo, uint64_t hi) {
    uint64_t mapped = 0;
    if (each_resident(region, lo, hi, count_mapped, &mapped) != 0 || holes_add(lo, hi) != 0) return -1;
    resp.r[0] = mapped;
    return 0;
}

static int remap(uint64_t lo, uint64_t hi) {
    uint64_t unmapped = 0;
    if (each_resident(region, lo, hi, count_unmapped, &unmapped) != 0 || holes_remove(lo, hi) != 0) return -1;
    resp.r[0] = unmapped;
    return 0;
}

/* free: the pages go back to the guest kernel (MADV_DONTNEED: next access gets a zeroed page, mm/madvise.c). */
static int free_pages(uint64_t lo, uint64_t hi) {
    uint64_t had = 0;
    if (each_resident(region, lo, hi, count_any, &had) != 0) return -1;
    if (nholes && holes_remove(lo, hi) != 0) return -1;
    if (madvise(page_addr(lo), (hi - lo) << 12, MADV_DONTNEED) != 0) return fail("madvise(MADV_DONTNEED)");
    if (unmark(lo, hi) != 0) return -1;
    resp.r[0] = had;
    return 0;
}

static int page_size(uint64_t shift) {
    int advice = shift == 21 ? MADV_HUGEPAGE : MADV_NOHUGEPAGE;
    if (madvise(region, region_pages << 12, advice) != 0) return fail("madvise(MADV_HUGEPAGE)");
    return 0;
}

static long futex(volatile int32_t *word, int op, int value) {
    return syscall(SYS_futex, word, op, value, NULL, NULL, 0);
}

/*
 * One member of the switch ring: wait for the token, pass it on to the next process (a context switch), until
 * the handoffs are used up; the process holding the token then is the running one. One process alone yields.
 */
static int switch_ring(uint64_t count) {
    int n = shm->nproc, me = index_;
    if (n == 1) {
        for (uint64_t i = 0; i < count; i++) sched_yield();
        shm->final = me;
        return 0;
    }
    for (;;) {
        int32_t t = __atomic_load_n(&shm->turn[me], __ATOMIC_ACQUIRE);
        if (t == 0) {
            futex(&shm->turn[me], FUTEX_WAIT, 0);
            continue;
        }
        if (t == 2) break;
        __atomic_store_n(&shm->turn[me], 0, __ATOMIC_RELAXED);
        if (shm->remaining == 0) {
            shm->final = me;
            for (int i = 0; i < n; i++) {
                if (i == me) continue;
                __atomic_store_n(&shm->turn[i], 2, __ATOMIC_RELEASE);
                futex(&shm->turn[i], FUTEX_WAKE, 1);
            }
            break;
        }
        shm->remaining--;
        int next = (me + 1) % n;
        __atomic_store_n(&shm->turn[next], 1, __ATOMIC_RELEASE);
        futex(&shm->turn[next], FUTEX_WAKE, 1);
    }
    return 0;
}

/* Reads qwords of a page without mapping it in: through /proc/self/mem for an unmapped (PROT_NONE) page. */
static int peek(uint64_t page, uint64_t *qwords, int count) {
    if (nholes == 0 || hole_find(page) < 0) {
        for (int i = 0; i < count; i++) qwords[i] = ((volatile uint64_t *) page_addr(page))[i];
        return 0;
    }
    ssize_t want = (ssize_t) (count * 8);
    return pread(mem_fd, qwords, (size_t) want, (off_t) (uintptr_t) page_addr(page)) == want ? 0 : fail("pread(/proc/self/mem)");
}

static uint64_t checked, mismatches;

static void verify_state_page(uint64_t state_page, void *arg) {
    (void) arg;
    static uint64_t q[512];
    uint64_t lo = state_page << 12, hi = lo + PAGE_SIZE_4K;
    if (lo < written_lo) lo = written_lo;
    if (hi > written_hi) hi = written_hi;
    for (uint64_t p = lo; p < hi; p++) {
        uint8_t s = state[p];
        if (!s) continue;
        checked++;
        int n = s == 1 ? 1 : 512;
        if (peek(p, q, n) != 0) { mismatches++; continue; }
        for (int i = 0; i < n; i++) {
            uint64_t want = s == 1 ? touch_value((unsigned long) index_, p)
                    : fill_value(fills[s - 2].kind, fills[s - 2].param, (unsigned long) index_, p, (unsigned long) i);
            if (q[i] == want) continue;
            if (mismatches++ == 0) {
                snprintf(resp.msg, sizeof resp.msg, "process %d region page %llu: qword %d is 0x%llx, expected 0x%llx",
                        index_, (unsigned long long) p, i, (unsigned long long) q[i], (unsigned long long) want);
            }
            break;
        }
    }
}

static int verify(void) {
    checked = mismatches = 0;
    if (written_lo < written_hi
            && each_resident(state, written_lo >> 12, (written_hi + PAGE_SIZE_4K - 1) >> 12, verify_state_page, NULL) != 0)
        return -1;
    resp.r[0] = checked;
    resp.r[1] = mismatches;
    return 0;
}

static int run(const struct wreq *q) {
    uint64_t lo = q->a[0] >> 12, hi = (q->a[0] + q->a[1]) >> 12;
    switch (q->op) {
    case W_TOUCH: return touch(lo, hi, q->demand);
    case W_READ: return read_pages(lo, hi, q->demand);
    case W_FILL: return fill(lo, hi, q->a[2], q->a[3], q->demand);
    case W_ACCESS: return access_list(q->a[0]);
    case W_POPULATE: return prepare(lo, hi, 0);
    case W_UNMAP: return unmap(lo, hi);
    case W_REMAP: return remap(lo, hi);
    case W_FREE: return free_pages(lo, hi);
    case W_PAGES: return page_size(q->a[0]);
    case W_SWITCH: return switch_ring(q->a[0]);
    case W_VERIFY: return verify();
    default:
        snprintf(resp.msg, sizeof resp.msg, "unknown worker op %d", q->op);
        return -1;
    }
}

/* Maps the region 2 MiB-aligned (so 2 MiB pages line up with region offsets) and the page-state map, unlocked. */
static int map_region(uint64_t bytes) {
    uint8_t *raw = mmap(NULL, bytes + HUGE_SIZE_2M, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (raw == MAP_FAILED) return fail("mmap(region)");
    uint8_t *aligned = (uint8_t *) (((uintptr_t) raw + HUGE_SIZE_2M - 1) & ~(HUGE_SIZE_2M - 1));
    if (aligned > raw) munmap(raw, (size_t) (aligned - raw));
    size_t tail = (size_t) (raw + bytes + HUGE_SIZE_2M - (aligned + bytes));
    if (tail) munmap(aligned + bytes, tail);
    region = aligned;
    region_pages = bytes >> 12;
    state = mmap(NULL, region_pages, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (state == MAP_FAILED) return fail("mmap(page-state map)");
    return 0;
}

/* Touches the stack it will use, so mlockall(MCL_CURRENT) maps it now rather than during an op. */
static void __attribute__((noinline)) grow_stack(void) {
    volatile char pad[128 * 1024];
    for (size_t i = 0; i < sizeof pad; i += PAGE_SIZE_4K) pad[i] = 0;
}

int worker_main(int argc, char **argv) {
    if (argc < 5) return 64;
    index_ = atoi(argv[2]);
    uint64_t bytes = strtoull(argv[3], NULL, 10);
    uint64_t shift = strtoull(argv[4], NULL, 10);
    int sock = 3;
    shm = mmap(NULL, sizeof *shm, PROT_READ | PROT_WRITE, MAP_SHARED, 4, 0);
    mem_fd = open("/proc/self/mem", O_RDONLY | O_CLOEXEC);
    memset(&resp, 0, sizeof resp);
    if (shm == MAP_FAILED) resp.status = fail("mmap(shared)");
    else if (mem_fd < 0) resp.status = fail("open(/proc/self/mem)");
    grow_stack();
    mlockall(MCL_CURRENT);                       /* best effort: without it (no CAP_IPC_LOCK) ops fault a little more */
    if (resp.status == 0) resp.status = map_region(bytes);
    if (resp.status == 0 && shift == 21) resp.status = page_size(21);
    if (send(sock, &resp, sizeof resp, 0) < 0 || resp.status != 0) return 1;   /* the hello: set up, or why not */
    for (;;) {
        struct wreq q;
        ssize_t r = recv(sock, &q, sizeof q, 0);
        if (r == 0) return 0;                    /* the coordinator is gone */
        if (r != (ssize_t) sizeof q) return 1;
        memset(&resp, 0, sizeof resp);
        resp.status = run(&q);
        if (send(sock, &resp, sizeof resp, 0) < 0) return 1;
    }
}
