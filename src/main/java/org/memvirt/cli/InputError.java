package org.memvirt.cli;

import org.memvirt.MemvirtException;

/** What a well-formed command line names is refused (a path that cannot be written, ...): exit status 1. */
final class InputError extends MemvirtException {
    private static final long serialVersionUID = 1L;

    InputError(String message) {
        super(message);
    }

    @Override
    public int exitCode() {
        return INPUT;
    }
}
