package org.memvirt.sim;

import java.util.Arrays;

/**
 * An open-addressing map from a 64-bit key to a 64-bit value over one long[] (linear probing, backward-shift
 * deletion, power-of-two capacity, load &lt;= 1/2). {@link #MISSING} stands for "no value"; keys are any long.
 */
final class LongMap {
    static final long MISSING = Long.MIN_VALUE;

    private long[] slots;      // [key0, value0, key1, value1, ...]
    private boolean[] used;
    private int size;

    LongMap(int expected) {
        int cap = Integer.highestOneBit(Math.max(16, expected * 2 - 1)) << 1;
        slots = new long[2 * cap];
        used = new boolean[cap];
    }

    int size() {
        return size;
    }

    private static int mix(long key) {
        long z = key * 0x9E37_79B9_7F4A_7C15L;
        return (int) (z ^ (z >>> 32));
    }

    long get(long key) {
        final int mask = used.length - 1;
        for (int i = mix(key) & mask; used[i]; i = (i + 1) & mask) {
            if (slots[2 * i] == key) return slots[2 * i + 1];
        }
        return MISSING;
    }

    void put(long key, long value) {
        if (2 * (size + 1) > used.length) rehash(used.length << 1);
        final int mask = used.length - 1;
        int i = mix(key) & mask;
        for (; used[i]; i = (i + 1) & mask) {
            if (slots[2 * i] == key) {
                slots[2 * i + 1] = value;
                return;
            }
        }
        used[i] = true;
        slots[2 * i] = key;
        slots[2 * i + 1] = value;
        size++;
    }

    void remove(long key) {
        final int mask = used.length - 1;
        int i = mix(key) & mask;
        while (used[i] && slots[2 * i] != key) i = (i + 1) & mask;
        if (!used[i]) return;
        used[i] = false;
        size--;
        for (int j = (i + 1) & mask; used[j]; j = (j + 1) & mask) {   // backward-shift the cluster behind the hole
            int home = mix(slots[2 * j]) & mask;
            boolean movable = i <= j ? (home <= i || home > j) : (home <= i && home > j);
            if (movable) {
                slots[2 * i] = slots[2 * j];
                slots[2 * i + 1] = slots[2 * j + 1];
                used[i] = true;
                used[j] = false;
                i = j;
            }
        }
    }

    void clear() {
        if (size == 0) return;
        Arrays.fill(used, false);
        size = 0;
    }

    /** Calls {@code visitor} with every key and value (order unspecified); not for hot paths. */
    void forEach(java.util.function.BiConsumer<Long, Long> visitor) {
        for (int i = 0; i < used.length; i++) {
            if (used[i]) visitor.accept(slots[2 * i], slots[2 * i + 1]);
        }
    }

    private void rehash(int capacity) {
        long[] oldSlots = slots;
        boolean[] oldUsed = used;
        slots = new long[2 * capacity];
        used = new boolean[capacity];
        size = 0;
        for (int i = 0; i < oldUsed.length; i++) {
            if (oldUsed[i]) put(oldSlots[2 * i], oldSlots[2 * i + 1]);
        }
    }

    long bytes() {
        return 8L * slots.length + used.length;
    }
}
