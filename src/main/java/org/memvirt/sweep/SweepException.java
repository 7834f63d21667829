package org.memvirt.sweep;

import org.memvirt.MemvirtException;

/** A study that cannot be read or run: the message names the file and field, or what this host lacks. */
public final class SweepException extends MemvirtException {
    private static final long serialVersionUID = 1L;

    private final int exitCode;

    public SweepException(String message) {
        this(message, org.memvirt.ExitCoded.INPUT);
    }

    private SweepException(String message, int exitCode) {
        super(message);
        this.exitCode = exitCode;
    }

    /** What this host cannot do (Spark missing from the class path): exit status 3 (docs/exit-codes.md). */
    public static SweepException host(String message) {
        return new SweepException(message, org.memvirt.ExitCoded.HOST);
    }

    @Override
    public int exitCode() {
        return exitCode;
    }
}
