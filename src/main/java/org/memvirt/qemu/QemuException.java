package org.memvirt.qemu;

import org.memvirt.MemvirtException;

/**
 * QEMU could not be found, started, driven or stopped, or it answered a QMP command with an error; one line that
 * says which and, where known, why. For a QMP error reply {@link #errorClass()} is QEMU's class
 * ({@code GenericError}, {@code DeviceNotActive}, {@code CommandNotFound}, ...).
 */
public final class QemuException extends MemvirtException {
    private static final long serialVersionUID = 1L;

    private final String errorClass;

    public QemuException(String message) {
        this(message, (String) null);
    }

    public QemuException(String message, Throwable cause) {
        super(message, cause);
        this.errorClass = null;
    }

    private QemuException(String message, String errorClass) {
        super(message);
        this.errorClass = errorClass;
    }

    /** QEMU's error reply to {@code command} (qapi/qmp-dispatch.c: {@code {"error": {"class": ..., "desc": ...}}}). */
    static QemuException qmpError(String command, String errorClass, String desc) {
        return new QemuException("QMP " + command + ": " + desc + " (" + errorClass + ")", errorClass);
    }

    /** QEMU's QMP error class, or null when this is not a QMP error reply. */
    public String errorClass() {
        return errorClass;
    }
}
