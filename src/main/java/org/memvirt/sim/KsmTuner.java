package org.memvirt.sim;

import java.util.List;

import org.memvirt.engine.KsmConfig;

/**
 * A host-side KSM manager: ksmtuned (Red Hat, 2009; Proxmox's ksm-control-daemon) or the same algorithm in oVirt
 * MOM/vdsm 03-ksm.policy. Every cycle: {@code thres = max(20% of total, 2048 kB)}; if
 * {@code committed + thres < total} and {@code free > thres}, ksmd is stopped; otherwise it runs with
 * {@code pages_to_scan} raised by 300 when free memory is under the threshold and lowered by 50 otherwise, kept in
 * [64, 1250], and {@code sleep_millisecs = max(10, 10 * 16 GiB / total)}. ksmtuned's committed memory is the
 * guests' RSS (every 60 s); MOM's is their configured size (every 10 s).
 */
final class KsmTuner {
    static final int NPAGES_BOOST = 300;           // ksmtuned KSM_NPAGES_BOOST
    static final int NPAGES_DECAY = -50;           // ksmtuned KSM_NPAGES_DECAY
    static final int NPAGES_MIN = 64;              // ksmtuned KSM_NPAGES_MIN
    static final int NPAGES_MAX = 1250;            // ksmtuned KSM_NPAGES_MAX
    static final int SLEEP_MSEC = 10;              // ksmtuned KSM_SLEEP_MSEC (for a 16 GiB host)
    static final int THRES_COEF = 20;              // ksmtuned KSM_THRES_COEF (%)
    static final long THRES_CONST_KB = 2048;       // ksmtuned KSM_THRES_CONST
    static final long MONITOR_INTERVAL_NANOS = 60_000_000_000L;   // ksmtuned KSM_MONITOR_INTERVAL
    static final long MOM_INTERVAL_NANOS = 10_000_000_000L;       // mom policy-engine-interval

    private final boolean committedIsVsz;
    final long intervalNanos;
    private int npages;

    KsmTuner(boolean mom) {
        this.committedIsVsz = mom;
        this.intervalNanos = mom ? MOM_INTERVAL_NANOS : MONITOR_INTERVAL_NANOS;
    }

    /** One monitor cycle; returns a sentence when it changed ksmd's knobs, else null. */
    String tick(HostModel host, List<PageGuest> guests) {
        long totalKb = host.config().ramBytes() >> 10;
        long thres = Math.max(totalKb * THRES_COEF / 100, THRES_CONST_KB);
        long committed = 0;
        for (PageGuest g : guests) {
            if (host.killed(g.vm)) continue;
            committed += committedIsVsz ? g.spec.ramBytes() >> 10 : host.vmMemory(g.vm).rssPages() * 4;
        }
        long free = host.freePages() * 4;
        KsmConfig c = host.ksmConfig();
        KsmConfig next;
        if (committed + thres < totalKb && free > thres) {
            next = c.withRun(false);
        } else {
            npages = Math.clamp(npages + (free < thres ? NPAGES_BOOST : NPAGES_DECAY), NPAGES_MIN, NPAGES_MAX);
            int sleep = (int) Math.max(SLEEP_MSEC, SLEEP_MSEC * (16L << 20) / totalKb);
            next = c.withScan(npages, sleep).withRun(true);
        }
        if (next.equals(c)) return null;
        host.setKsmConfig(next);
        return String.format("%s: run=%d pages_to_scan=%d sleep_millisecs=%d (committed %d MiB, free %d MiB, threshold %d MiB)",
                committedIsVsz ? "mom" : "ksmtuned", next.run() ? 1 : 0, next.pagesToScan(), next.sleepMillisecs(),
                committed >> 10, free >> 10, thres >> 10);
    }
}
