package org.memvirt.image;

import org.memvirt.MemvirtException;

/**
 * The guest image cannot be built, found or used: one line saying why and, where it helps, what to install. Mostly
 * this host cannot (no package tools, no network, no space: exit status 3); a user's file that cannot be used is
 * refused input ({@link #input}: 1). The rule: docs/exit-codes.md.
 */
public final class ImageException extends MemvirtException {
    private static final long serialVersionUID = 1L;

    private final int exitCode;

    /** What this host cannot do (exit status 3). */
    public ImageException(String message) {
        this(message, HOST);
    }

    private ImageException(String message, int exitCode) {
        super(message);
        this.exitCode = exitCode;
    }

    /** Input the user gave that cannot be used (exit status 1). */
    public static ImageException input(String message) {
        return new ImageException(message, INPUT);
    }

    @Override
    public int exitCode() {
        return exitCode;
    }
}
