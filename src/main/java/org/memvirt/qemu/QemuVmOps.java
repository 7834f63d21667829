package org.memvirt.qemu;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.memvirt.qemu.agent.AgentOpResult;
import org.memvirt.workload.Op;
import org.memvirt.workload.Unrolled;
import org.memvirt.workload.Workload;

/**
 * One top-level op of a scenario's VM on a booted guest with memvirt's agent: through the agent where it has no
 * balloon op (a {@code repeat} runs whole in the guest), else leaf by leaf with balloon ops over QMP ({@link BalloonOp}).
 */
final class QemuVmOps {
    private QemuVmOps() {}

    /**
     * What the op did, summed over the requests it took.
     *
     * @param minorFaults the guest's pgfault change
     * @param majorFaults the guest's pgmajfault change
     * @param verifiedPages pages verify checked
     * @param mismatches pages verify found wrong
     * @param firstMismatch verify's first wrong page, or empty
     * @param meminfo the guest's /proc/meminfo after the op, or empty
     * @param balloonTargetBytes the balloon the last balloon op asked for, or -1 where none ran
     * @param note how the balloon ops went, or null
     */
    record Result(long minorFaults, long majorFaults, long verifiedPages, long mismatches, String firstMismatch,
            Map<String, Long> meminfo, long balloonTargetBytes, String note) {}

    /** Runs {@code step} on {@code guest} (whose RAM is {@code ramBytes}) before {@code deadline} (System.nanoTime()). */
    static Result run(BootedGuest guest, GuestPlan plan, Workload.Step step, long ramBytes, long deadline) {
        Acc acc = new Acc();
        if (!hasBalloon(step.op())) {
            acc.add(guest.agent.run(step.op(), step.text(), left(deadline)));
            return acc.result(-1, null);
        }
        long target = -1;
        StringBuilder note = new StringBuilder();
        for (Unrolled leaves = new Unrolled(List.of(step.op())); leaves.hasNext(); ) {
            Op op = leaves.next();
            if (op instanceof Op.Balloon b) {
                BalloonOp.Outcome o = new BalloonOp(guest.qemu.qmp(), ramBytes).run(b, deadline);
                target = o.targetBytes();
                note.append(note.isEmpty() ? "" : "; ").append(BalloonOp.describe(step.text(), o));
            } else {
                acc.add(guest.agent.run(op, step.text(), left(deadline)));
            }
        }
        acc.add(guest.agent.stats(left(deadline)));
        return acc.result(target, note.toString());
    }

    /** Whether {@code op} has a balloon op anywhere in it. */
    static boolean hasBalloon(Op op) {
        for (Unrolled u = new Unrolled(List.of(op)); u.hasNext(); ) if (u.next() instanceof Op.Balloon) return true;
        return false;
    }

    private static Duration left(long deadline) {
        long d = deadline - System.nanoTime();
        if (d <= 0) throw new QemuException("the scenario's time limit ran out");
        return Duration.ofNanos(d);
    }

    private static final class Acc {
        long minor, major, pages, mismatches;
        String first = "";
        Map<String, Long> meminfo = Map.of();

        void add(AgentOpResult r) {
            minor += r.vmstat("pgfault");
            major += r.vmstat("pgmajfault");
            if (r.result().containsKey("mismatches")) {                 // verify reports pages and mismatches
                pages += r.result("pages");
                mismatches += r.result("mismatches");
            }
            if (first.isEmpty()) first = r.firstMismatch();
            if (!r.meminfo().isEmpty()) meminfo = r.meminfo();
        }

        Result result(long target, String note) {
            return new Result(minor, major, pages, mismatches, first, meminfo, target, note);
        }
    }
}
