package org.memvirt.hostctl;

import java.nio.file.Path;

/**
 * For the KSM tests: starts a KSM session with odd knobs on the KSM sysfs directory given as the argument (the real one
 * without) and exits without closing it; the shutdown hook must restore.
 */
public final class KsmHookChild {
    public static void main(String[] args) {
        Path dir = args.length > 0 ? Path.of(args[0]) : KsmSession.DIR;
        KsmSession.start(dir, new KsmSettings(4321, 7, null, 1, java.time.Duration.ofMillis(args.length > 0 ? 1 : 5000)));
        System.out.println("run=" + KsmSession.readText(dir, "run") + " pages_to_scan=" + KsmSession.readText(dir, "pages_to_scan"));
        System.exit(0);
    }

    private KsmHookChild() {}
}
