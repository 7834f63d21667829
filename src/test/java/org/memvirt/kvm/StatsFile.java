package org.memvirt.kvm;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A binary-statistics file as KVM_GET_STATS_FD returns it (linux Documentation/virt/kvm/api.rst, KVM_GET_STATS_FD;
 * include/uapi/linux/kvm.h struct kvm_stats_header, struct kvm_stats_desc): a header, the id string, the descriptors
 * (each followed by a name of {@code name_size} bytes, NUL-padded) and the data block of u64 values, each block at the
 * offset the header names. Test fixture: written to a memfd and handed to {@link StatsReader}.
 */
final class StatsFile {
    static final int HEADER_BYTES = 24;                 // sizeof(struct kvm_stats_header)
    static final int DESC_BYTES = 16;                   // sizeof(struct kvm_stats_desc) without the name
    static final int KVM_STATS_NAME_SIZE = 48;          // linux include/linux/kvm_host.h KVM_STATS_NAME_SIZE
    // kvm.h: type in flags bits 0-3, unit in bits 4-7, base in bits 8-11
    static final int CUMULATIVE = 0, INSTANT = 1, PEAK = 2, LINEAR_HIST = 3, LOG_HIST = 4;   // KVM_STATS_TYPE_*
    static final int NONE = 0, BYTES = 1, SECONDS = 2, CYCLES = 3, BOOLEAN = 4;              // KVM_STATS_UNIT_*
    static final int POW10 = 0, POW2 = 1;                                                     // KVM_STATS_BASE_*

    /** One statistic: its descriptor fields and its values (one per bucket). */
    record Stat(String name, int type, int unit, int base, int exponent, int offset, int bucketSize, long[] values) {}

    private final String id;
    private final int nameSize;
    private final List<Stat> stats = new ArrayList<>();

    StatsFile(String id, int nameSize) {
        this.id = id;
        this.nameSize = nameSize;
    }

    /** Adds a statistic whose values start {@code offset} bytes into the data block. */
    StatsFile stat(String name, int type, int unit, int base, int exponent, int offset, int bucketSize, long... values) {
        stats.add(new Stat(name, type, unit, base, exponent, offset, bucketSize, values));
        return this;
    }

    /** Replaces the values of statistic {@code name}. */
    StatsFile values(String name, long... values) {
        for (int i = 0; i < stats.size(); i++) {
            Stat s = stats.get(i);
            if (s.name().equals(name)) {
                stats.set(i, new Stat(s.name(), s.type(), s.unit(), s.base(), s.exponent(), s.offset(), s.bucketSize(), values));
            }
        }
        return this;
    }

    /** The kernel's own layout (virt/kvm/kvm_main.c kvm_vm_stats_header): header, id, descriptors, data, adjacent. */
    MemorySegment kernelLayout(Arena arena) {
        long descOffset = HEADER_BYTES + nameSize;
        return layout(arena, HEADER_BYTES, descOffset, descOffset + (long) stats.size() * (DESC_BYTES + nameSize));
    }

    /** The file with each block where the header says it is. */
    MemorySegment layout(Arena arena, long idOffset, long descOffset, long dataOffset) {
        long dataBytes = 0;
        for (Stat s : stats) dataBytes = Math.max(dataBytes, s.offset() + 8L * s.values().length);
        long end = Math.max(Math.max(idOffset + nameSize, descOffset + (long) stats.size() * (DESC_BYTES + nameSize)),
                dataOffset + dataBytes);
        MemorySegment f = arena.allocate(end, 8);
        f.set(JAVA_INT, 0, 0);                              // flags
        f.set(JAVA_INT, 4, nameSize);
        f.set(JAVA_INT, 8, stats.size());                   // num_desc
        f.set(JAVA_INT, 12, (int) idOffset);
        f.set(JAVA_INT, 16, (int) descOffset);
        f.set(JAVA_INT, 20, (int) dataOffset);
        putName(f, idOffset, id);
        for (int i = 0; i < stats.size(); i++) {
            Stat s = stats.get(i);
            long d = descOffset + (long) i * (DESC_BYTES + nameSize);
            f.set(JAVA_INT, d, s.type() | s.unit() << 4 | s.base() << 8);
            f.set(JAVA_SHORT, d + 4, (short) s.exponent());
            f.set(JAVA_SHORT, d + 6, (short) s.values().length);   // size: the number of u64 values
            f.set(JAVA_INT, d + 8, s.offset());
            f.set(JAVA_INT, d + 12, s.bucketSize());
            putName(f, d + DESC_BYTES, s.name());
            for (int b = 0; b < s.values().length; b++) f.set(JAVA_LONG, dataOffset + s.offset() + 8L * b, s.values()[b]);
        }
        return f;
    }

    private void putName(MemorySegment f, long at, String name) {
        byte[] b = name.getBytes(StandardCharsets.US_ASCII);
        if (b.length >= nameSize) throw new IllegalArgumentException("name longer than name_size - 1: " + name);
        MemorySegment.copy(b, 0, f, java.lang.foreign.ValueLayout.JAVA_BYTE, at, b.length);   // the rest stays NUL
    }
}
