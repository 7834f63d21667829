package org.memvirt.qemu.image;

import org.memvirt.MemvirtException;

/** The guest image cannot be built, found or used: one line saying why and, where it helps, what to install. */
public final class ImageException extends MemvirtException {
    private static final long serialVersionUID = 1L;

    public ImageException(String message) {
        super(message);
    }
}
