package org.memvirt.x86;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.From;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

/**
 * After any invalidation no TLB or paging-structure-cache lookup returns a mapping the SDM says must be gone
 * (Vol 3A §4.10.4.1, Vol 3C §28.3.3); and a lookup never returns another VPID's, PCID's or EPTP's entry.
 */
class TlbProperties {
    static final long[] EPT_TAGS = {Tlb.EPT_NONE, 0x1000_0000L, 0x2000_0000L};
    static final long[] EPTPS = {0, Eptp.make(0x1000_0000L, 4, true), Eptp.make(0x2000_0000L, 4, false)};

    /** A cached translation, identified by {@code id} (stored in its frame). */
    record Entry(int id, long va, int shift, int vpid, int pcid, int eptIndex, boolean global, boolean fetch) {
        long ept() { return EPT_TAGS[eptIndex]; }
        boolean covers(long la) { return (la >>> shift) == (va >>> shift); }
        Entry withId(int newId) {
            return new Entry(newId, va, shift, vpid, pcid, eptIndex, global, fetch);
        }

        long value() {
            return TlbEntry.make((long) (id + 1) << 30, shift, Pte.RW | Pte.US | Pte.D | (global ? Pte.G : 0), 7);
        }
    }

    /** An invalidating operation and its operands. */
    record Op(int kind, int type, long la, int vpid, int pcid, boolean noflush, int eptIndex) {}

    @Provide
    Arbitrary<Entry> entries() {
        Arbitrary<Long> va = Arbitraries.of(0x7f00_0000_0000L, 0x7f00_0000_1000L, 0x7f00_0020_0000L, 0x4000_0000L,
                0xFFFF_8000_0000_0000L).flatMap(base -> Arbitraries.longs().between(0, 3).map(k -> base + (k << 12)));
        return Combinators.combine(Arbitraries.integers().between(0, 1 << 20), va, Arbitraries.of(12, 12, 21, 30),
                Arbitraries.integers().between(0, 2), Arbitraries.integers().between(0, 2),
                Arbitraries.integers().between(0, 2), Arbitraries.of(false, false, true), Arbitraries.of(false, true))
                .as(Entry::new);
    }

    @Provide
    Arbitrary<Op> ops() {
        return Combinators.combine(Arbitraries.integers().between(0, 7), Arbitraries.integers().between(0, 3),
                Arbitraries.of(0x7f00_0000_0000L, 0x7f00_0000_1000L, 0x7f00_0020_0000L, 0x4000_0000L),
                Arbitraries.integers().between(0, 2), Arbitraries.integers().between(0, 2), Arbitraries.of(false, true),
                Arbitraries.integers().between(1, 2)).as(Op::new);
    }

    @Property(tries = 300)
    void noLookupReturnsAMappingTheSdmSaysIsGone(@ForAll @Size(max = 40) List<@From("entries") Entry> generated,
                                                 @ForAll("ops") Op op, @ForAll boolean zen5) {
        List<Entry> entries = unique(generated);
        TlbHierarchy tlb = new TlbHierarchy(zen5 ? TlbConfig.zen5() : TlbConfig.goldenCove());
        PageWalkCache pwc = PageWalkCache.defaults();
        Mmu mmu = new Mmu(tlb, new Walker(new SparsePhysMemory()).pageWalkCache(pwc), null, null);
        for (Entry e : entries) {
            tlb.insert(e.va(), e.fetch(), e.vpid(), e.pcid(), e.ept(), e.value());
            pwc.insert(e.va(), 2, e.vpid(), e.pcid(), e.ept(), (long) (e.id() + 1) << 12, Pte.RW);
        }
        CpuMode mode = CpuMode.longMode(op.pcid());
        mode.cr4 |= ControlRegs.CR4_PCIDE;
        mode.vpid = op.vpid();
        apply(mmu, op, mode);
        for (Entry e : entries) {
            if (tlbMustBeGone(op, e, mode)) {
                assertThat(lookupFinds(tlb, e)).as("TLB entry %s after %s", e, op).isFalse();
            }
            if (pwcMustBeGone(op, e, mode)) {
                long v = pwc.level(2).lookup(e.va(), e.vpid(), e.pcid(), e.ept());
                assertThat(v != Tlb.MISS && (v & Pte.ADDR) == (long) (e.id() + 1) << 12)
                        .as("PDE-cache entry %s after %s", e, op).isFalse();
            }
        }
    }

    /** The entries numbered by position, so a hit names exactly one inserted translation. */
    static List<Entry> unique(List<Entry> generated) {
        return java.util.stream.IntStream.range(0, generated.size()).mapToObj(i -> generated.get(i).withId(i)).toList();
    }

