package org.memvirt.x86;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The sparse physical memory the walkers read tables from: zero until written, one 4 KiB page per written page. */
class SparsePhysMemoryTest {
    private static final long PAGE = 4096, CHUNK = 2L << 20;

    @Test
    void unwrittenMemoryReadsZeroAndAllocatesNothing() {
        SparsePhysMemory m = new SparsePhysMemory();
        assertThat(m.readLong(0)).isZero();
        assertThat(m.readLong(0x000F_FFFF_FFFF_F000L)).isZero();    // the top of a 52-bit physical address space
        assertThat(m.pages()).isZero();
    }

    /**
     * 200 chunks of 2 MiB with two written pages each: the chunk table starts with 64 slots and doubles when more than
     * half would be used (at the 32nd, 64th and 128th chunk), so every entry is moved three times. Reads alternate
     * between chunks, so none is served by the one-chunk cache of the previous access.
     */
    @Test
    void writesReadBackAcrossTwoHundredChunksAndThePageCountIsExact() {
        SparsePhysMemory m = new SparsePhysMemory();
        int n = 200;
        for (int c = 0; c < n; c++) {
            long base = c * 3 * CHUNK;                                  // spread: every third chunk
            m.writeLong(base + 8L * (c % 512), c * 31L + 1);
            m.writeLong(base + PAGE + 8, ~(long) c);
        }
        assertThat(m.pages()).isEqualTo(2L * n);
        for (int c = n - 1; c >= 0; c--) {
            long base = c * 3 * CHUNK;
            assertThat(m.readLong(base + 8L * (c % 512))).as("chunk %d", c).isEqualTo(c * 31L + 1);
            assertThat(m.readLong(base + PAGE + 8)).isEqualTo(~(long) c);
            assertThat(m.readLong(base + PAGE + 16)).as("an unwritten word of a written page").isZero();
            assertThat(m.readLong(base + 2 * PAGE)).as("an unwritten page of a written chunk").isZero();
            assertThat(m.readLong(base + CHUNK)).as("an unwritten chunk").isZero();
        }
        assertThat(m.pages()).as("reads allocate nothing").isEqualTo(2L * n);
    }

    @Test
    void pageIsTheBackingArrayAllocatedOnceAndZeroed() {
        SparsePhysMemory m = new SparsePhysMemory();
        long[] page = m.page(0x5000);
        assertThat(page).hasSize(512).containsOnly(0L);
        assertThat(m.page(0x5FF8)).isSameAs(page);
        page[3] = 7;
        assertThat(m.readLong(0x5018)).isEqualTo(7);
        m.writeLong(0x5020, 9);
        assertThat(page[4]).isEqualTo(9);
        assertThat(m.pages()).isEqualTo(1);
    }
}
