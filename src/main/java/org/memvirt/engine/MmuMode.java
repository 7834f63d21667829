package org.memvirt.engine;

import java.util.Locale;

/** How guest-physical memory is virtualized: two-dimensional paging (Intel EPT, AMD NPT) or shadow paging. */
public enum MmuMode {
    EPT, NPT, SHADOW;

    /** The name used on the command line and in JSON: {@code ept}, {@code npt}, {@code shadow}. */
    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }

    public boolean twoDimensional() {
        return this != SHADOW;
    }
}
