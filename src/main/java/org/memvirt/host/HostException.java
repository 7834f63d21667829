package org.memvirt.host;

import org.memvirt.MemvirtException;

/** A host fact that could not be read, or a host root that does not exist. */
public final class HostException extends MemvirtException {
    private static final long serialVersionUID = 1L;

    private final int exitCode;

    public HostException(String message) {
        this(message, HOST);
    }

    /** An error with the exit status {@code exitCode} ({@link #USAGE} for a bad memvirt environment variable). */
    public HostException(String message, int exitCode) {
        super(message);
        this.exitCode = exitCode;
    }

    public HostException(String message, Throwable cause) {
        super(message, cause);
        this.exitCode = HOST;
    }

    @Override
    public int exitCode() {
        return exitCode;
    }
}
