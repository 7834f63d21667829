package org.memvirt.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.memvirt.engine.RunListener;
import org.memvirt.image.GuestImage;
import org.memvirt.image.ImageBuilder;
import org.memvirt.image.NewcArchive;

/**
 * memvirt as a memory meter around a guest that runs its own work (one boot): the user's kernel and initramfs
 * ({@code --kernel}, {@code --initrd}), no agent, measured from the host and over QMP alone. The guest here is
 * memvirt's own image with its /init replaced (a second cpio appended to the initramfs: the kernel unpacks both, the
 * later /init wins; linux Documentation/driver-api/early-userspace/buffer-format.rst), so nothing is downloaded: it
 * loads the virtio modules, writes 128 MiB into its RAM-backed root file system and sleeps.
 */
@Tag("qemu")
class QemuOwnGuestTest {
    private static final long MIB = 1L << 20;

    @BeforeAll
    static void bootable() {
        RealGuests.assumeBootable();
    }

    /** The image's initramfs with an /init that fills 128 MiB and sleeps instead of running the agent. */
    static Path initrdWithoutAgent(GuestImage image, Path dir) throws IOException {
        String init = """
                #!/bin/busybox sh
                /bin/busybox --install -s /bin
                export PATH=/bin
                mount -t proc proc /proc
                mount -t sysfs sysfs /sys
                mount -t devtmpfs devtmpfs /dev
                for m in %s; do insmod /lib/memvirt/$m.ko; done
                dd if=/dev/zero of=/fill bs=1M count=128
                exec sleep 100000
                """.formatted(String.join(" ", image.manifest().modules()));
        ByteArrayOutputStream extra = new ByteArrayOutputStream();
        try (OutputStream gz = new GZIPOutputStream(extra)) {
            NewcArchive cpio = new NewcArchive(gz);
            cpio.file("init", 0755, init.getBytes(StandardCharsets.UTF_8));
            cpio.finish();
        }
        Path initrd = dir.resolve("own-initrd.img");
        Files.write(initrd, Files.readAllBytes(image.initrd()));
        Files.write(initrd, extra.toByteArray(), java.nio.file.StandardOpenOption.APPEND);
        return initrd;
    }

    @Test
    void aGuestWithoutTheAgentIsMeasuredFromTheHostAndOverQmp(@TempDir Path dir) throws IOException {
        GuestImage image = ImageBuilder.forThisUser().obtain(RunListener.NONE);
        Path initrd = initrdWithoutAgent(image, dir);
        JsonNode j = RealGuests.json("run", "-M", "microvm", "-m", "1G", "--engine", "qemu", "--kernel",
                image.kernel().toString(), "--initrd", initrd.toString(), "--workload", "sleep 10s; balloon to 256M",
                "--duration", "4s", "--json");
        assertThat(j.at("/guest/agent").asBoolean()).isFalse();
        assertThat(j.has("boot_ms")).isFalse();                          // no agent: no ready message to time
        assertThat(j.at("/memory").has("accounting")).isFalse();
        assertThat(j.at("/guest/meminfo").isEmpty()).isTrue();
        // the guest's free from its balloon driver's statistics (virtio 1.2 §5.5.6.3): 1 GiB less the kernel's
        // reservations and the 256 MiB balloon; the 128 MiB file is in its RAM-backed root
        long total = j.at("/guest/free/total").asLong();
        assertThat(total).isBetween(512 * MIB, 768 * MIB);
        assertThat(j.at("/counters/balloon_actual_pages").asLong()).isEqualTo(256 * MIB / 4096);
        assertThat(j.at("/memory/resident_bytes").asLong()).isGreaterThanOrEqualTo(128 * MIB);
        assertThat(j.at("/notes").toString()).contains("no memvirt agent in the guest",
                "balloon to 256M: waited ");   // for the guest's balloon driver: the guest gives no other sign it is up
        JsonNode samples = j.at("/timeline/samples");
        assertThat(samples.size()).isGreaterThanOrEqualTo(50);          // >= 14 s at one sample per 200 ms
        assertThat(samples.get(samples.size() - 1).get("t").asDouble()).isGreaterThanOrEqualTo(14);
        assertThat(samples.get(samples.size() - 1).get("balloon_bytes").asLong()).isEqualTo(256 * MIB);
        assertThat(j.at("/timeline/marks/2/label").asText()).isEqualTo("watch 4 s");
    }

    @Test
    void opsOnlyTheAgentRunsAreRefusedBeforeQemuStarts(@TempDir Path dir) throws IOException {
        Path initrd = Files.writeString(dir.resolve("initrd.img"), "not booted");
        MainTest.CliRun r = MainTest.CliRun.of("run", "-m", "1G", "--engine", "qemu", "--initrd", initrd.toString(),
                "--workload", "sleep 1s; touch 1M");
        assertThat(r.rc()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("memvirt: 'touch 1M': this guest does not run memvirt's agent (--initrd " + initrd
                + " is yours); only balloon and sleep ops run on it, from the host\n");
    }
}
