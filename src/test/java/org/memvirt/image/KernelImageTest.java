package org.memvirt.image;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.zip.GZIPOutputStream;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The vmlinux inside a bzImage: found after its compressed stream's magic, unpacked, checked for the PVH note. */
class KernelImageTest {
    @TempDir
    Path dir;
    byte[] vmlinux;

    /** A tiny linked ELF whose PT_NOTE holds a Xen note of type 18 (XEN_ELFNOTE_PHYS32_ENTRY), as Debian's vmlinux has. */
    @BeforeEach
    void link() throws Exception {
        Path s = Files.writeString(dir.resolve("pvh.S"), """
                .section .note.Xen, "a", @note
                .balign 4
                .long 4, 4, 18
                .asciz "Xen"
                .long 0x1000000
                .text
                .globl _start
                _start: hlt
                """);
        Path elf = dir.resolve("vmlinux.elf");
        Process p = new ProcessBuilder("gcc", "-nostdlib", "-static", "-o", elf.toString(), s.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as(out).isZero();
        vmlinux = Files.readAllBytes(elf);
    }

    /** A bzImage look-alike: setup code, the compressed kernel, then trailing bytes (the bzImage's size field and more). */
    private Path bzImage(byte[] compressed) throws Exception {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write(new byte[21_196]);                                 // where Debian's XZ stream starts in its bzImage
        b.write(compressed);
        b.write(new byte[] {1, 2, 3, 4, 0, 0, 0, 0, 5, 6, 7});
        return Files.write(dir.resolve("vmlinuz"), b.toByteArray());
    }

    @Test
    void aGzipPayloadIsUnpackedInJava() throws Exception {
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream o = new GZIPOutputStream(gz)) {
            o.write(vmlinux);
        }
        Path out = dir.resolve("vmlinux");
        assertThat(KernelImage.extractVmlinux(bzImage(gz.toByteArray()), out, HostCommands.SYSTEM)).isEmpty();
        assertThat(Files.readAllBytes(out)).isEqualTo(vmlinux);
    }

    @Test
    void anXzPayloadIsUnpackedWithXzAndTheTrailingBytesIgnored() throws Exception {
        Assumptions.assumeTrue(HostCommands.SYSTEM.onPath("xz"), "xz is not installed");
        Path raw = Files.write(dir.resolve("raw"), vmlinux);
        Process p = new ProcessBuilder("xz", "--check=crc32", "-k", raw.toString()).start();   // as the kernel's build does
        assertThat(p.waitFor()).isZero();
        Path out = dir.resolve("vmlinux");
        assertThat(KernelImage.extractVmlinux(bzImage(Files.readAllBytes(dir.resolve("raw.xz"))), out, HostCommands.SYSTEM)).isEmpty();
        assertThat(Files.readAllBytes(out)).isEqualTo(vmlinux);
        assertThat(Files.exists(dir.resolve("vmlinux.xz"))).isFalse();
    }

    @Test
    void aKernelWithoutThePvhNoteOrCutShortIsNotUsed() throws Exception {
        Path plain = Files.writeString(dir.resolve("p.S"), ".text\n.globl _start\n_start: hlt\n");
        Path elf = dir.resolve("plain.elf");
        assertThat(new ProcessBuilder("gcc", "-nostdlib", "-static", "-o", elf.toString(), plain.toString()).start().waitFor()).isZero();
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream o = new GZIPOutputStream(gz)) {
            o.write(Files.readAllBytes(elf));
        }
        assertThat(KernelImage.extractVmlinux(bzImage(gz.toByteArray()), dir.resolve("a"), HostCommands.SYSTEM))
                .isEqualTo(Optional.of("the kernel has no PVH entry point (CONFIG_PVH)"));
        ByteArrayOutputStream cut = new ByteArrayOutputStream();
        try (GZIPOutputStream o = new GZIPOutputStream(cut)) {
            o.write(vmlinux, 0, vmlinux.length - 100);
        }
        assertThat(KernelImage.extractVmlinux(bzImage(cut.toByteArray()), dir.resolve("b"), HostCommands.SYSTEM))
                .isEqualTo(Optional.of("the unpacked kernel is cut short"));
    }
}
