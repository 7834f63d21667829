package org.memvirt.sim;

import org.memvirt.MemvirtException;

/** An error of the simulated machine: bad input to the sim engine or a guest the model cannot run. */
public final class SimException extends MemvirtException {
    private static final long serialVersionUID = 1L;

    public SimException(String message) {
        super(message);
    }
}
