package org.memvirt.x86;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/** Physical memory that is one {@link MemorySegment} (for example mapped guest RAM) starting at physical {@code base}. */
public final class SegmentPhysMemory implements PhysMemory {
    private static final ValueLayout.OfLong LE_LONG =
            ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN); // x86 entries are little-endian
    private final MemorySegment ram;
    private final long base;

    public SegmentPhysMemory(MemorySegment ram, long base) {
        this.ram = ram;
        this.base = base;
    }

    @Override
    public long readLong(long pa) {
        return ram.get(LE_LONG, pa - base);
    }

    @Override
    public void writeLong(long pa, long value) {
        ram.set(LE_LONG, pa - base, value);
    }
}
