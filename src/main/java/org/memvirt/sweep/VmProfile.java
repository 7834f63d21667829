package org.memvirt.sweep;

/**
 * One VM drawn for a host: its figures, each a whole number of 4 KiB pages (memory a whole MiB).
 *
 * @param memoryBytes guest RAM ({@code -m})
 * @param workingSetBytes memory the guest touches: the image, then its own data
 * @param identicalBytes the part of the working set that is the common image, the same on every VM of the host
 * @param freedBytes the part of the working set the guest frees before it idles (its top end)
 * @param idleNanos how long the guest idles before it wakes up and works over what it kept
 */
public record VmProfile(long memoryBytes, long workingSetBytes, long identicalBytes, long freedBytes, long idleNanos) {
    /** Memory the guest runtime takes before any workload (docs/guest-model.md: the runtime's 2 MiB). */
    public static final long RUNTIME_BYTES = 2L << 20;
    /** The smallest guest memory a VM of a sweep may have: the runtime and a little room. */
    public static final long MIN_MEMORY_BYTES = 4L << 20;
    static final long MIB = 1L << 20;
    static final long PAGE = 4096;

    public VmProfile {
        if (memoryBytes < MIN_MEMORY_BYTES || memoryBytes % MIB != 0) throw new IllegalArgumentException("memory " + memoryBytes);
        if (workingSetBytes < 0 || workingSetBytes > memoryBytes - RUNTIME_BYTES || workingSetBytes % PAGE != 0) {
            throw new IllegalArgumentException("working set " + workingSetBytes + " of " + memoryBytes);
        }
        if (identicalBytes < 0 || identicalBytes > workingSetBytes || identicalBytes % PAGE != 0) {
            throw new IllegalArgumentException("identical " + identicalBytes + " of " + workingSetBytes);
        }
        if (freedBytes < 0 || freedBytes > workingSetBytes || freedBytes % PAGE != 0) {
            throw new IllegalArgumentException("freed " + freedBytes + " of " + workingSetBytes);
        }
        if (idleNanos < 0) throw new IllegalArgumentException("idle " + idleNanos);
    }

    /**
     * A profile from raw figures: memory rounded to a whole MiB (at least {@link #MIN_MEMORY_BYTES}), the working set
     * a fraction of what the runtime leaves, the image a fraction of memory (at most the working set), the freed part
     * a fraction of the working set; each rounded down to whole pages.
     */
    static VmProfile of(double memoryBytes, double workingSetFraction, double identicalFraction, double freedFraction,
            double idleNanos) {
        long memory = Math.max(MIN_MEMORY_BYTES, Math.round(memoryBytes / MIB) * MIB);
        long workingSet = pages(clamp01(workingSetFraction) * (memory - RUNTIME_BYTES));
        long identical = Math.min(workingSet, pages(clamp01(identicalFraction) * memory));
        long freed = pages(clamp01(freedFraction) * workingSet);
        return new VmProfile(memory, workingSet, identical, freed, Math.max(0, Math.round(idleNanos)));
    }

    static long pages(double bytes) {
        return (long) Math.floor(bytes / PAGE) * PAGE;
    }

    private static double clamp01(double f) {
        return Math.max(0, Math.min(1, f));
    }
}
