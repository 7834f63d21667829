package org.memvirt.image;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.zip.GZIPInputStream;

/**
 * The kernel as QEMU boots it fastest: the uncompressed vmlinux inside Debian's bzImage, which QEMU loads directly and
 * enters through its PVH entry point (qemu hw/i386/x86.c load_elfboot: an ELF kernel carrying the
 * XEN_ELFNOTE_PHYS32_ENTRY note; Debian's kernel has CONFIG_PVH). That skips the bzImage's own decompressor, which
 * under TCG takes most of the boot (measured here: the first kernel line 13-17 s after QEMU starts from the bzImage,
 * 1.9-2.4 s from the vmlinux). Found as linux scripts/extract-vmlinux finds it: the first compressed stream in the
 * file that unpacks to a complete ELF.
 */
final class KernelImage {
    static final byte[] XZ_MAGIC = {(byte) 0xFD, '7', 'z', 'X', 'Z', 0};   // .xz file format 1.1.0, 2.1.1.1 Header Magic Bytes
    static final byte[] GZIP_MAGIC = {0x1F, (byte) 0x8B, 8};              // RFC 1952 2.3.1: ID1 ID2 CM=deflate
    static final int XEN_ELFNOTE_PHYS32_ENTRY = 18;                       // xen include/public/elfnote.h

    /**
     * Writes the vmlinux inside {@code bzImage} to {@code out}; empty when done, else why not (then boot the bzImage).
     * XZ (Debian's choice, CONFIG_KERNEL_XZ) is unpacked with {@code xz}, which every Debian system has; gzip in Java.
     */
    static Optional<String> extractVmlinux(Path bzImage, Path out, HostCommands commands) {
        byte[] image;
        try {
            image = Files.readAllBytes(bzImage);
        } catch (IOException e) {
            return Optional.of("cannot read " + bzImage + ": " + e.getMessage());
        }
        int xz = indexOf(image, XZ_MAGIC), gz = indexOf(image, GZIP_MAGIC);
        try {
            if (xz >= 0) {
                if (!commands.onPath("xz")) return Optional.of("the kernel is XZ-compressed and xz is not installed");
                Path payload = out.resolveSibling(out.getFileName() + ".xz");
                Files.write(payload, java.util.Arrays.copyOfRange(image, xz, image.length));
                // --single-stream: stop after the kernel's stream and ignore the bytes the bzImage has after it
                HostCommands.Result r = commands.run(List.of("xz", "-d", "--single-stream", payload.toString()), out.getParent(),
                        Duration.ofMinutes(5));
                Files.deleteIfExists(payload);
                if (!r.ok()) return Optional.of("xz could not unpack the kernel: " + r.lastLine());
            } else if (gz >= 0) {
                try (InputStream in = new GZIPInputStream(new java.io.ByteArrayInputStream(image, gz, image.length - gz));
                     OutputStream o = Files.newOutputStream(out)) {
                    in.transferTo(o);
                } catch (java.util.zip.ZipException e) {
                    // bytes after the gzip member: what was unpacked before them is the kernel
                }
            } else {
                return Optional.of("the kernel's payload is neither XZ nor gzip");
            }
            return check(out);
        } catch (IOException e) {
            return Optional.of("cannot unpack the kernel: " + e.getMessage());
        }
    }

    /** Empty when {@code vmlinux} is a complete ELF with a PVH entry point. */
    private static Optional<String> check(Path vmlinux) {
        if (!Files.isRegularFile(vmlinux)) return Optional.of("unpacking the kernel left no " + vmlinux.getFileName());
        try {
            Elf64 elf = Elf64.open(vmlinux);
            if (!elf.complete()) return Optional.of("the unpacked kernel is cut short");
            if (!elf.hasNote("Xen", XEN_ELFNOTE_PHYS32_ENTRY)) return Optional.of("the kernel has no PVH entry point (CONFIG_PVH)");
            return Optional.empty();
        } catch (ImageException e) {
            return Optional.of(e.getMessage());
        }
    }

    static int indexOf(byte[] data, byte[] magic) {
        outer:
        for (int i = 0; i + magic.length <= data.length; i++) {
            for (int j = 0; j < magic.length; j++) if (data[i + j] != magic[j]) continue outer;
            return i;
        }
        return -1;
    }

    private KernelImage() {}
}
