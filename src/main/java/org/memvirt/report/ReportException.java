package org.memvirt.report;

import org.memvirt.MemvirtException;

/** A report that could not be written. */
public final class ReportException extends MemvirtException {
    private static final long serialVersionUID = 1L;

    public ReportException(String message, Throwable cause) {
        super(message, cause);
    }
}
