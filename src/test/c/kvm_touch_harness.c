/*
 * Baseline for docs/PERFORMANCE.md (kvm engine): the smallest C VMM that boots the same guest runtime
 * (target/classes/guest/runtime.bin) exactly as the Java engine does and times the same guest ops.
 * Built and run by scripts/bench-kvm. Usage: kvm_touch_harness RUNTIME_BIN RAM_MIB TOUCH_MIB
 * Prints key=value lines: ready_epoch_ns, setup_ns, first_touch_ns, retouch_ns (median of 9), vmm_rss_kb, guest_rss_kb.
 */
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include "layout.h"

#define RETOUCHES 9

static uint8_t *ram;
static int vcpu;
static struct kvm_run *run;

static void die(const char *what) { perror(what); exit(1); }
static uint64_t now(clockid_t c) { struct timespec t; clock_gettime(c, &t); return t.tv_sec * 1000000000ULL + t.tv_nsec; }
static void put(uint64_t gpa, uint64_t v) { memcpy(ram + gpa, &v, 8); }

static void run_to_done(void) {
    for (;;) {
        if (ioctl(vcpu, KVM_RUN, 0) < 0) die("KVM_RUN");
        if (run->exit_reason == KVM_EXIT_IO && (run->io.port == PORT_DONE || run->io.port == PORT_READY)) return;
        fprintf(stderr, "unexpected exit %u port 0x%x\n", run->exit_reason, run->io.port);
        exit(2);
    }
}

static long smaps_rss_kb(uintptr_t start) {
    FILE *f = fopen("/proc/self/smaps", "r");
    char line[512];
    int inside = 0;
    long kb = 0;
    while (f && fgets(line, sizeof line, f)) {
        uintptr_t a;
        if (sscanf(line, "%lx-", &a) == 1 && strchr(line, ' ') > strchr(line, '-') && !strstr(line, " kB")) {
            if (inside) break;
            inside = a == start;
        } else if (inside && sscanf(line, "Rss: %ld", &kb) == 1) {
        }
    }
    if (f) fclose(f);
    return kb;
}

static long status_kb(const char *field) {
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kb = 0;
    while (f && fgets(line, sizeof line, f)) if (!strncmp(line, field, strlen(field))) sscanf(line + strlen(field), "%ld", &kb);
    if (f) fclose(f);
    return kb;
}

static int cmp(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *) a, y = *(const uint64_t *) b;
    return x < y ? -1 : x > y;
}

static void touch(uint64_t bytes) {
    put(MBOX_BASE + MB_OP, OP_TOUCH);
    put(MBOX_BASE + MB_A0, 0);
    put(MBOX_BASE + MB_A1, bytes);
    run_to_done();
}

int main(int argc, char **argv) {
    if (argc != 4) { fprintf(stderr, "usage: %s RUNTIME_BIN RAM_MIB TOUCH_MIB\n", argv[0]); return 1; }
    uint64_t size = strtoull(argv[2], 0, 10) << 20, touch_bytes = strtoull(argv[3], 0, 10) << 20;
    uint64_t t0 = now(CLOCK_MONOTONIC);
    int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
    if (kvm < 0) die("/dev/kvm");
    int vm = ioctl(kvm, KVM_CREATE_VM, 0);
    if (vm < 0) die("KVM_CREATE_VM");
    ram = mmap(0, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (ram == MAP_FAILED) die("mmap");
    madvise(ram, size, MADV_MERGEABLE);
    struct kvm_userspace_memory_region slot = {0, 0, 0, size, (uintptr_t) ram};
    if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &slot) < 0) die("KVM_SET_USER_MEMORY_REGION");
    FILE *bin = fopen(argv[1], "rb");
    if (!bin) die(argv[1]);
    fread(ram + IMAGE_BASE, 1, IMAGE_LIMIT - IMAGE_BASE, bin);
    fclose(bin);
    uint64_t big = (size + (2 << 20) - 1) >> 21;                 /* identity map, 2 MiB pages, user */
    put(PML4_PROC0, IDMAP_PDPT | 7);
    for (uint64_t i = 0; i < (big + 511) / 512; i++) put(IDMAP_PDPT + 8 * i, (IDMAP_PD + 4096 * i) | 7);
    for (uint64_t j = 0; j < big; j++) put(IDMAP_PD + 8 * j, (j << 21) | 0x87);
    put(SHARED_BASE + SH_NREGIONS, 1);
    put(SHARED_BASE + SH_START0, RUNTIME_END);
    put(SHARED_BASE + SH_END0, size);
    put(SHARED_BASE + SH_NEXT, RUNTIME_END);
    put(SHARED_BASE + SH_REGION_MAX, size);
    put(SHARED_BASE + SH_NPROC, 1);
    put(SHARED_BASE + SH_CR3, PML4_PROC0);
    put(MBOX_BASE + MB_CR3, PML4_PROC0);
    put(MBOX_BASE + MB_LOADED, PML4_PROC0);
    vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
    if (vcpu < 0) die("KVM_CREATE_VCPU");
    run = mmap(0, ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0), PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
    struct kvm_sregs s;
    if (ioctl(vcpu, KVM_GET_SREGS, &s) < 0) die("KVM_GET_SREGS");
    struct kvm_segment code = {.base = 0, .limit = 0xFFFFFFFF, .selector = KCODE_SEL, .type = 0xB, .present = 1,
                               .s = 1, .l = 1, .g = 1};
    struct kvm_segment data = {.base = 0, .limit = 0xFFFFFFFF, .selector = KDATA_SEL, .type = 0x3, .present = 1,
                               .db = 1, .s = 1, .g = 1};
    s.cs = code;
    s.ds = s.es = s.fs = s.gs = s.ss = data;
    s.cr0 = 0x80050033;
    s.cr3 = PML4_PROC0;
    s.cr4 = 0x20;
    s.efer = 0x500;
    if (ioctl(vcpu, KVM_SET_SREGS, &s) < 0) die("KVM_SET_SREGS");
    struct kvm_regs r = {.rip = IMAGE_BASE, .rsp = KSTACK_BASE + KSTACK_SIZE, .rdi = 0, .rflags = 0x3002};
    if (ioctl(vcpu, KVM_SET_REGS, &r) < 0) die("KVM_SET_REGS");
    run_to_done();                                               /* PORT_READY: the runtime is at CPL3 */
    uint64_t ready = now(CLOCK_REALTIME), t1 = now(CLOCK_MONOTONIC);
    touch(touch_bytes);
    uint64_t t2 = now(CLOCK_MONOTONIC), re[RETOUCHES];
    for (int i = 0; i < RETOUCHES; i++) {                        /* re-touch: the median of RETOUCHES rounds */
        uint64_t s0 = now(CLOCK_MONOTONIC);
        touch(touch_bytes);
        re[i] = now(CLOCK_MONOTONIC) - s0;
    }
    qsort(re, RETOUCHES, sizeof re[0], cmp);
    long guest = smaps_rss_kb((uintptr_t) ram);
    printf("ready_epoch_ns=%llu\nsetup_ns=%llu\nfirst_touch_ns=%llu\nretouch_ns=%llu\nguest_rss_kb=%ld\nvmm_rss_kb=%ld\n",
           (unsigned long long) ready, (unsigned long long) (t1 - t0), (unsigned long long) (t2 - t1),
           (unsigned long long) re[RETOUCHES / 2], guest, status_kb("VmRSS:") - guest);
    return 0;
}
