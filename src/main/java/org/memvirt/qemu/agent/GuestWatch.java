package org.memvirt.qemu.agent;

import java.util.Optional;
import java.util.function.BooleanSupplier;
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
     * once QEMU is no longer {@code running}, its {@code diagnosis} (e.g. QemuProcess.diagnosis(): how it ended and
     * what it said), read after the console's last lines are in.
     */
    static GuestWatch of(GuestConsole console, BooleanSupplier running, Supplier<String> diagnosis) {
        return () -> {
            Optional<String> panic = console.panic();
            if (panic.isPresent()) return Optional.of("guest kernel panic: " + panic.get());
            if (running.getAsBoolean()) return Optional.empty();
            for (int i = 0; i < 20 && !console.ended(); i++) AgentConnection.sleep(50);   // the console's last lines
            panic = console.panic();
            if (panic.isPresent()) return Optional.of("guest kernel panic: " + panic.get());
            return Optional.of(diagnosis.get());
        };
    }
}
