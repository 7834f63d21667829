package org.memvirt.sim;

import java.util.List;

/**
 * Victim selection of the Linux OOM killer (mm/oom_kill.c oom_badness, select_bad_process): the process with the
 * most {@code rss + swapents + pgtables} pages, shifted by {@code oom_score_adj * totalpages / 1000}; a process with
 * {@code oom_score_adj == -1000} is never chosen.
 */
final class OomKiller {
    static final int OOM_SCORE_ADJ_MIN = -1000;   // linux include/uapi/linux/oom.h

    private OomKiller() {}

    /** oom_badness for {@code v}, or {@link Long#MIN_VALUE} if it may not be killed. */
    static long badness(GuestPages v, long totalPages) {
        if (v.killed || v.oomScoreAdj == OOM_SCORE_ADJ_MIN) return Long.MIN_VALUE;
        long points = v.rss() + v.swapped + pageTablePages(v);
        points += v.oomScoreAdj * (totalPages / 1000);   // oom_kill.c: adj *= totalpages / 1000
        return points;
    }

    /**
     * Page-table pages of the QEMU process for its guest RAM, estimated as one PTE page per 512 populated pages
     * plus the PMD and PUD pages above them (the model does not track which 2 MiB ranges are populated).
     */
    static long pageTablePages(GuestPages v) {
        long populated = v.rss() + v.sharedZero + v.swapped;
        if (populated == 0) return 0;
        return (populated + 511) / 512 + (populated + (1L << 18) - 1) / (1L << 18) + 1;
    }

    /** The VM to kill, or -1 if none may be killed. Ties go to the VM started last: select_bad_process
     * skips only a task with fewer points than the one chosen so far. */
    static int selectVictim(List<GuestPages> vms, long totalPages) {
        int victim = -1;
        long best = Long.MIN_VALUE;
        for (GuestPages v : vms) {
            long points = badness(v, totalPages);
            if (points == Long.MIN_VALUE) continue;
            if (victim < 0 || points >= best) {
                victim = v.id;
                best = points;
            }
        }
        return victim;
    }
}
