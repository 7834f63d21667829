package org.memvirt;

import java.util.function.Supplier;

import org.junit.jupiter.api.Assumptions;
import org.memvirt.kvm.KvmEngine;

/**
 * Skips the running test where the host lacks what it needs, printing why on stdout first (surefire shows a skip's
 * reason only in its report files): {@code SKIPPED Class.method: reason}. Only for what the host has (a usable
 * /dev/kvm, root, KSM, swap, a program), never for what the code under test returned.
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
        System.out.println("SKIPPED " + caller() + ": " + why);
        Assumptions.abort(why);
    }

    /** The outermost project frame of the calling chain: the test method (or its set-up method). */
    private static String caller() {
        return StackWalker.getInstance().walk(frames -> frames
                .takeWhile(f -> f.getClassName().startsWith("org.memvirt."))
                .filter(f -> !f.getClassName().equals(Skip.class.getName()))
                .reduce((inner, outer) -> outer)
                .map(f -> f.getClassName().substring(f.getClassName().lastIndexOf('.') + 1) + "." + f.getMethodName())
                .orElse("?"));
    }

    private Skip() {}
}
