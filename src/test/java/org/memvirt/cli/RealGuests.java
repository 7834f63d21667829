package org.memvirt.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;

import org.memvirt.Skip;
import org.memvirt.image.ImageBuilder;
import org.memvirt.qemu.QemuBinary;
import org.memvirt.report.Json;

/**
 * Runs of {@code memvirt run --engine qemu} with real QEMU and a real Linux guest, for the qemu engine's tests: each
 * run boots one guest (the whole suite boots at most 8: docs/qemu-engine.md, "Tests"), so tests share runs where they can. Skips with
 * the reason where QEMU is not installed or no guest image can be had.
 */
final class RealGuests {
    private static final Optional<String> WHY_NOT = whyNot();

    private static Optional<String> whyNot() {
        String qemu = QemuBinary.unusableReason();
        if (qemu != null) return Optional.of("QEMU not usable here: " + qemu);
        return ImageBuilder.forThisUser().whyUnavailable().map(w -> "no guest image: " + w);
    }

    /** Skips the calling test (or class) unless a guest can be booted here. */
    static void assumeBootable() {
        Skip.unless(WHY_NOT.isEmpty(), () -> WHY_NOT.get());
    }

    /** {@code memvirt ARGS}, which must succeed, its JSON parsed; the run's notes are printed for the test log. */
    static JsonNode json(String... args) {
        MainTest.CliRun r = MainTest.CliRun.of(args);
        assertThat(r.rc()).as("memvirt %s%n%s", String.join(" ", args), r.err()).isZero();
        try {
            JsonNode j = Json.mapper().readTree(r.out());
            System.out.printf("memvirt %s: boot %s ms, resident %d MiB, notes %s%n", String.join(" ", args),
                    j.path("boot_ms"), j.at("/memory/resident_bytes").asLong() >> 20, j.path("notes"));
            return j;
        } catch (java.io.IOException e) {
            throw new AssertionError("not JSON: " + r.out(), e);
        }
    }

    private RealGuests() {}
}
