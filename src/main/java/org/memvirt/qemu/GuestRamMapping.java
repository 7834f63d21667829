package org.memvirt.qemu;

import java.util.ArrayList;
import java.util.List;

import org.memvirt.host.ProcessMemory;

/**
 * Finds the guest RAM of a QEMU process among its mappings (/proc/PID/smaps or maps headers): QEMU maps each RAM
 * block as one mapping of exactly the block's size (util/mmap-alloc.c qemu_ram_mmap, with a PROT_NONE guard page
 * mapped separately after it), readable and writable, anonymous for {@code memory-backend-ram} (also with
 * {@code reserve=off}) and named after the file for file and memfd backends. Other mappings of the same size are
 * told apart by their permissions: TCG's translation buffer is {@code rwxp} and 4 KiB short of 1 GiB; a VGA's
 * 16 MiB {@code vga.vram} is the one case that stays ambiguous (a 16 MiB guest with a VGA).
 */
public final class GuestRamMapping {
    /**
     * One mapping as /proc/PID/maps shows it.
     *
     * @param start first address
     * @param end address after the last byte
     * @param size bytes (smaps {@code Size:}; equal to end - start)
     * @param perms {@code rw-p}, {@code r-xp}, {@code rw-s}, ...
     * @param name the pathname column: empty for anonymous memory, a file, {@code /memfd:NAME (deleted)}, {@code [heap]}
     */
    public record Mapping(long start, long end, long size, String perms, String name) {}

    /**
     * The mapping holding {@code ramBytes} of guest RAM.
     *
     * @throws QemuException when no mapping, or more than one, fits
     */
    public static Mapping locate(List<Mapping> mappings, long ramBytes) {
        List<Mapping> fit = new ArrayList<>();
        for (Mapping m : mappings) {
            if (m.size() == ramBytes && m.perms().startsWith("rw") && !m.name().startsWith("[")) fit.add(m);
        }
        if (fit.size() == 1) return fit.getFirst();
        if (fit.isEmpty()) {
            throw new QemuException("no read-write mapping of exactly " + ramBytes + " bytes (the guest RAM) in QEMU's "
                    + "address space");
        }
        throw new QemuException(fit.size() + " read-write mappings of exactly " + ramBytes + " bytes in QEMU's address "
                + "space; cannot tell which is the guest RAM (at 0x" + Long.toHexString(fit.get(0).start()) + " and 0x"
                + Long.toHexString(fit.get(1).start()) + ")");
    }

    /** The guest RAM of QEMU process {@code pid} on this host (its /proc/PID/maps). */
    public static Mapping locate(long pid, long ramBytes) {
        List<Mapping> mappings = new ArrayList<>();
        for (ProcessMemory.Region r : ProcessMemory.of(pid).maps()) {
            mappings.add(new Mapping(r.start(), r.end(), r.size(), r.perms(), r.name()));
        }
        return locate(mappings, ramBytes);
    }

    private GuestRamMapping() {}
}
