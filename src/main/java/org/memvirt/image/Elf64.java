package org.memvirt.image;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * The headers of a little-endian ELF64 file (elf(5)): its sections by name and its notes. What memvirt reads from a
 * kernel module's .modinfo and from the kernel (complete, and bootable through PVH).
 */
final class Elf64 {
    private static final int ELFCLASS64 = 2, ELFDATA2LSB = 1;   // e_ident[EI_CLASS], e_ident[EI_DATA]
    private static final int E_PHOFF = 0x20, E_SHOFF = 0x28, E_PHENTSIZE = 0x36, E_PHNUM = 0x38, E_SHENTSIZE = 0x3A,
            E_SHNUM = 0x3C, E_SHSTRNDX = 0x3E;                                        // Elf64_Ehdr
    private static final int SH_NAME = 0x00, SH_OFFSET = 0x18, SH_SIZE = 0x20;        // Elf64_Shdr
    private static final int P_TYPE = 0x00, P_OFFSET = 0x08, P_FILESZ = 0x20;         // Elf64_Phdr
    private static final int PT_NOTE = 4;

    /** A byte range of the file. */
    record Range(int offset, int size) {}

    private final Path file;
    private final ByteBuffer b;

    private Elf64(Path file, ByteBuffer b) {
        this.file = file;
        this.b = b.order(ByteOrder.LITTLE_ENDIAN);
        if (b.capacity() < 0x40 || b.getInt(0) != 0x464C457F || b.get(4) != ELFCLASS64 || b.get(5) != ELFDATA2LSB) {
            throw new ImageException(file + " is not a little-endian ELF64 file");
        }
    }

    /** Maps {@code file} read-only. */
    static Elf64 open(Path file) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            return new Elf64(file, ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size()));
        } catch (IOException e) {
            throw new ImageException("cannot read " + file + ": " + e.getMessage());
        }
    }

    /** Whether the file holds everything its headers promise: the section header table ends the file. */
    boolean complete() {
        long end = b.getLong(E_SHOFF) + (long) u16(E_SHNUM) * u16(E_SHENTSIZE);
        return end <= b.capacity();
    }

    /** The section called {@code name}. */
    Optional<Range> section(String name) {
        try {
            long shoff = b.getLong(E_SHOFF);
            int entsize = u16(E_SHENTSIZE), names = (int) b.getLong(header(shoff, u16(E_SHSTRNDX), entsize) + SH_OFFSET);
            for (int i = 0; i < u16(E_SHNUM); i++) {
                int sh = header(shoff, i, entsize);
                if (name.equals(cString(names + b.getInt(sh + SH_NAME)))) {
                    return Optional.of(new Range(Math.toIntExact(b.getLong(sh + SH_OFFSET)), Math.toIntExact(b.getLong(sh + SH_SIZE))));
                }
            }
            return Optional.empty();
        } catch (IndexOutOfBoundsException | ArithmeticException e) {
            throw new ImageException(file + " has a damaged ELF section table");
        }
    }

    /** Whether a note of {@code owner} with {@code type} is in one of the PT_NOTE segments (elf(5), "Notes"). */
    boolean hasNote(String owner, int type) {
        long phoff = b.getLong(E_PHOFF);
        for (int i = 0; i < u16(E_PHNUM); i++) {
            int ph = header(phoff, i, u16(E_PHENTSIZE));
            if (b.getInt(ph + P_TYPE) != PT_NOTE) continue;
            int at = Math.toIntExact(b.getLong(ph + P_OFFSET)), end = at + Math.toIntExact(b.getLong(ph + P_FILESZ));
            while (at + 12 <= end) {
                int namesz = b.getInt(at), descsz = b.getInt(at + 4), t = b.getInt(at + 8);
                String name = namesz > 0 ? string(at + 12, namesz - 1) : "";
                if (name.equals(owner) && t == type) return true;
                at += 12 + align4(namesz) + align4(descsz);
            }
        }
        return false;
    }

    String string(Range r) {
        return string(r.offset(), r.size());
    }

    private String string(int offset, int size) {
        byte[] bytes = new byte[size];
        b.get(offset, bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private String cString(int at) {
        int end = at;
        while (b.get(end) != 0) end++;
        return string(at, end - at);
    }

    private int u16(int offset) {
        return Short.toUnsignedInt(b.getShort(offset));
    }

    private static int header(long tableOffset, int index, int entsize) {
        return Math.toIntExact(tableOffset + (long) index * entsize);
    }

    private static int align4(int n) {
        return (n + 3) & ~3;
    }
}
