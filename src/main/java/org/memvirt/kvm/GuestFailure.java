package org.memvirt.kvm;

/**
 * The guest stopped abnormally (triple fault, emulation failure, internal error, unexpected exit, fatal guest
 * exception, timeout). The message is the one-line diagnosis: exit reason, RIP and the op that was running.
 */
public final class GuestFailure extends KvmException {
    private static final long serialVersionUID = 1L;

    public GuestFailure(String diagnosis) {
        super(diagnosis);
    }

    /** The VM failed, not the request (docs/exit-codes.md). */
    @Override
    public int exitCode() {
        return GUEST;
    }
}
