package org.memvirt;

/**
 * An error that knows the process exit status it stands for. The statuses are one rule for every command
 * (docs/exit-codes.md); picocli's own usage errors give {@link #USAGE} as well.
 */
public sealed interface ExitCoded permits MemvirtException {
    /** Done; for host-check: no check FAILed. */
    int OK = 0;
    /** The command line is well formed, but what it names or says is refused: a value, file, workload, config. */
    int INPUT = 1;
    /** The command line itself is wrong: no or unknown command or option, a bad option word, a missing argument. */
    int USAGE = 2;
    /** The request is valid, but this host cannot carry it out: no usable /dev/kvm, a KVM feature, KSM, swap. */
    int HOST = 3;
    /** The guest VM failed: triple fault, emulation failure, unexpected exit, timeout. */
    int GUEST = 4;
    /** A bug in memvirt: EX_SOFTWARE (FreeBSD/glibc sysexits.h). */
    int INTERNAL = 70;

    int exitCode();
}
