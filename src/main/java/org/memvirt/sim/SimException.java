package org.memvirt.sim;

import org.memvirt.MemvirtException;

/** An error of the simulated machine: bad input to the sim engine or a guest the model cannot run. */
public final class SimException extends MemvirtException {
    private static final long serialVersionUID = 1L;
    private final int exitCode;

    public SimException(String message) {
        this(message, INPUT);
    }

    private SimException(String message, int exitCode) {
        super(message);
        this.exitCode = exitCode;
    }

    /** The simulated guest ran past its wall-clock limit ({@code --timeout}, {@code --max-wall}): docs/exit-codes.md 4. */
    static SimException timedOut(String message) {
        return new SimException(message, GUEST);
    }

    @Override
    public int exitCode() {
        return exitCode;
    }
}
