package org.memvirt.x86;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.From;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.Size;

/**
 * The TLB hit memo changes no answer: two identical spaces, one MMU with the memo and one without, give the same
 * result (every {@link WalkResult} field), the same counts in every structure and the same replacement decisions, for
 * any sequence of accesses interleaved with invalidations, control-register writes and VPID or PCID switches.
 */
class HitMemoProperties {
    static final long BASE = 0x7f00_0000_0000L;
    static final int BULK_PAGES = 160;                             // more than a 96-entry L1: evictions
    /** Leaf flags of the special pages after the bulk range: read-only, supervisor, XD, global, protection key 1. */
    static final long[] SPECIAL = {Pte.P | Pte.US, Pte.P | Pte.RW, Pte.P | Pte.RW | Pte.US | Pte.XD,
            Pte.P | Pte.RW | Pte.US | Pte.G, Pte.P | Pte.RW | Pte.US | (1L << Pte.PK_SHIFT), Pte.P | Pte.US | Pte.G};
    static final int[] ACCESSES = {Access.USER, Access.USER, Access.USER, Access.USER | Access.WRITE,
            Access.USER | Access.WRITE, Access.READ, Access.WRITE, Access.FETCH, Access.USER | Access.FETCH,
            Access.IMPLICIT};

    static final int OTHER_KINDS = 12;                             // invalidations and mode changes

    /** One step: {@code kind} below 12 an invalidation or mode change, else an access. */
    record Op(int kind, int page, int access, int arg) {}

    @Provide
    Arbitrary<Op> ops() {
        Arbitrary<Integer> page = Arbitraries.frequencyOf(                // hot pages return while cold ones evict
                Tuple.of(1, Arbitraries.integers().between(1, 6)),
                Tuple.of(6, Arbitraries.integers().between(0, 7).map(k -> 16 * k + 1)),   // 8 in one 6-way set
                Tuple.of(1, Arbitraries.integers().between(0, BULK_PAGES + SPECIAL.length + 2)));
        return Combinators.combine(Arbitraries.integers().between(0, 299), page,
                Arbitraries.integers().between(0, ACCESSES.length - 1), Arbitraries.integers().between(0, 3))
                .as(Op::new);
    }

    @Property(tries = 40)
    void memoGivesExactlyWhatTheFullLookupGives(@ForAll @Size(min = 500, max = 800) List<@From("ops") Op> ops,
                                                @ForAll("kinds") AddressSpace.Kind kind, @ForAll boolean zen5,
                                                @ForAll boolean hugeGuest, @ForAll("mixes") int accessKinds) {
        AddressSpace fastSpace = build(kind, hugeGuest), slowSpace = build(kind, hugeGuest);
        TlbConfig config = zen5 ? TlbConfig.zen5() : TlbConfig.goldenCove();
        Mmu fast = fastSpace.mmu(config, null), slow = slowSpace.mmu(config, null);
        slow.tlb().useHitMemo(false);
        CpuMode fastMode = fastSpace.guestMode(), slowMode = slowSpace.guestMode();
        long root = fastMode.cr3;
        WalkResult f = new WalkResult(), s = new WalkResult();
        int step = 0;
        for (Op op : ops) {
            for (int repeat = 0; repeat < (op.kind() % accessKinds >= OTHER_KINDS ? 2 : 1); repeat++) {  // memo hits
                boolean fOk = apply(fast, fastMode, op, root, hugeGuest, accessKinds, f);
                boolean sOk = apply(slow, slowMode, op, root, hugeGuest, accessKinds, s);
                assertThat(fOk).as("step %d %s", step, op).isEqualTo(sOk);
                assertSame(f, s, step, op);
            }
            step++;
        }
        assertSameCounts(fast, slow);
    }

    /** Kinds per step: 42 (about one step in four invalidates or changes mode) or 300 (one in 25: evictions). */
    @Provide
    Arbitrary<Integer> mixes() {
        return Arbitraries.of(42, 300);
    }

    @Provide
    Arbitrary<AddressSpace.Kind> kinds() {
        return Arbitraries.of(AddressSpace.Kind.EPT, AddressSpace.Kind.NPT, AddressSpace.Kind.NATIVE);
    }

    /** A bulk user range, then one page per special flag set, then unmapped pages; built identically each time. */
    static AddressSpace build(AddressSpace.Kind kind, boolean hugeGuest) {
        AddressSpace as = new AddressSpace(kind, 4, 4, hugeGuest ? Paging.SHIFT_2M : Paging.SHIFT_4K, Paging.SHIFT_4K);
        as.mapRange(BASE, (long) BULK_PAGES << 12);
        for (int k = 0; k < SPECIAL.length; k++) {
            as.guestLeafFlags(SPECIAL[k]);
            as.mapPage(gva(BULK_PAGES + k, hugeGuest));
        }
        return as;
    }

    /** Page {@code index}: 4 KiB apart in the bulk range; special pages a 2 MiB apart when guest pages are 2 MiB. */
    static long gva(int index, boolean hugeGuest) {
        if (index < BULK_PAGES) return BASE + ((long) index << 12);
        return BASE + (hugeGuest ? (long) (index - BULK_PAGES + 1) << 21 : (long) index << 12) + (4L << 30);
    }

