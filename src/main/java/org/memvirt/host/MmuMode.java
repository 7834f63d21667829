package org.memvirt.host;

import com.fasterxml.jackson.annotation.JsonValue;

/** How KVM maps guest memory: two-dimensional paging (Intel EPT, AMD NPT) or shadow page tables. */
public enum MmuMode {
    EPT("ept"),
    NPT("npt"),
    SHADOW("shadow");

    private final String word;

    MmuMode(String word) {
        this.word = word;
    }

    /** The lower-case word used in JSON and on the command line ("ept", "npt", "shadow"). */
    @JsonValue
    public String word() {
        return word;
    }

    /** Two-dimensional paging: guest #PF, INVLPG and MOV CR3 cause no exit. */
    public boolean twoDimensional() {
        return this != SHADOW;
    }
}
