package org.memvirt.x86;

/**
 * The nested TLB (Bhargava et al., ASPLOS 2008): GPA-to-HPA translations of guest page-table pages, so a guest walk
 * need not repeat the nested walk for each table. Its entries are guest-physical mappings in SDM terms, tagged by the
 * EP4TA alone (Vol 3C §28.3.1): INVEPT drops them; INVVPID, INVLPG and MOV CR3 do not.
 */
public final class NestedTlb {
    private final Tlb tlb;

    public NestedTlb(int entries, int ways) {
        tlb = new Tlb("nested TLB", entries, ways, new int[] {Paging.SHIFT_4K}, Tlb.Replacement.LRU);
    }

    /** 16 entries, fully associative. */
    public static NestedTlb defaults() {
        return new NestedTlb(16, 16);
    }

    /** {@link TlbEntry} value for the 4-KByte guest page at {@code gpa}, or {@link Tlb#MISS}. */
    public long lookup(long gpa, long ep4ta) {
        return tlb.lookup(gpa, 0, 0, ep4ta);
    }

    public void insert(long gpa, long ep4ta, long value) {
        tlb.insert(gpa, Paging.SHIFT_4K, 0, 0, ep4ta, false, value);
    }

    /** INVEPT: single context ({@code ep4ta}) or all contexts ({@link Tlb#ANY_EPT}). */
    public int invalidate(long ep4ta) {
        return tlb.invalidate(Tlb.ANY, Tlb.ANY_VPID, Tlb.ANY_PCID, ep4ta, true);
    }

    public Tlb tlb() { return tlb; }
}