    static boolean lookupFinds(TlbHierarchy tlb, Entry e) {
        long v = tlb.lookup(e.va(), e.fetch(), e.vpid(), e.pcid(), e.ept());
        return v != Tlb.MISS && (TlbEntry.frame(v) >>> 30) == e.id() + 1;
    }

    static void apply(Mmu mmu, Op op, CpuMode mode) {
        switch (op.kind()) {
            case 0 -> mmu.invlpg(op.la(), mode);
            case 1 -> mmu.movToCr3(op.pcid() | (op.noflush() ? ControlRegs.CR3_NOFLUSH : 0), mode);
            case 2 -> mmu.movToCr4(mode.cr4 ^ ControlRegs.CR4_PGE, mode);
            case 3 -> mmu.invpcid(op.type(), op.pcid(), op.la(), mode);
            case 4 -> mmu.invvpid(op.type(), op.vpid(), op.la());
            case 5 -> mmu.invept(op.eptIndex() == 1 ? 1 : 2, EPTPS[op.eptIndex()]);
            case 6 -> mmu.vmTransition(false);
            default -> mmu.movToCr4(mode.cr4 & ~ControlRegs.CR4_PCIDE, mode);      // PCIDE 1 -> 0
        }
    }

    /** The SDM's minimum: what each operation must remove from the TLBs. */
    static boolean tlbMustBeGone(Op op, Entry e, CpuMode mode) {
        boolean sameVpid = e.vpid() == op.vpid();
        return switch (op.kind()) {
            case 0 -> sameVpid && e.covers(op.la()) && (e.global() || e.pcid() == op.pcid());
            case 1 -> !op.noflush() && sameVpid && !e.global() && e.pcid() == op.pcid();
            case 2, 7 -> sameVpid;
            case 3 -> switch (op.type()) {
                case 0 -> sameVpid && !e.global() && e.pcid() == op.pcid() && e.covers(op.la());
                case 1 -> sameVpid && !e.global() && e.pcid() == op.pcid();
                case 2 -> sameVpid;
                default -> sameVpid && !e.global();
            };
            case 4 -> switch (op.type()) {
                case 0 -> sameVpid && e.covers(op.la());
                case 1 -> sameVpid;
                case 2 -> e.vpid() != 0;
                default -> sameVpid && !e.global();
            };
            case 5 -> op.eptIndex() == 1 ? e.eptIndex() == 1 : e.eptIndex() != 0;
            case 6 -> e.vpid() == 0;
            default -> false;
        };
    }

    /** What each operation must remove from the paging-structure caches (which hold no global entries). */
    static boolean pwcMustBeGone(Op op, Entry e, CpuMode mode) {
        boolean sameVpid = e.vpid() == op.vpid();
        return switch (op.kind()) {
            case 0 -> sameVpid && e.pcid() == op.pcid();
            case 1 -> !op.noflush() && sameVpid && e.pcid() == op.pcid();
            case 2, 7 -> sameVpid;
            case 3 -> sameVpid && (op.type() >= 2 || e.pcid() == op.pcid());
            case 4 -> switch (op.type()) {
                case 0 -> sameVpid && (e.va() >>> 21) == (op.la() >>> 21);
                case 2 -> e.vpid() != 0;
                default -> sameVpid;
            };
            case 5 -> op.eptIndex() == 1 ? e.eptIndex() == 1 : e.eptIndex() != 0;
            case 6 -> e.vpid() == 0;
            default -> false;
        };
    }

    @Property(tries = 300)
    void entriesOfOneVpidPcidOrEptpAreNeverReturnedForAnother(
            @ForAll @Size(max = 60) List<@From("entries") Entry> generated,
            @ForAll @Size(max = 30) List<@From("entries") Entry> probes, @ForAll boolean zen5) {
        List<Entry> entries = unique(generated);
        TlbHierarchy tlb = new TlbHierarchy(zen5 ? TlbConfig.zen5() : TlbConfig.goldenCove());
        for (Entry e : entries) tlb.insert(e.va(), e.fetch(), e.vpid(), e.pcid(), e.ept(), e.value());
        for (Entry probe : probes) {
            long v = tlb.lookup(probe.va(), probe.fetch(), probe.vpid(), probe.pcid(), probe.ept());
            if (v == Tlb.MISS) continue;
            int id = (int) (TlbEntry.frame(v) >>> 30) - 1;
            Entry owner = entries.stream().filter(e -> e.id() == id && e.covers(probe.va())
                    && e.vpid() == probe.vpid() && e.ept() == probe.ept()
                    && (e.global() || e.pcid() == probe.pcid())).findFirst().orElse(null);
            assertThat(owner).as("hit for %s came from an entry with other tags", probe).isNotNull();
        }
    }
}
