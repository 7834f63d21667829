package org.memvirt;

/**
 * The root of every error memvirt reports to a user. Each package has its own subclass; only {@code cli} prints
 * one, as a single line, and turns it into a non-zero exit status.
 */
public abstract non-sealed class MemvirtException extends RuntimeException implements ExitCoded {
    private static final long serialVersionUID = 1L;

    protected MemvirtException(String message) {
        super(message);
    }

    protected MemvirtException(String message, Throwable cause) {
        super(message, cause);
    }

    /** The process exit status this error maps to; 1 unless a subclass says otherwise. */
    @Override
    public int exitCode() {
        return 1;
    }
}
