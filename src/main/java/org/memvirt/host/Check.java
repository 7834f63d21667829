package org.memvirt.host;

/**
 * One line of a virt-host-validate style report: what was checked, the result, and a hint (null for PASS).
 * {@code name} is the text after "Checking ", as libvirt words it where libvirt makes the same check.
 */
public record Check(String name, Result result, String hint) {

    /** libvirt's levels (tools/virt-host-validate-common.h); only FAIL makes the exit status non-zero. */
    public enum Result { PASS, WARN, FAIL, NOTE }

    static Check pass(String name) {
        return new Check(name, Result.PASS, null);
    }

    static Check warn(String name, String hint) {
        return new Check(name, Result.WARN, hint);
    }

    static Check fail(String name, String hint) {
        return new Check(name, Result.FAIL, hint);
    }

    static Check note(String name, String hint) {
        return new Check(name, Result.NOTE, hint);
    }
}
