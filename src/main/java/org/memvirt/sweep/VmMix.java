package org.memvirt.sweep;

/**
 * Where a host's VMs come from: distributions of their figures, or a fleet's own VMs ({@link FleetCsv}); and what
 * every VM of the mix does besides.
 *
 * @param name the mix's name ({@code default} for a study's single {@code mix:})
 * @param count VMs per host when the study sets no overcommit ratio, else 0
 * @param memory guest RAM, bytes
 * @param workingSet the share of memory (less the runtime's 2 MiB) the guest touches, in [0, 1]
 * @param identical the share of memory that is the common image, in [0, 1] (at most the working set)
 * @param freed the share of the working set the guest frees before idling, in [0, 1]
 * @param idle nanoseconds the guest idles before waking up
 * @param fleet the fleet's VMs, or null to draw from the distributions
 * @param accesses random accesses over the kept working set when the guest wakes up
 * @param writesPercent the share of those accesses that write
 * @param staggerNanos VM {@code i} starts at {@code i * staggerNanos}
 * @param deflateOnOom the balloon device's {@code deflate-on-oom}, where VMs have one
 * @param balloonMin the balloon policy's floor, a share of the VM's memory
 */
public record VmMix(String name, int count, Distribution memory, Distribution workingSet, Distribution identical,
        Distribution freed, Distribution idle, FleetCsv fleet, long accesses, int writesPercent, long staggerNanos,
        boolean deflateOnOom, double balloonMin) {
    /** The next VM: five draws (memory, working set, image, freed, idle) from the distributions, or one row. */
    VmProfile draw(Draws draws) {
        if (fleet != null) return fleet.draw(draws);
        return VmProfile.of(memory.draw(draws), workingSet.draw(draws), identical.draw(draws), freed.draw(draws),
                idle.draw(draws));
    }
}
