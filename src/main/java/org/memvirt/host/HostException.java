package org.memvirt.host;

import org.memvirt.MemvirtException;

/** A host fact that could not be read, or a host root that does not exist. */
public final class HostException extends MemvirtException {
    private static final long serialVersionUID = 1L;

    public HostException(String message) {
        super(message);
    }

    public HostException(String message, Throwable cause) {
        super(message, cause);
    }
}
