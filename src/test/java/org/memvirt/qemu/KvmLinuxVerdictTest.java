package org.memvirt.qemu;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A failed KVM boot of a Linux guest is remembered for the same host boot and QEMU, and for nothing else. */
class KvmLinuxVerdictTest {
    @TempDir
    Path dir;

    @Test
    void aVerdictHoldsForItsKeyOnly() {
        Path f = dir.resolve("cache").resolve(KvmLinuxVerdict.FILE);
        assertThat(KvmLinuxVerdict.read(f, "boot a, qemu 7.2.22")).isEmpty();
        KvmLinuxVerdict.write(f, "boot a, qemu 7.2.22", "a Linux guest did not boot under this host's KVM (KVM internal"
                + "\nerror)", Instant.parse("2026-12-08T01:00:00Z"));
        assertThat(KvmLinuxVerdict.read(f, "boot a, qemu 7.2.22")).contains("a Linux guest did not boot under this host's"
                + " KVM (KVM internal error) (found by a boot at 2026-12-08T01:00:00Z, remembered until the host reboots)");
        assertThat(KvmLinuxVerdict.read(f, "boot b, qemu 7.2.22")).as("after a reboot").isEmpty();
        assertThat(KvmLinuxVerdict.read(f, "boot a, qemu 8.0.0")).as("another QEMU").isEmpty();
    }

    @Test
    void aTruncatedFileIsNoVerdict() throws Exception {
        Path f = dir.resolve(KvmLinuxVerdict.FILE);
        Files.writeString(f, "boot a, qemu 7.2.22\n");
        assertThat(KvmLinuxVerdict.read(f, "boot a, qemu 7.2.22")).isEmpty();
        try (var s = Files.list(dir)) {
            assertThat(s.count()).isEqualTo(1);
        }
    }

    @Test
    void theKeyNamesTheHostsBoot() throws Exception {
        String boot = Files.readString(Path.of("/proc/sys/kernel/random/boot_id")).strip();
        assertThat(KvmLinuxVerdict.key()).startsWith("boot " + boot + ", ");
    }
}
