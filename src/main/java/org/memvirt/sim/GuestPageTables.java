package org.memvirt.sim;

/**
 * The guest's page-table pages as real 512-entry tables of real PTE bits, indexed by guest frame; the rest of
 * guest memory is content ids in {@link HostMemory}. Reads here are what the hardware walker and KVM's software
 * walker see; only {@link GuestOs} writes, through the MMU's write hook.
 */
final class GuestPageTables {
    private final RamMap ram;
    private final PageLongs indexByRamPage;     // table index + 1, 0 = not a page-table page
    private long[][] tables = new long[64][];
    private int count;

    GuestPageTables(RamMap ram) {
        this.ram = ram;
        this.indexByRamPage = new PageLongs(ram.ramPages());
    }

    /** Makes {@code gfn} a page-table page (all entries 0). */
    void add(long gfn) {
        if (count == tables.length) tables = java.util.Arrays.copyOf(tables, count * 2);
        tables[count++] = new long[Paging.ENTRIES];
        indexByRamPage.set(ram.gfnToRamPage(gfn), count);
    }

    boolean isTable(long gfn) {
        long rp = ram.gfnToRamPage(gfn);
        return rp >= 0 && indexByRamPage.get(rp) != 0;
    }

    /** The 512 entries of table {@code gfn}; every gfn a walker reaches through present entries is a table. */
    long[] table(long gfn) {
        long i = indexByRamPage.get(ram.gfnToRamPage(gfn));
        if (i == 0) throw new IllegalStateException("gfn 0x" + Long.toHexString(gfn) + " is not a page table");
        return tables[(int) i - 1];
    }

    long read(long gfn, int index) {
        return table(gfn)[index];
    }

    void write(long gfn, int index, long pte) {
        table(gfn)[index] = pte;
    }

    int count() {
        return count;
    }
}
