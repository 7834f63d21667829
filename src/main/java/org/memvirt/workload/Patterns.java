package org.memvirt.workload;

/**
 * The values workloads write, as pure functions, so that {@code verify}, KSM experiments and the two engines agree
 * (docs/guest-model.md). The guest runtime's C code computes the same functions.
 */
public final class Patterns {
    /** SplitMix64's increment (Steele, Lea, Flood, "Fast splittable pseudorandom number generators", OOPSLA 2014). */
    public static final long GOLDEN_GAMMA = 0x9E37_79B9_7F4A_7C15L;

    /** The qword {@code touch} and {@code random} write at offset 0 of region page {@code page} of process {@code pid}. */
    public static long touch(int pid, long page) {
        return mix(((long) pid << 48) ^ page ^ 0x7A11_0000_0000_0000L) | 1L;   // never 0: a touched page is never a zero page
    }

    /**
     * The qword at qword index {@code qword} (0..511) of a page written by {@code fill}. {@code kind} is 0 zero,
     * 1 same (with {@code param} = number of variants), 2 unique, 3 random (with {@code param} = seed).
     */
    public static long fill(int kind, long param, int pid, long page, int qword) {
        return switch (kind) {
            case 0 -> 0L;
            case 1 -> mix(0x5A3E_0000_0000_0000L ^ ((page % Math.max(1, param)) << 9) ^ qword);
            case 2 -> mix(((long) pid << 48) ^ (page << 9) ^ qword ^ 0x0417_0000_0000_0000L);
            case 3 -> mix(param ^ ((long) pid << 48) ^ (page << 9) ^ qword ^ 0x7A4D_0000_0000_0000L);
            default -> throw new IllegalArgumentException("fill kind " + kind);
        };
    }

    /** SplitMix64's output function (mix64 variant 13 of Stafford), a bijection on 64 bits. */
    public static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58_476D_1CE4_E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D0_49BB_1331_11EBL;
        return z ^ (z >>> 31);
    }

    private Patterns() {}
}
