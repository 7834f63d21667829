package org.memvirt.workload;

import org.memvirt.MemvirtException;

/**
 * A workload that cannot be parsed or does not fit the guest. The message names the place (source, line and
 * column where known) and the op as written, e.g. {@code workload: 1:7: expected a size after 'touch', found 'abc'
 * (in 'touch abc')}.
 */
public final class WorkloadException extends MemvirtException {
    private static final long serialVersionUID = 1L;

    public WorkloadException(String message) {
        super(message);
    }

    public WorkloadException(String message, Throwable cause) {
        super(message, cause);
    }
}
