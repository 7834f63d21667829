/*
 * The values workloads write: org.memvirt.workload.Patterns, bit for bit (docs/guest-model.md, "Accesses").
 * Shared by the kvm engine's freestanding runtime and the qemu engine's guest agent; pure integer arithmetic.
 */
#ifndef MEMVIRT_PATTERNS_H
#define MEMVIRT_PATTERNS_H

/* SplitMix64's output function (mix64 variant 13 of Stafford), as Patterns.mix. */
static inline unsigned long pattern_mix(unsigned long z) {
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
    return z ^ (z >> 31);
}

/* The qword touch (and random/trace writes) store at the start of region page 'page' of process 'pid'. */
static inline unsigned long touch_value(unsigned long pid, unsigned long page) {
    return pattern_mix((pid << 48) ^ page ^ 0x7A11000000000000UL) | 1;
}

/* Qword q of a filled page: kind 0 zero, 1 same (param variants), 2 unique, 3 random (param seed). */
static inline unsigned long fill_value(unsigned long kind, unsigned long param, unsigned long pid, unsigned long page,
        unsigned long q) {
    switch (kind) {
    case 0: return 0;
    case 1: return pattern_mix(0x5A3E000000000000UL ^ ((page % (param ? param : 1)) << 9) ^ q);
    case 2: return pattern_mix((pid << 48) ^ (page << 9) ^ q ^ 0x0417000000000000UL);
    default: return pattern_mix(param ^ (pid << 48) ^ (page << 9) ^ q ^ 0x7A4D000000000000UL);
    }
}

#endif
