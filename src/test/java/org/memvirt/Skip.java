package org.memvirt;

import java.util.function.Supplier;

import org.junit.jupiter.api.Assumptions;
import org.memvirt.kvm.KvmEngine;

/**
 * Skips the running test where the host lacks what it needs (a usable /dev/kvm, root, KSM, swap, a program), never
 * for what the code under test returned. {@link PrintSkips} prints every skip with its reason.
 */
public final class Skip {

    /** Skips unless {@code condition}. */
    public static void unless(boolean condition, String why) {
        if (!condition) now(why);
    }

    /** Skips unless {@code condition}; {@code why} is asked only when skipping. */
    public static void unless(boolean condition, Supplier<String> why) {
        if (!condition) now(why.get());
    }

    /** Skips unless the kvm engine is usable here (KvmEngine.usable(), which honours MEMVIRT_KVM). */
    public static void unlessKvm() {
        KvmEngine.Usability u = KvmEngine.usable();
        unless(u.usable(), () -> "the kvm engine is not usable here: " + u.reason());
    }

    /** Skips now. */
    public static void now(String why) {
        Assumptions.abort(why);
    }

    private Skip() {}
}
