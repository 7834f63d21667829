package org.memvirt.engine;

import org.memvirt.MemvirtException;

/**
 * An engine that cannot be used, or that refuses an option before anything starts: one line naming the option or
 * the scenario field. Refusals of command-line options exit 2, as picocli's own usage errors; the rest exit 1.
 */
public final class EngineException extends MemvirtException {
    private static final long serialVersionUID = 1L;

    private final int exitCode;

    private EngineException(String message, int exitCode) {
        super(message);
        this.exitCode = exitCode;
    }

    /** A refusal of what a scenario asks for (exit status 1). */
    public EngineException(String message) {
        this(message, 1);
    }

    /** A refusal of a command-line option (exit status 2). */
    public static EngineException usage(String message) {
        return new EngineException(message, 2);
    }

    @Override
    public int exitCode() {
        return exitCode;
    }
}
