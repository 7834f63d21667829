package org.memvirt.kvm;

import org.memvirt.MemvirtException;
import org.memvirt.host.Errno;

/** A failed KVM or libc call, or a kvm-engine request that cannot be served: the call, the errno and what to check. */
public class KvmException extends MemvirtException {
    private static final long serialVersionUID = 1L;

    private final int errno;

    public KvmException(String message) {
        super(message);
        this.errno = 0;
    }

    public KvmException(String call, int errno, String hint) {
        super(call + " failed: " + Errno.name(errno) + " (" + errno + ")" + (hint.isEmpty() ? "" : "; " + hint));
        this.errno = errno;
    }

    /** The errno of the failed call, or 0. */
    public int errno() {
        return errno;
    }
}
