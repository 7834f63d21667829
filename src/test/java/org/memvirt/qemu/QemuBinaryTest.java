package org.memvirt.qemu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Finding qemu-system-x86_64 on a PATH and checking its version, with stand-in binaries that print a banner. */
class QemuBinaryTest {
    @TempDir Path dir;

    Path fake(String sub, String banner) throws IOException {
        Path d = Files.createDirectories(dir.resolve(sub));
        Path bin = d.resolve(QemuBinary.NAME);
        Files.writeString(bin, "#!/bin/sh\nprintf '" + banner + "\\n'\n");
        Files.setPosixFilePermissions(bin, PosixFilePermissions.fromString("rwxr-xr-x"));
        return d;
    }

    @Test
    void theVersionBannerIsParsed() throws IOException {
        Path d = fake("ok", "QEMU emulator version 7.2.22 (Debian 1:7.2+dfsg-7+deb12u18+b3)");
        QemuBinary b = QemuBinary.locate(dir.resolve("none") + ":" + d);
        assertThat(b).isEqualTo(new QemuBinary(d.resolve(QemuBinary.NAME), 7, 2, 22));
        assertThat(QemuBinary.locate(fake("new", "QEMU emulator version 10.0.3").toString()).version()).isEqualTo("10.0.3");
    }

    @Test
    void tooOldOrMissingIsOneLineWithWhatToInstall() throws IOException {
        Path old = fake("old", "QEMU emulator version 7.1.0");
        assertThatThrownBy(() -> QemuBinary.locate(old.toString())).hasMessage("qemu-system-x86_64 at "
                + old.resolve(QemuBinary.NAME) + " is version 7.1.0; " + QemuBinary.INSTALL_HINT);
        assertThatThrownBy(() -> QemuBinary.locate(dir.resolve("none").toString()))
                .hasMessage("qemu-system-x86_64 not found on PATH; install QEMU 7.2 or newer (Debian/Ubuntu: "
                        + "apt-get install --no-install-recommends qemu-system-x86)");
        Path odd = fake("odd", "hello");
        assertThatThrownBy(() -> QemuBinary.locate(odd.toString())).hasMessage(odd.resolve(QemuBinary.NAME)
                + " -version printed no QEMU version ('hello'); " + QemuBinary.INSTALL_HINT);
    }

    @Test
    void memvirtQemuOffHidesTheBinaryFromEveryEngineAndTest() {
        java.util.Map<String, String> off = java.util.Map.of(org.memvirt.host.HostEnv.QEMU, "off");
        assertThatThrownBy(() -> org.memvirt.host.HostEnv.with(off, QemuBinary::locate))
                .isInstanceOf(QemuException.class).hasMessage("qemu-system-x86_64 hidden (MEMVIRT_QEMU=off)");
        assertThat(org.memvirt.host.HostEnv.with(off, QemuBinary::find)).isEmpty();
        assertThat(org.memvirt.host.HostEnv.with(off, QemuBinary::unusableReason))
                .isEqualTo("qemu-system-x86_64 hidden (MEMVIRT_QEMU=off)");
    }
}
