package org.memvirt.x86;

/**
 * Physical memory as the walkers see it: 8-byte little-endian entries at 8-byte aligned addresses. The same walker
 * runs on {@link SparsePhysMemory}, on {@link SegmentPhysMemory} over real guest RAM, or on an engine's own memory.
 */
public interface PhysMemory {
    long readLong(long pa);

    void writeLong(long pa, long value);

    default long readEntry(long tablePa, int index) {
        return readLong(tablePa + 8L * index);
    }
}
