package org.memvirt.kvm;

/** For {@link KsmTest}: starts a KSM session with odd knobs and exits without closing it; the shutdown hook must restore. */
final class KsmHookChild {
    public static void main(String[] args) {
        KsmSession.start(new KsmSettings(4321, 7, null, 1, java.time.Duration.ofSeconds(5)));
        System.out.println("run=" + KsmSession.readText("run") + " pages_to_scan=" + KsmSession.readText("pages_to_scan"));
        System.exit(0);
    }

    private KsmHookChild() {}
}
