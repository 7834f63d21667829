package org.memvirt.sim;

import java.util.List;

import org.memvirt.engine.HostSpec;

/**
 * A host-side balloon manager, run every policy interval: oVirt MOM's balloon rules or Proxmox auto-ballooning.
 * (Fixed targets need no manager: the runner sets them once.)
 */
sealed interface BalloonPolicy {
    void tick(HostModel host, List<PageGuest> guests);

    static BalloonPolicy of(HostSpec.Policy p) {
        return switch (p.kind()) {
            case MOM -> new Mom();
            case PROXMOX -> new Proxmox(p.targetPercent());
            case NONE, FIXED -> null;
        };
    }

    /** The logical size in pages the balloon leaves the guest (QEMU's {@code actual} value). */
    private static long current(PageGuest g) {
        return g.ramPages - g.balloon.actual();
    }

    private static boolean managed(PageGuest g) {
        return g.balloon != null && g.status == PageGuest.Status.RUNNING || g.balloon != null && g.status == PageGuest.Status.FINISHED;
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
        public void tick(HostModel host, List<PageGuest> guests) {
            double available = host.config().ramPages() - host.config().reservePages();
            double hostFree = host.freePages() / available;
            boolean shrink = hostFree < PRESSURE_THRESHOLD;
            double guestFreePercent = hostFree <= PRESSURE_CRITICAL ? hostFree - PRESSURE_CRITICAL
                    : MOM_MIN_GUEST_FREE * hostFree / PRESSURE_THRESHOLD;
            for (PageGuest g : guests) {
                if (!managed(g)) continue;
                long cur = current(g);
                long min = g.spec.balloon().minBytes() / 4096;
                double target;
                if (shrink) {
                    double used = cur - g.guestFreePages();
                    target = Math.max(cur * (1 - MAX_CHANGE), used + guestFreePercent * cur);
                } else {
                    target = Math.min(cur * (1 + MAX_CHANGE), g.ramPages);
                }
                target = Math.clamp(target, min, g.ramPages);
                if (Math.abs(target - cur) > MIN_CHANGE * cur) g.setBalloonPages(g.ramPages - (long) target, "mom", host.nowNanos());
            }
        }

        static final double MOM_MIN_GUEST_FREE = 0.20;   // mom 02-balloon.policy min_guest_free_percent
    }

    /**
     * Proxmox VE auto-ballooning (pve-docs qm "Memory"): while host RAM use is under the target (80%), the spare
     * {@code target·total − used} is handed to the guests in proportion to their shares, up to their RAM; above it, the
     * excess is taken back from the guests, down to each guest's minimum, in inverse proportion to their shares
     * (a guest with more shares gives back less; this split is modelled).
     */
    record Proxmox(int targetPercent) implements BalloonPolicy {
        @Override
        public void tick(HostModel host, List<PageGuest> guests) {
            long total = host.config().ramPages();
            long goal = total * targetPercent / 100 - host.usedPages();
            double weights = 0;
            for (PageGuest g : guests) {
                if (eligible(g, goal)) weights += weight(g, goal);
            }
            if (weights == 0 || goal == 0) return;
            for (PageGuest g : guests) {
                if (!eligible(g, goal)) continue;
                long cur = current(g);
                long min = Math.max(g.spec.balloon().minBytes() / 4096, PageGuest.KERNEL_PAGES);
                long delta = (long) (goal * weight(g, goal) / weights);
                long target = Math.clamp(cur + delta, min, g.ramPages);
                if (target != cur) g.setBalloonPages(g.ramPages - target, "proxmox", host.nowNanos());
            }
        }

        private static double weight(PageGuest g, long goal) {
            double shares = Math.max(1, g.spec.balloon().shares());
            return goal > 0 ? shares : 1 / shares;
        }

        private static boolean eligible(PageGuest g, long goal) {
            if (!managed(g) || g.spec.balloon().minBytes() >= g.spec.ramBytes()) return false;
            long cur = current(g);
            return goal > 0 ? cur < g.ramPages : cur > g.spec.balloon().minBytes() / 4096;
        }
    }
}
