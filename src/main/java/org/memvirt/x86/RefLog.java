package org.memvirt.x86;

import java.util.ArrayList;
import java.util.List;

/** An optional, reusable recorder of the references of one walk in parallel primitive arrays; records only on demand. */
public final class RefLog {
    public static final int NESTED = 1, GUEST = 0;
    private static final int CAPACITY = 64;                        // (5+1)(5+1)-1 = 35 plus A/D slack
    private final int[] dims = new int[CAPACITY];
    private final int[] levels = new int[CAPACITY];
    private final long[] gpas = new long[CAPACITY];
    private final long[] hpas = new long[CAPACITY];
    private final long[] entries = new long[CAPACITY];
    private int size;

    public void clear() { size = 0; }

    public int size() { return size; }

    void add(int dim, int level, long gpa, long hpa, long entry) {
        if (size == CAPACITY) return;
        dims[size] = dim;
        levels[size] = level;
        gpas[size] = gpa;
        hpas[size] = hpa;
        entries[size] = entry;
        size++;
    }

    /** The references as records; {@code guestName} and {@code nestedName} label the two dimensions. */
    public List<MemRef> toList(String guestName, String nestedName) {
        List<MemRef> out = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            out.add(new MemRef(i + 1, dims[i] == NESTED ? nestedName : guestName, levels[i],
                    Paging.tableName(levels[i]), gpas[i], hpas[i], entries[i]));
        }
        return out;
    }
}
