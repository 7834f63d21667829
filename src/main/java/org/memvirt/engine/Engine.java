package org.memvirt.engine;

/** Runs a workload on a machine and reports counters and memory by KVM's names; sim and kvm implement it. */
public interface Engine {
    /** {@code "sim"} or {@code "kvm"}. */
    String name();

    RunResult run(RunSpec spec, RunListener listener);
}
