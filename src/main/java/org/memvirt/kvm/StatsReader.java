package org.memvirt.kvm;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * One KVM binary-statistics fd (linux Documentation/virt/kvm/api.rst, KVM_GET_STATS_FD): the descriptors are parsed
 * once; {@link #read(long[])} preads the data block and is allocation-free. A histogram statistic (size &gt; 1) is
 * reported as the sum of its buckets. Owns the fd.
 */
final class StatsReader implements AutoCloseable {
    static final int TYPE_CUMULATIVE = 0;   // kvm.h KVM_STATS_TYPE_CUMULATIVE
    static final int TYPE_INSTANT = 1;      // kvm.h KVM_STATS_TYPE_INSTANT
    static final int TYPE_PEAK = 2;         // kvm.h KVM_STATS_TYPE_PEAK

    private final int fd;
    private final Arena arena = Arena.ofShared();
    private final String[] names;
    private final int[] types;
    private final int[] offsets;
    private final int[] sizes;
    private final long dataOffset;
    private final MemorySegment data;
    private boolean closed;

    StatsReader(int fd) {
        this.fd = fd;
        try {
            MemorySegment header = arena.allocate(KvmAbi.STATS_HEADER);
            Libc.pread(fd, header, 0);
            int nameSize = header.get(JAVA_INT, 4);
            int count = header.get(JAVA_INT, 8);
            long descOffset = Integer.toUnsignedLong(header.get(JAVA_INT, 16));
            dataOffset = Integer.toUnsignedLong(header.get(JAVA_INT, 20));
            long descSize = KvmAbi.STATS_DESC.byteSize() + nameSize;
            MemorySegment descs = arena.allocate(descSize * count);
            Libc.pread(fd, descs, descOffset);
            names = new String[count];
            types = new int[count];
            offsets = new int[count];
            sizes = new int[count];
            long dataBytes = 0;
            for (int i = 0; i < count; i++) {
                MemorySegment d = descs.asSlice(i * descSize, descSize);
                types[i] = d.get(JAVA_INT, 0) & 0xF;                 // KVM_STATS_TYPE_MASK
                sizes[i] = Short.toUnsignedInt(d.get(JAVA_SHORT, 6));
                offsets[i] = d.get(JAVA_INT, 8);
                byte[] raw = d.asSlice(KvmAbi.STATS_DESC.byteSize(), nameSize).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
                int len = 0;
                while (len < raw.length && raw[len] != 0) len++;
                names[i] = new String(raw, 0, len, StandardCharsets.US_ASCII);
                dataBytes = Math.max(dataBytes, offsets[i] + 8L * sizes[i]);
            }
            data = arena.allocate(dataBytes, 8);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    List<String> names() {
        return Arrays.asList(names);
    }

    int count() {
        return names.length;
    }

    /** {@link #TYPE_CUMULATIVE}, {@link #TYPE_INSTANT}, {@link #TYPE_PEAK} or a histogram type. */
    int type(int i) {
        return types[i];
    }

    /** Reads every statistic into {@code into} (one slot per descriptor, in KVM's order). */
    void read(long[] into) {
        Libc.pread(fd, data, dataOffset);
        final MemorySegment d = data;
        for (int i = 0; i < names.length; i++) {
            long sum = 0;
            for (int b = 0; b < sizes[i]; b++) sum += d.get(JAVA_LONG, offsets[i] + 8L * b);
            into[i] = sum;
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            Libc.closeQuietly(fd);
            arena.close();
        }
    }
}
