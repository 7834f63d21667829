package org.memvirt.workload;

import java.util.List;

/**
 * A parsed workload: its steps in order, each with the text it came from (for reports and error messages).
 *
 * @param steps the top-level steps
 * @param source the whole text the workload was parsed from (CLI shorthand, or a file's name)
 */
public record Workload(List<Step> steps, String source) {
    public Workload {
        steps = List.copyOf(steps);
    }

    /**
     * One top-level op with its source text and, when pinned in YAML, the vCPU that runs it.
     *
     * @param op the op
     * @param text the op as written, e.g. {@code "touch 1G"}
     * @param vcpu the vCPU index the op is pinned to, or {@link #SPREAD} to spread it over all vCPUs
     */
    public record Step(Op op, String text, int vcpu) {
        public static final int SPREAD = -1;
    }
}
