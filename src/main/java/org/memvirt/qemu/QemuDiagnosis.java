package org.memvirt.qemu;

import java.util.List;

/**
 * One line saying why a QEMU process ended or failed, from its exit status and its stderr: QEMU's own error line
 * (without the {@code qemu-system-x86_64: } prefix and without warnings) with, for the errors users meet most, what
 * it means.
 */
public final class QemuDiagnosis {
    /** Java reports a process killed by signal N as exit status 128 + N (java.lang.ProcessImpl, as a shell does). */
    static final int SIGNAL_BASE = 128;
    private static final String PREFIX = QemuBinary.NAME + ": ";

    /** Known QEMU errors: a fragment of QEMU's line and what memvirt adds to it. */
    private record Known(String fragment, String meaning) {}

    private static final List<Known> KNOWN = List.of(
            new Known("cannot set up guest memory", "the host would not give QEMU the guest's RAM"),
            new Known("Could not access KVM kernel module", "KVM is not usable on this host"),
            new Known("failed to initialize kvm", "KVM is not usable on this host"),
            new Known("is not a valid device model name", "unknown -device"),
            new Known("invalid option", ""),
            new Known("requires an argument", ""));

    /**
     * Why QEMU ended with {@code exitStatus} after printing {@code stderr}: {@code QEMU exited with status 1:
     * cannot set up guest memory 'pc.ram': Cannot allocate memory (the host would not give QEMU the guest's RAM)}.
     */
    public static String of(int exitStatus, String stderr) {
        String how = exitStatus > SIGNAL_BASE && exitStatus < SIGNAL_BASE + 65
                ? "QEMU was killed by " + signalName(exitStatus - SIGNAL_BASE)
                : "QEMU exited with status " + exitStatus;
        String error = errorLine(stderr);
        return error == null ? how : how + ": " + error;
    }

    /** QEMU's first error line (warnings skipped), prefix removed, with its meaning where known; null if none. */
    static String errorLine(String stderr) {
        String first = null;
        for (String line : stderr.lines().toList()) {
            String text = line.startsWith(PREFIX) ? line.substring(PREFIX.length()) : line;
            if (text.isBlank() || text.contains("warning: ")) continue;
            first = text.strip();
            break;
        }
        if (first == null) return null;
        for (Known k : KNOWN) {
            if (first.contains(k.fragment())) return k.meaning().isEmpty() ? first : first + " (" + k.meaning() + ")";
        }
        return first;
    }

    static String signalName(int signal) {
        String name = switch (signal) {                            // linux arch/x86/include/uapi/asm/signal.h
            case 1 -> "SIGHUP";
            case 2 -> "SIGINT";
            case 6 -> "SIGABRT";
            case 9 -> "SIGKILL";
            case 11 -> "SIGSEGV";
            case 15 -> "SIGTERM";
            default -> null;
        };
        return name == null ? "signal " + signal : name + " (signal " + signal + ")";
    }

    private QemuDiagnosis() {}
}