    static boolean apply(Mmu mmu, CpuMode mode, Op op, long root, boolean hugeGuest, int accessKinds,
                         WalkResult out) {
        long la = op.page() == 0 ? 0x8000_0000_0000L : gva(op.page(), hugeGuest) + 8L * op.arg();  // 0: non-canonical
        int kind = op.kind() % accessKinds;
        if (kind >= OTHER_KINDS) return mmu.translate(la, ACCESSES[op.access()], mode, out);
        switch (kind + 6) {
            case 6 -> mmu.invlpg(la, mode);
            case 7 -> mmu.movToCr3(root | ((mode.cr4 & ControlRegs.CR4_PCIDE) != 0 ? op.arg() : 0)
                    | (op.access() < 3 ? ControlRegs.CR3_NOFLUSH : 0), mode);
            case 8 -> mmu.movToCr4(mode.cr4 ^ new long[] {ControlRegs.CR4_PGE, ControlRegs.CR4_PCIDE,
                    ControlRegs.CR4_SMEP, ControlRegs.CR4_SMAP}[op.arg()], mode);
            case 9 -> mmu.movToCr4(mode.cr4 ^ ControlRegs.CR4_PKE, mode);
            case 10 -> mmu.movToCr0(mode.cr0 ^ ControlRegs.CR0_WP, mode);
            case 11 -> mmu.invpcid(op.arg(), op.access() & 3, la, mode);
            case 12 -> mmu.invvpid(op.arg(), op.access() & 3, la);
            case 13 -> mmu.invept(op.arg() < 2 ? 1 : 2, mmu.walker().eptTag());  // EPTP bits 51:12 = EP4TA
            case 14 -> mmu.vmTransition(op.arg() == 0);
            case 15 -> mode.vpid = op.arg();                       // a VPID switch needs no flush
            case 16 -> mode.pkru = (op.access() & 3) << 2;         // key 1: access or write disable
            default -> mode.rflags ^= ControlRegs.RFLAGS_AC;
        }
        return true;
    }

    static void assertSame(WalkResult f, WalkResult s, int step, Op op) {
        String at = "step " + step + " " + op;
        assertThat(f.fault).as(at).isEqualTo(s.fault);
        assertThat(f.errorCode).as(at).isEqualTo(s.errorCode);
        assertThat(f.la).as(at).isEqualTo(s.la);
        assertThat(f.faultGpa).as(at).isEqualTo(s.faultGpa);
        assertThat(f.gpa).as(at).isEqualTo(s.gpa);
        assertThat(f.pa).as(at).isEqualTo(s.pa);
        assertThat(f.pageShift).as(at).isEqualTo(s.pageShift);
        assertThat(f.guestPageShift).as(at).isEqualTo(s.guestPageShift);
        assertThat(f.rights).as(at).isEqualTo(s.rights);
        assertThat(f.refs).as(at).isEqualTo(s.refs);
        assertThat(f.tlbHit).as(at).isEqualTo(s.tlbHit);
    }

    static void assertSameCounts(Mmu fast, Mmu slow) {
        assertThat(fast.walks()).isEqualTo(slow.walks());
        assertThat(fast.tlbHits()).isEqualTo(slow.tlbHits());
        assertThat(fast.tlb().l1Hits()).isEqualTo(slow.tlb().l1Hits());
        assertThat(fast.tlb().l2Hits()).isEqualTo(slow.tlb().l2Hits());
        assertThat(fast.tlb().misses()).isEqualTo(slow.tlb().misses());
        List<Tlb> a = fast.tlb().structures(), b = slow.tlb().structures();
        for (int k = 0; k < a.size(); k++) {
            assertThat(a.get(k).hits()).as(a.get(k).name()).isEqualTo(b.get(k).hits());
            assertThat(a.get(k).misses()).as(a.get(k).name()).isEqualTo(b.get(k).misses());
            assertThat(a.get(k).size()).as(a.get(k).name()).isEqualTo(b.get(k).size());
        }
    }

    /** A memo hit ages its entry as a full lookup would: after A, B, A the next fill of a 2-way set evicts B. */
    @Example
    void memoHitsKeepLruAgesExact() {
        TlbConfig twoWay = new TlbConfig("two-way", List.of(TlbSpec.of("L1", 2, 2, "4K")),
                List.of(TlbSpec.of("L1I", 2, 2, "4K")), List.of(TlbSpec.of("L2", 64, 4, "4K")), List.of(), 4, 4, 4);
        for (boolean memo : new boolean[] {true, false}) {
            TlbHierarchy tlb = new TlbHierarchy(twoWay);
            tlb.useHitMemo(memo);
            long a = 0x1000, b = 0x2000, c = 0x3000;
            for (long page : new long[] {a, b}) tlb.insert(page, false, 0, 0, Tlb.EPT_NONE, TlbEntry.make(page, 12, Pte.US, 7));
            for (long page : new long[] {a, b, a, b, a}) assertThat(tlb.lookup(page, false, 0, 0, Tlb.EPT_NONE)).isNotZero();
            tlb.insert(c, false, 0, 0, Tlb.EPT_NONE, TlbEntry.make(c, 12, Pte.US, 7));
            tlb.lookup(a, false, 0, 0, Tlb.EPT_NONE);
            assertThat(tlb.l1Hits()).as("memo %s", memo).isEqualTo(6);
            assertThat(tlb.structures().get(0).hits()).as("memo %s", memo).isEqualTo(6);
        }
    }
}
