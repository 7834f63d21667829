package org.memvirt.kvm;

import org.memvirt.MemvirtException;

/** A failed KVM or libc call, or a kvm-engine request that cannot be served: the call, the errno and what to check. */
public class KvmException extends MemvirtException {
    private static final long serialVersionUID = 1L;

    public KvmException(String message) {
        super(message);
    }

    public KvmException(String call, int errno, String hint) {
        super(call + " failed: " + Errno.name(errno) + " (" + errno + ")" + (hint.isEmpty() ? "" : "; " + hint));
    }
}
