package org.memvirt.qemu.agent;

import java.util.Optional;
import java.util.function.Supplier;

/**
 * Tells an agent session why the guest can no longer answer: a kernel panic on its console, QEMU gone (and what it
 * said). Asked while waiting for a reply and when the channel closes; whoever runs QEMU provides it.
 */
@FunctionalInterface
public interface GuestWatch {
    GuestWatch NONE = () -> Optional.empty();

    /** A one-line reason the guest is dead, or empty while it may still answer. */
    Optional<String> failure();

    /**
     * The usual watch: the console's panic line first (QEMU exits right after it: panic=-1 with -no-reboot), else
     * QEMU's exit with its status and {@code lastWords} (e.g. its last stderr line, or empty).
     */
    static GuestWatch of(GuestConsole console, Process qemu, Supplier<String> lastWords) {
        return () -> {
            Optional<String> panic = console.panic();
            if (panic.isPresent()) return Optional.of("guest kernel panic: " + panic.get());
            if (qemu.isAlive()) return Optional.empty();
            for (int i = 0; i < 20 && !console.ended(); i++) AgentChannel.sleep(50);   // the console's last lines
            panic = console.panic();
            if (panic.isPresent()) return Optional.of("guest kernel panic: " + panic.get());
            String words = lastWords.get();
            return Optional.of("QEMU exited with status " + qemu.exitValue() + (words.isBlank() ? "" : ": " + words.strip()));
        };
    }
}
