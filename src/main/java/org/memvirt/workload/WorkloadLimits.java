package org.memvirt.workload;

import java.util.List;

import static org.memvirt.workload.WorkloadUnits.formatSize;

/**
 * Checks, before any work starts, that a workload fits a guest: every range inside the workload region (which is as
 * large as guest RAM, docs/guest-model.md), balloon targets within RAM, and PCIDs enough for the processes.
 */
public final class WorkloadLimits {
    /** Processes a {@code switch ... pcid} can tag: PCID = process + 1 must fit CR3[11:0] and not be 0. */
    public static final int MAX_PCID_PROCESSES = 4095;              // SDM Vol 3A §4.10.1: 12-bit PCIDs

    /**
     * {@link #check(Workload, long)}, and every step pinned to a vCPU ({@code vcpu N}) names one the machine has.
     *
     * @throws WorkloadException naming the first step that does not fit
     */
    public static void check(Workload workload, long ramBytes, int vcpus) {
        List<Workload.Step> steps = workload.steps();
        for (int i = 0; i < steps.size(); i++) {
            int pinned = steps.get(i).vcpu();
            if (pinned != Workload.Step.SPREAD && (pinned < 0 || pinned >= vcpus)) {
                throw new WorkloadException("workload step " + (i + 1) + " '" + ShorthandParser.oneLine(steps.get(i).text())
                        + "': pinned to vCPU " + pinned + ", but the machine has " + (vcpus == 1 ? "only vCPU 0"
                        : "vCPUs 0.." + (vcpus - 1)));
            }
        }
        check(workload, ramBytes);
    }

    /**
     * @throws WorkloadException naming the first step (and op inside a repeat) that does not fit
     */
    public static void check(Workload workload, long ramBytes) {
        int[] processes = {1};
        List<Workload.Step> steps = workload.steps();
        for (int i = 0; i < steps.size(); i++) {
            Workload.Step step = steps.get(i);
            String problem = problem(step.op(), ramBytes, processes);
            if (problem != null) {
                throw new WorkloadException("workload step " + (i + 1) + " '" + ShorthandParser.oneLine(step.text()) + "': " + problem);
            }
        }
    }

    /** What is wrong with {@code op}, or null; {@code processes[0]} tracks the process count as ops run. */
    private static String problem(Op op, long ramBytes, int[] processes) {
        switch (op) {
            case Op.Repeat(int times, List<Op> body) -> {
                for (Op inner : body) {
                    String problem = problem(inner, ramBytes, processes);
                    if (problem != null) return inner instanceof Op.Repeat ? problem : "'" + WorkloadFormat.format(inner) + "' " + problem;
                }
                return null;
            }
            case Op.Processes(int count) -> {
                processes[0] = count;
                return null;
            }
            case Op.Switch(long count, boolean pcid) when pcid && processes[0] > MAX_PCID_PROCESSES ->
                    { return "switches with PCID over " + processes[0] + " processes, but PCIDs 1.." + MAX_PCID_PROCESSES + " tag at most " + MAX_PCID_PROCESSES; }
            case Op.Balloon(Op.BalloonAction action, long bytes) when action != Op.BalloonAction.DEFLATE && bytes > ramBytes ->
                    { return "asks the balloon for " + formatSize(bytes) + ", more than the guest's " + formatSize(ramBytes) + " of RAM"; }
            default -> {
                long end = Footprint.regionEnd(op);
                if (end > ramBytes) {
                    return "reaches region offset " + formatSize(end) + ", beyond the guest's " + formatSize(ramBytes)
                            + " of RAM (the workload region is as large as RAM)";
                }
                return null;
            }
        }
    }

    private WorkloadLimits() {}
}
