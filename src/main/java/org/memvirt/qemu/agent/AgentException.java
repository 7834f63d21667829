package org.memvirt.qemu.agent;

import org.memvirt.MemvirtException;

/** The guest agent failed, died, went silent or broke its protocol: one line saying which, and during what. */
public final class AgentException extends MemvirtException {
    private static final long serialVersionUID = 1L;

    public AgentException(String message) {
        super(message);
    }
}
