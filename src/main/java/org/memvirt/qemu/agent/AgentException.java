package org.memvirt.qemu.agent;

import org.memvirt.MemvirtException;

/**
 * The guest agent failed, died, went silent or broke its protocol: one line saying which, and during what. The guest
 * failed, so the exit status is 4 (docs/exit-codes.md).
 */
public final class AgentException extends MemvirtException {
    private static final long serialVersionUID = 1L;

    public AgentException(String message) {
        super(message);
    }

    @Override
    public int exitCode() {
        return GUEST;
    }
}
