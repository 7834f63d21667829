package org.memvirt.sim;

import java.util.Arrays;

/**
 * An open-addressing map from a 64-bit key to a non-negative 64-bit value over one long[] of key/value pairs
 * (linear probing, backward-shift deletion, power-of-two capacity, load &lt;= 1/2). A slot is empty when its value
 * is {@link #MISSING}, so a lookup touches one array, usually one cache line.
 */
final class LongMap {
    static final long MISSING = Long.MIN_VALUE;

    private long[] slots;      // [key0, value0, key1, value1, ...]; value MISSING = empty
    private int size;

    LongMap(int expected) {
        int cap = Integer.highestOneBit(Math.max(16, expected * 2 - 1)) << 1;
        slots = emptySlots(cap);
    }

    private static long[] emptySlots(int capacity) {
        long[] s = new long[2 * capacity];
        for (int i = 1; i < s.length; i += 2) s[i] = MISSING;
        return s;
    }

    int size() {
        return size;
    }

    private static int mix(long key) {
        long z = key * 0x9E37_79B9_7F4A_7C15L;
        return (int) (z ^ (z >>> 32));
    }

    long get(long key) {
        final long[] s = slots;
        final int mask = (s.length >>> 1) - 1;
        for (int i = mix(key) & mask; ; i = (i + 1) & mask) {
            long v = s[2 * i + 1];
            if (v == MISSING) return MISSING;
            if (s[2 * i] == key) return v;
        }
    }

    /** Returns the value of {@code key} if present; otherwise stores {@code value} and returns MISSING. One probe. */
    long putIfAbsent(long key, long value) {
        if (2 * (size + 1) > (slots.length >>> 1)) rehash(slots.length);
        final long[] s = slots;
        final int mask = (s.length >>> 1) - 1;
        int i = mix(key) & mask;
        for (; s[2 * i + 1] != MISSING; i = (i + 1) & mask) {
            if (s[2 * i] == key) return s[2 * i + 1];
        }
        s[2 * i] = key;
        s[2 * i + 1] = value;
        size++;
        return MISSING;
    }

    void put(long key, long value) {
        if (value < 0) throw new IllegalArgumentException("negative value");
        if (2 * (size + 1) > (slots.length >>> 1)) rehash(slots.length);
        final long[] s = slots;
        final int mask = (s.length >>> 1) - 1;
        int i = mix(key) & mask;
        for (; s[2 * i + 1] != MISSING; i = (i + 1) & mask) {
            if (s[2 * i] == key) {
                s[2 * i + 1] = value;
                return;
            }
        }
        s[2 * i] = key;
        s[2 * i + 1] = value;
        size++;
    }

    void remove(long key) {
        final long[] s = slots;
        final int mask = (s.length >>> 1) - 1;
        int i = mix(key) & mask;
        while (s[2 * i + 1] != MISSING && s[2 * i] != key) i = (i + 1) & mask;
        if (s[2 * i + 1] == MISSING) return;
        s[2 * i + 1] = MISSING;
        size--;
        for (int j = (i + 1) & mask; s[2 * j + 1] != MISSING; j = (j + 1) & mask) {   // backward-shift the cluster
            int home = mix(s[2 * j]) & mask;
            boolean movable = i <= j ? (home <= i || home > j) : (home <= i && home > j);
            if (movable) {
                s[2 * i] = s[2 * j];
                s[2 * i + 1] = s[2 * j + 1];
                s[2 * j + 1] = MISSING;
                i = j;
            }
        }
    }

    void clear() {
        if (size == 0) return;
        for (int i = 1; i < slots.length; i += 2) slots[i] = MISSING;
        size = 0;
    }

    /** Calls {@code visitor} with every key and value (order unspecified); not for hot paths. */
    void forEach(java.util.function.BiConsumer<Long, Long> visitor) {
        for (int i = 0; i < slots.length; i += 2) {
            if (slots[i + 1] != MISSING) visitor.accept(slots[i], slots[i + 1]);
        }
    }

    private void rehash(int capacity) {
        long[] old = slots;
        slots = emptySlots(capacity);
        size = 0;
        for (int i = 0; i < old.length; i += 2) {
            if (old[i + 1] != MISSING) put(old[i], old[i + 1]);
        }
    }

    long bytes() {
        return 8L * slots.length;
    }
}
