package org.memvirt.sweep;

import org.memvirt.workload.Patterns;

/**
 * The random numbers of one host: SplitMix64 (Steele, Lea, Flood, OOPSLA 2014), whose output is fixed by its seed on
 * every JVM, so a host draws the same VMs locally and on any Spark executor. Host {@code i} of every point of a study
 * gets the same stream (common random numbers: points differ by their parameters, not by the luck of the draw).
 */
public final class Draws {
    private long state;

    private Draws(long seed) {
        this.state = seed;
    }

    /** The stream of host {@code host} of a study seeded with {@code studySeed}. */
    public static Draws forHost(long studySeed, int host) {
        return new Draws(Patterns.mix(studySeed ^ Patterns.mix(0x5EE9_0000_0000_0000L + host)));
    }

    public long nextLong() {
        state += Patterns.GOLDEN_GAMMA;
        return Patterns.mix(state);
    }

    /** A double uniform on [0, 1): the top 53 bits of the next value. */
    public double nextDouble() {
        return (nextLong() >>> 11) * 0x1.0p-53;
    }
}
