package org.memvirt.engine;

import org.memvirt.MemvirtException;

/**
 * An engine that cannot be used, or that refuses an option before anything starts: one line naming the option or
 * the scenario field, with docs/exit-codes.md's status: an option that may not be given to this engine is a usage
 * error (2), what this host cannot give is a host error (3), the rest is input refused (1).
 */
public final class EngineException extends MemvirtException {
    private static final long serialVersionUID = 1L;

    private final int exitCode;

    private EngineException(String message, int exitCode) {
        super(message);
        this.exitCode = exitCode;
    }

    /** A refusal of what a scenario or a workload asks for (exit status 1). */
    public EngineException(String message) {
        this(message, INPUT);
    }

    /** A command-line option this engine does not take (exit status 2). */
    public static EngineException usage(String message) {
        return new EngineException(message, USAGE);
    }

    /** What this host cannot give the engine: a usable device, a KVM feature (exit status 3). */
    public static EngineException host(String message) {
        return new EngineException(message, HOST);
    }

    @Override
    public int exitCode() {
        return exitCode;
    }
}
