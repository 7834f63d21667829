package org.memvirt.engine;

/**
 * An engine: runs workloads on one VM ({@link RunSpec}) and on a host of many ({@link HostSpec}), reporting counters
 * and memory by KVM's names. Implementations are registered once, in
 * {@code META-INF/services/org.memvirt.engine.Engine}, and chosen only by {@link Engines}.
 */
public interface Engine {
    EngineKind kind();

    /** Whether this host can run the engine; cheap, and decided from what the engine needs (a device and its ioctls). */
    Availability availability();

    /**
     * Refuses, before anything starts, every option of {@code spec} this engine cannot honour, with an
     * {@link EngineException} naming the option. {@code reason} is why this engine was chosen, for messages that
     * depend on the choice.
     */
    void check(RunSpec spec, String reason);

    /** Runs one VM; {@link #check(RunSpec, String)} has passed. */
    RunResult run(RunSpec spec, RunListener listener);

    /**
     * Refuses, before any VM starts, every part of {@code spec} this engine cannot honour, with an
     * {@link EngineException} naming the scenario's field.
     *
     * @return notes for the result: what this engine does not enforce, or takes from this host instead
     */
    java.util.List<String> check(HostSpec spec);

    /** Runs a host of many VMs; {@link #check(HostSpec)} has passed. Its notes are in the result. */
    HostResult run(HostSpec spec, RunListener listener);
}
