package org.memvirt.config;

import java.util.List;

import org.memvirt.MemvirtException;

/**
 * A configuration error carrying QEMU's exact text (without the program-name prefix), possibly several lines
 * (QEMU's hint lines follow the message), and the warnings QEMU would have printed before failing.
 */
public final class ConfigException extends MemvirtException {
    private static final long serialVersionUID = 1L;

    private final transient List<String> warnings;
    private final boolean usage;

    public ConfigException(String message) {
        this(message, List.of());
    }

    public ConfigException(String message, List<String> warnings) {
        this(message, warnings, false);
    }

    private ConfigException(String message, List<String> warnings, boolean usage) {
        super(message);
        this.warnings = List.copyOf(warnings);
        this.usage = usage;
    }

    /** A command line QEMU cannot split into options (an unknown option, a missing argument): a usage error. */
    public static ConfigException usage(String message) {
        return new ConfigException(message, List.of(), true);
    }

    @Override
    public int exitCode() {
        return usage ? USAGE : INPUT;
    }

    /** Warnings emitted before the error, in order, each without the program-name prefix. */
    public List<String> warnings() {
        return warnings;
    }

    /** The same error with QEMU's command-line location (for example {@code "-m 1.5"}) in front of the first line. */
    public ConfigException at(String location) {
        return new ConfigException(location + ": " + getMessage(), warnings, usage);
    }

    /** The same error once its warnings have been printed. */
    public ConfigException withoutWarnings() {
        return new ConfigException(getMessage(), List.of(), usage);
    }

    /** The same error with {@code earlier} warnings printed before this error's own. */
    public ConfigException after(List<String> earlier) {
        if (earlier.isEmpty()) return this;
        List<String> all = new java.util.ArrayList<>(earlier);
        all.addAll(warnings);
        return new ConfigException(getMessage(), all, usage);
    }
}
