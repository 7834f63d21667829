package org.memvirt.qemu.image;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A kernel module file and what its {@code .modinfo} section says: its name and the modules it depends on
 * ({@code depends=}, written by modpost: linux scripts/mod/modpost.c add_depends). A {@code .ko} is an ELF64
 * relocatable object (elf(5)); the section holds NUL-separated {@code key=value} strings (linux
 * include/linux/moduleparam.h MODULE_INFO). Read here because the kernel package carries no modules.dep (depmod
 * writes it at install time) and this host need not have modinfo.
 */
record KernelModule(Path file, String name, List<String> depends) {
    private static final byte[] ELF_MAGIC = {0x7F, 'E', 'L', 'F'};
    private static final int ELFCLASS64 = 2, ELFDATA2LSB = 1;   // elf(5): e_ident[EI_CLASS], e_ident[EI_DATA]
    private static final int E_SHOFF = 0x28, E_SHENTSIZE = 0x3A, E_SHNUM = 0x3C, E_SHSTRNDX = 0x3E;   // Elf64_Ehdr
    private static final int SH_NAME = 0x00, SH_OFFSET = 0x18, SH_SIZE = 0x20;                         // Elf64_Shdr

    KernelModule {
        depends = List.copyOf(depends);
    }

    /** Reads {@code file}'s .modinfo. */
    static KernelModule read(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new ImageException("cannot read kernel module " + file + ": " + e.getMessage());
        }
        String modinfo = modinfo(file, ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN));
        String name = null;
        List<String> depends = new ArrayList<>();
        for (String entry : modinfo.split("\0")) {
            if (entry.startsWith("name=")) name = entry.substring(5);
            if (entry.startsWith("depends=")) {
                for (String d : entry.substring(8).split(",")) if (!d.isEmpty()) depends.add(normalize(d));
            }
        }
        if (name == null) throw new ImageException("kernel module " + file + " has no name= in its .modinfo section");
        return new KernelModule(file, normalize(name), depends);
    }

    /** Module names treat '-' and '_' alike (kmod libkmod/libkmod-util.c modname_normalize). */
    static String normalize(String name) {
        return name.replace('-', '_');
    }

    private static String modinfo(Path file, ByteBuffer elf) {
        if (elf.capacity() < 0x40 || !java.util.Arrays.equals(ELF_MAGIC, 0, 4, elf.array(), 0, 4)
                || elf.get(4) != ELFCLASS64 || elf.get(5) != ELFDATA2LSB) {
            throw new ImageException("kernel module " + file + " is not a little-endian ELF64 file");
        }
        try {
            long shoff = elf.getLong(E_SHOFF);
            int shentsize = Short.toUnsignedInt(elf.getShort(E_SHENTSIZE));
            int shnum = Short.toUnsignedInt(elf.getShort(E_SHNUM));
            int shstrndx = Short.toUnsignedInt(elf.getShort(E_SHSTRNDX));
            int names = Math.toIntExact(elf.getLong(Math.toIntExact(shoff + (long) shstrndx * shentsize) + SH_OFFSET));
            for (int i = 0; i < shnum; i++) {
                int sh = Math.toIntExact(shoff + (long) i * shentsize);
                if (!".modinfo".equals(cString(elf, names + elf.getInt(sh + SH_NAME)))) continue;
                int offset = Math.toIntExact(elf.getLong(sh + SH_OFFSET)), size = Math.toIntExact(elf.getLong(sh + SH_SIZE));
                return new String(elf.array(), offset, size, StandardCharsets.UTF_8);
            }
        } catch (IndexOutOfBoundsException | ArithmeticException e) {
            throw new ImageException("kernel module " + file + " has a damaged ELF section table");
        }
        throw new ImageException("kernel module " + file + " has no .modinfo section");
    }

    private static String cString(ByteBuffer b, int at) {
        int end = at;
        while (b.get(end) != 0) end++;
        return new String(b.array(), at, end - at, StandardCharsets.US_ASCII);
    }
}
