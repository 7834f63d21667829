package org.memvirt.sweep;

import java.util.List;

import org.memvirt.engine.RunListener;

/** Runs every host of a study somewhere: on this machine's cores ({@link LocalRunner}) or on a Spark cluster. */
public interface SweepRunner {
    /**
     * Every host's outcome, in any order; the first failure ends the run.
     *
     * @param listener told the share of hosts done, as one step
     */
    List<HostOutcome> run(Study study, RunListener listener);

    /** Where the hosts ran, for reports: {@code 2 local threads}, {@code Spark spark://127.0.0.1:7077, 8 tasks}. */
    String describe();

    /** The cores that ran hosts at once (threads, or the cluster's executor cores), for hosts per CPU-second. */
    int cores();
}
