package org.memvirt.kvm;

import org.memvirt.MemvirtException;
import org.memvirt.host.Errno;

/**
 * A failed KVM or libc call, or a kvm-engine request that cannot be served: the call, the errno and what to check.
 * A failed call and {@link #host} errors mean this host cannot do it (exit status 3); a refused request is an input
 * error (1); a failed guest is a {@link GuestFailure} (4). The rule: docs/exit-codes.md.
 */
public class KvmException extends MemvirtException {
    private static final long serialVersionUID = 1L;

    private final int errno;
    private final int exitCode;

    /** A request the kvm engine refuses (exit status 1). */
    public KvmException(String message) {
        this(message, INPUT);
    }

    KvmException(String message, int exitCode) {
        super(message);
        this.errno = 0;
        this.exitCode = exitCode;
    }

    /** A failed system call (exit status 3). */
    public KvmException(String call, int errno, String hint) {
        super(call + " failed: " + Errno.name(errno) + " (" + errno + ")" + (hint.isEmpty() ? "" : "; " + hint));
        this.errno = errno;
        this.exitCode = HOST;
    }

    /** What this host's KVM (or its KSM, swap, ...) cannot do (exit status 3). */
    public static KvmException host(String message) {
        return new KvmException(message, HOST);
    }

    /** The errno of the failed call, or 0. */
    public int errno() {
        return errno;
    }

    @Override
    public int exitCode() {
        return exitCode;
    }
}
