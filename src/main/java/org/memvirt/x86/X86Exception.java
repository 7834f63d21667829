package org.memvirt.x86;

import org.memvirt.MemvirtException;

/** A bad x86 model input: an unmapped address for a builder, an unknown preset, a malformed description. */
public final class X86Exception extends MemvirtException {
    private static final long serialVersionUID = 1L;

    public X86Exception(String message) {
        super(message);
    }
}
