package org.memvirt.config;

/**
 * A guest-physical window onto the RAM block, as QEMU's {@code ram-below-4g} / {@code ram-above-4g} aliases
 * (qemu hw/i386/pc.c pc_memory_init). The kvm engine registers one memslot per region.
 *
 * @param name the alias name QEMU uses
 * @param gpa guest-physical start
 * @param size bytes
 * @param ramOffset offset of the window's first byte within the RAM block
 */
public record RamRegion(String name, long gpa, long size, long ramOffset) {
    public long end() {
        return gpa + size;
    }
}
