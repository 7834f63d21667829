package org.memvirt.sim;

import java.util.Arrays;

import org.memvirt.workload.Patterns;

/**
 * The formulas that make the content ids a scenario's guests write, registered once per host: a page written by
 * formula {@code f} at argument {@code arg} holds {@code value(f, arg)}. Storing (formula, argument) instead of the
 * 64-bit value lets {@link PageContents} keep a run of pages written in step as one extent, and lets ksmd index the
 * content of an {@link #injective} formula by its argument ({@link UnstableTree}).
 *
 * <p>The values are exactly those the scenario guests wrote before formulas were stored (each kind names its
 * expression). An injective formula gives different values for different arguments (its expression is a bijection of
 * the argument, up to the {@code | 1} that keeps ids odd); the model treats values of different formulas, and values
 * written as plain numbers, as different contents: they could only be equal by a 64-bit coincidence.
 */
final class ContentFormulas {
    /** {@code mix(salt ^ gfn) | 1}: the guest runtime's own pages (PageGuest.boot). */
    static final int KERNEL = 1;
    /** {@code mix(touch(0, page) ^ salt) | 1}: {@code touch} and {@code random} writes (PageGuest.write). */
    static final int TOUCH = 2;
    /** {@code mix(fill(2, 0, 0, page, 1) ^ salt) | 1}: {@code fill content=unique}. */
    static final int UNIQUE = 3;
    /** {@code mix(fill(3, seed, 0, page, 1) ^ salt) | 1}: {@code fill content=random:SEED}. */
    static final int RANDOM = 4;
    /** {@code fill(1, variants, 0, page, 1) | 1}: {@code fill content=same:VARIANTS}, the same in every VM. */
    static final int SAME = 5;
    /** {@code arg} itself: not a content, a number kept by extents (a region page's frame). */
    static final int IDENTITY = 6;

    private int[] kind = new int[8];
    private long[] salt = new long[8];
    private long[] param = new long[8];
    private int count = 1;                          // id 0 is no formula

    /** The id of formula {@code kind} with {@code salt} and {@code param}, registering it on first use. */
    int id(int kind, long salt, long param) {
        for (int f = 1; f < count; f++) {
            if (this.kind[f] == kind && this.salt[f] == salt && this.param[f] == param) return f;
        }
        if (count == this.kind.length) {
            this.kind = Arrays.copyOf(this.kind, count * 2);
            this.salt = Arrays.copyOf(this.salt, count * 2);
            this.param = Arrays.copyOf(this.param, count * 2);
        }
        this.kind[count] = kind;
        this.salt[count] = salt;
        this.param[count] = param;
        return count++;
    }

    int count() {
        return count;
    }

    /** The content id formula {@code f} gives for {@code arg}. */
    long value(int f, long arg) {
        long s = salt[f];
        return switch (kind[f]) {
            case KERNEL -> Patterns.mix(s ^ arg) | 1;
            case TOUCH -> Patterns.mix(Patterns.touch(0, arg) ^ s) | 1;
            case UNIQUE -> Patterns.mix(Patterns.fill(2, 0, 0, arg, 1) ^ s) | 1;
            case RANDOM -> Patterns.mix(Patterns.fill(3, param[f], 0, arg, 1) ^ s) | 1;
            case SAME -> Patterns.fill(1, param[f], 0, arg, 1) | 1;
            case IDENTITY -> arg;
            default -> throw new IllegalStateException("no formula " + f);
        };
    }

    /** Whether different arguments give different contents (so ksmd may index the content by its argument). */
    boolean injective(int f) {
        int k = kind[f];
        return k == KERNEL || k == TOUCH || k == UNIQUE || k == RANDOM;
    }
}
