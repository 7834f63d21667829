package org.memvirt.hostctl;

import org.memvirt.MemvirtException;

/**
 * A host setting memvirt could not make or undo: this host cannot (no memory controller, no root, swapon refused, no
 * disk space: exit status 3), or the request itself is refused (bad KSM settings, a limit below zero: 1).
 */
public final class HostctlException extends MemvirtException {
    private static final long serialVersionUID = 1L;

    private final int exitCode;

    private HostctlException(String message, int exitCode) {
        super(message);
        this.exitCode = exitCode;
    }

    /** What this host cannot do, or a host file memvirt could not read or write (exit status 3). */
    public static HostctlException host(String message) {
        return new HostctlException(message, HOST);
    }

    /** A request memvirt refuses (exit status 1). */
    public static HostctlException input(String message) {
        return new HostctlException(message, INPUT);
    }

    @Override
    public int exitCode() {
        return exitCode;
    }
}
