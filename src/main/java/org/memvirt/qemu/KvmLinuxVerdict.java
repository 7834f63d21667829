package org.memvirt.qemu;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.memvirt.image.ImageBuilder;

/**
 * Whether a Linux guest failed to boot under this host's KVM, remembered across runs until the host reboots: a KVM
 * that opens and answers its ioctls may still not run a stock kernel (a KVM that emulates guest CPL0 in software stops
 * at the first instruction its emulator lacks, cmpxchg16b or xrstor, after a minute or more of emulation), and only a
 * boot tells. The first failed boot is recorded in the user's cache ({@code kvm-linux-boot}) with the host's boot id
 * and QEMU's version; while both match, later runs (other processes, each VM of a scenario) go to TCG at once and say
 * why. A reboot (a new KVM module, perhaps) or another QEMU makes the next boot try KVM again.
 */
final class KvmLinuxVerdict {
    static final String FILE = "kvm-linux-boot";
    private static final Path BOOT_ID = Path.of("/proc/sys/kernel/random/boot_id");  // linux Documentation/admin-guide/sysctl/kernel.rst random

    /** Set in this JVM at the first failure, so that a cache that cannot be written still ends the retries here. */
    private static volatile String refusedHere;

    private KvmLinuxVerdict() {}

    /** Why a Linux guest does not boot under this host's KVM, if a boot since the host started has shown it. */
    static Optional<String> refused() {
        if (refusedHere != null) return Optional.of(refusedHere);
        return read(file(), key());
    }

    /** Records that a Linux guest did not boot under this host's KVM, and why (one line). */
    static void record(String why) {
        refusedHere = why;
        write(file(), key(), why, Instant.now());
    }

    /** Forgets the verdict in this JVM (tests). The file is the caller's to delete. */
    static void forgetHere() {
        refusedHere = null;
    }

    /** The verdict in {@code file} when it was recorded under {@code key}: "why (seen at TIME)". */
    static Optional<String> read(Path file, String key) {
        try {
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            if (lines.size() < 3 || !lines.get(0).equals(key)) return Optional.empty();
            return Optional.of(lines.get(2) + " (found by a boot at " + lines.get(1) + ", remembered until the host"
                    + " reboots)");
        } catch (IOException | RuntimeException e) {
            return Optional.empty();                                 // no verdict: the next boot decides
        }
    }

    /** Writes {@code key}, the time and {@code why} to {@code file} whole (a temporary file moved over it) or not at all. */
    static void write(Path file, String key, String why, Instant at) {
        try {
            Files.createDirectories(file.getParent());
            Path tmp = Files.createTempFile(file.getParent(), FILE, ".tmp");
            try {
                Files.writeString(tmp, key + "\n" + at + "\n" + why.replace('\n', ' ') + "\n", StandardCharsets.UTF_8);
                try {
                    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException | RuntimeException e) {
            // an unwritable cache: this JVM remembers (refusedHere); the next process boots under KVM once more
        }
    }

    /** This host's boot and QEMU: the verdict holds while both are the same. */
    static String key() {
        String boot;
        try {
            boot = Files.readString(BOOT_ID).strip();
        } catch (IOException e) {
            boot = "unknown";
        }
        String qemu;
        try {
            QemuBinary b = QemuBinary.locate();
            qemu = b.path() + " " + b.version();
        } catch (QemuException e) {
            qemu = "none";
        }
        return "boot " + boot + ", " + qemu;
    }

    private static Path file() {
        return ImageBuilder.forThisUser().cacheRoot().resolveSibling(FILE);
    }
}
