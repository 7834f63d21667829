package org.memvirt.scenario;

import org.memvirt.MemvirtException;

/** A scenario file that cannot be loaded or run; the message names the file's field. */
public final class ScenarioException extends MemvirtException {
    private static final long serialVersionUID = 1L;

    public ScenarioException(String message) {
        super(message);
    }
}
