package org.memvirt.x86;

import java.util.List;

/** The geometry of one TLB structure: entries, ways, page sizes held (4K/2M/1G) and replacement. */
public record TlbSpec(String name, int entries, int ways, List<String> pageSizes, Tlb.Replacement replacement) {
    public static TlbSpec of(String name, int entries, int ways, String... sizes) {
        return new TlbSpec(name, entries, ways, List.of(sizes), Tlb.Replacement.LRU);
    }

    public Tlb build() {
        int[] shifts = pageSizes.stream().mapToInt(Paging::parsePageSize).toArray();
        return new Tlb(name, entries, ways, shifts, replacement);
    }
}
