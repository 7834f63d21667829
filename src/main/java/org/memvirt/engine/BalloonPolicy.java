package org.memvirt.engine;

import java.util.List;


/**
 * A host-side balloon manager, run every policy interval: oVirt MOM's balloon rules or Proxmox auto-ballooning.
 * (Fixed targets need no manager: the runner sets them once.) Engine-neutral: the sim applies it to its model, the
 * qemu engine to real guests over QMP, each through {@link Host} and {@link Guest}.
 */
public sealed interface BalloonPolicy {
    void tick(Host host, List<? extends Guest> guests);

    /** The host as a policy sees it, in 4 KiB pages. */
    interface Host {
        /** Host RAM. */
        long ramPages();

        /** What the host OS keeps for itself. */
        long reservePages();

        /** Free host memory now. */
        long freePages();

        /** Used host memory now (the reserve included). */
        long usedPages();
    }

    /** A guest as a policy sees it, in 4 KiB pages. */
    interface Guest {
        /** Whether the policy manages it now: it has a balloon device and runs (or has finished its workload). */
        boolean managed();

        /** Guest RAM ({@code -m}). */
        long ramPages();

        /** The balloon's size now ({@code -m} less QEMU's {@code actual}). */
        long balloonPages();

        /** Free memory inside the guest, as its balloon statistics report it. */
        long guestFreePages();

        /** The VM's balloon settings (minimum, shares). */
        HostSpec.Balloon balloon();

        /** The smallest logical size the guest can be left (the kernel's own pages). */
        long floorPages();

        /** Asks for a balloon of {@code pages}; {@code by} names the policy. */
        void setBalloonPages(long pages, String by);
    }

    /** The manager of {@code p}, or null for none and fixed targets. */
    public static BalloonPolicy of(HostSpec.Policy p) {
        return switch (p.kind()) {
            case MOM -> new Mom();
            case PROXMOX -> new Proxmox(p.targetPercent());
            case NONE, FIXED -> null;
        };
    }

    /** The logical size in pages the balloon leaves the guest (QEMU's {@code actual} value). */
    private static long current(Guest g) {
        return g.ramPages() - g.balloonPages();
    }

    /**
     * oVirt MOM (doc/balloon.rules, vdsm mom.d/02-balloon.policy): below 20% host free memory every guest shrinks
     * by at most 5% per cycle while keeping a free share that scales with host free memory (negative below 5%:
     * "force guest to swap"); otherwise guests grow by 5% per cycle up to their RAM. Changes under 0.25% are skipped.
     * Host free memory is the instantaneous value (MOM averages the last 10 samples).
     */
    record Mom() implements BalloonPolicy {
        static final double PRESSURE_THRESHOLD = 0.20;   // mom 02-balloon.policy pressure_threshold
        static final double PRESSURE_CRITICAL = 0.05;    // mom 02-balloon.policy pressure_critical
        static final double MAX_CHANGE = 0.05;           // mom 02-balloon.policy max_balloon_change_percent
        static final double MIN_CHANGE = 0.0025;         // mom 02-balloon.policy min_balloon_change_percent

        @Override
        public void tick(Host host, List<? extends Guest> guests) {
            double available = host.ramPages() - host.reservePages();
            double hostFree = host.freePages() / available;
            boolean shrink = hostFree < PRESSURE_THRESHOLD;
            double guestFreePercent = hostFree <= PRESSURE_CRITICAL ? hostFree - PRESSURE_CRITICAL
                    : MOM_MIN_GUEST_FREE * hostFree / PRESSURE_THRESHOLD;
            for (Guest g : guests) {
                if (!g.managed()) continue;
                long cur = current(g);
                long min = g.balloon().minBytes() / 4096;
                double target;
                if (shrink) {
                    double used = cur - g.guestFreePages();
                    target = Math.max(cur * (1 - MAX_CHANGE), used + guestFreePercent * cur);
                } else {
                    target = Math.min(cur * (1 + MAX_CHANGE), g.ramPages());
                }
                target = Math.clamp(target, min, g.ramPages());
                if (Math.abs(target - cur) > MIN_CHANGE * cur) g.setBalloonPages(g.ramPages() - (long) target, "mom");
            }
        }

        public static final double MOM_MIN_GUEST_FREE = 0.20;   // mom 02-balloon.policy min_guest_free_percent
    }

    /**
     * Proxmox VE auto-ballooning (pve-docs qm "Memory"): while host RAM use is under the target (80%), the spare
     * {@code target·total − used} is handed to the guests in proportion to their shares, up to their RAM; above it, the
     * excess is taken back from the guests, down to each guest's minimum, in inverse proportion to their shares
     * (a guest with more shares gives back less; this split is modelled).
     */
    record Proxmox(int targetPercent) implements BalloonPolicy {
        @Override
        public void tick(Host host, List<? extends Guest> guests) {
            long total = host.ramPages();
            long goal = total * targetPercent / 100 - host.usedPages();
            double weights = 0;
            for (Guest g : guests) {
                if (eligible(g, goal)) weights += weight(g, goal);
            }
            if (weights == 0 || goal == 0) return;
            for (Guest g : guests) {
                if (!eligible(g, goal)) continue;
                long cur = current(g);
                long min = Math.max(g.balloon().minBytes() / 4096, g.floorPages());
                long delta = (long) (goal * weight(g, goal) / weights);
                long target = Math.clamp(cur + delta, min, g.ramPages());
                if (target != cur) g.setBalloonPages(g.ramPages() - target, "proxmox");
            }
        }

        private static double weight(Guest g, long goal) {
            double shares = Math.max(1, g.balloon().shares());
            return goal > 0 ? shares : 1 / shares;
        }

        private static boolean eligible(Guest g, long goal) {
            if (!g.managed() || g.balloon().minBytes() >= g.ramPages() * 4096) return false;
            long cur = current(g);
            return goal > 0 ? cur < g.ramPages() : cur > g.balloon().minBytes() / 4096;
        }
    }
}
