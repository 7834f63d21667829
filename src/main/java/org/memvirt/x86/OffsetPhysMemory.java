package org.memvirt.x86;

/** A view of {@code host} in which address {@code a} is host address {@code a + offset}: a linear GPA-to-HPA map. */
public record OffsetPhysMemory(PhysMemory host, long offset) implements PhysMemory {
    @Override
    public long readLong(long pa) {
        return host.readLong(pa + offset);
    }

    @Override
    public void writeLong(long pa, long value) {
        host.writeLong(pa + offset, value);
    }
}
