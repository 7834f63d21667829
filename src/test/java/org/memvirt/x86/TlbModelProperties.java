package org.memvirt.x86;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
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
 * {@link Tlb} with LRU replacement answers every lookup exactly as a plain reference model does: per set, a list of
 * (page, VPID, PCID, value) in least-recently-used order, of at most {@code ways} entries. Covers the scanned sets
 * (up to 16 ways) and the hashed index of wider sets (insertion, deletion by backward shifting, refill).
 */
class TlbModelProperties {
    /** One step: 0 insert, 1 lookup, 2 INVLPG, 3 flush a VPID, 4 flush a PCID of a VPID. */
    record Step(int kind, long vpn, int vpid, int pcid, int id) {}

    /** The reference: one LRU list per set, least recent first. */
    static final class Model {
        record Entry(long vpn, int vpid, int pcid, long value) {}

        final int sets, ways;
        final List<List<Entry>> bySet = new ArrayList<>();

        Model(int entries, int ways) {
            this.ways = ways;
            this.sets = entries / ways;
            for (int i = 0; i < sets; i++) bySet.add(new ArrayList<>());
        }

        List<Entry> set(long vpn) {
            return bySet.get((int) (vpn & (sets - 1)));
        }

        int find(List<Entry> set, long vpn, int vpid, int pcid) {
            for (int i = 0; i < set.size(); i++) {
                Entry e = set.get(i);
                if (e.vpn == vpn && e.vpid == vpid && e.pcid == pcid) return i;
            }
            return -1;
        }

        void insert(long vpn, int vpid, int pcid, long value) {
            List<Entry> set = set(vpn);
            int i = find(set, vpn, vpid, pcid);
            if (i >= 0) set.remove(i);
            else if (set.size() == ways) set.removeFirst();
            set.add(new Entry(vpn, vpid, pcid, value));
        }

        long lookup(long vpn, int vpid, int pcid) {
            List<Entry> set = set(vpn);
            int i = find(set, vpn, vpid, pcid);
            if (i < 0) return Tlb.MISS;
            Entry e = set.remove(i);
            set.add(e);
            return e.value;
        }

        void drop(long vpn, int vpid, int pcid) {
            for (List<Entry> set : bySet) {
                set.removeIf(e -> (vpn < 0 || e.vpn == vpn) && e.vpid == vpid && (pcid < 0 || e.pcid == pcid));
            }
        }

        int size() {
            int n = 0;
            for (List<Entry> s : bySet) n += s.size();
            return n;
        }
    }

    @Provide
    Arbitrary<Step> steps() {
        return Combinators.combine(Arbitraries.integers().between(0, 4).edgeCases(c -> c.includeOnly(0, 1)),
                Arbitraries.longs().between(0, 300), Arbitraries.integers().between(1, 2),
                Arbitraries.integers().between(0, 1), Arbitraries.integers().between(0, 1 << 16)).as(Step::new);
    }

    @Property(tries = 80)
    void lruLookupsAgreeWithTheReferenceModel(@ForAll @Size(min = 50, max = 400) List<@From("steps") Step> steps,
                                              @ForAll("geometries") int[] geometry) {
        Tlb tlb = new Tlb("t", geometry[0], geometry[1], new int[] {12}, Tlb.Replacement.LRU);
        Model model = new Model(geometry[0], geometry[1]);
        for (int i = 0; i < steps.size(); i++) {
            Step s = steps.get(i);
            long va = s.vpn() << 12;
            switch (s.kind()) {
                case 0 -> {
                    long value = TlbEntry.make((long) (s.id() + 1) << 12, 12, Pte.RW | Pte.US, 7);
                    tlb.insert(va, 12, s.vpid(), s.pcid(), Tlb.EPT_NONE, false, value);
                    model.insert(s.vpn(), s.vpid(), s.pcid(), value);
                }
                case 1 -> assertThat(tlb.lookup(va, s.vpid(), s.pcid(), Tlb.EPT_NONE)).as("step %d: %s", i, s)
                        .isEqualTo(model.lookup(s.vpn(), s.vpid(), s.pcid()));
                case 2 -> {
                    tlb.invalidate(va, s.vpid(), s.pcid(), Tlb.EPT_NONE, false);
                    model.drop(s.vpn(), s.vpid(), s.pcid());
                }
                case 3 -> {
                    tlb.invalidate(Tlb.ANY, s.vpid(), Tlb.ANY_PCID, Tlb.ANY, false);
                    model.drop(-1, s.vpid(), -1);
                }
                default -> {
                    tlb.invalidate(Tlb.ANY, s.vpid(), s.pcid(), Tlb.ANY, false);
                    model.drop(-1, s.vpid(), s.pcid());
                }
            }
            assertThat(tlb.size()).as("step %d: %s", i, s).isEqualTo(model.size());
        }
        // every entry the model holds is found, whatever deletions shifted it in the index
        for (List<Model.Entry> set : model.bySet) {
            for (Model.Entry e : List.copyOf(set)) {
                assertThat(tlb.lookup(e.vpn() << 12, e.vpid(), e.pcid(), Tlb.EPT_NONE)).isEqualTo(e.value());
            }
        }
    }

    @Provide
    Arbitrary<int[]> geometries() {
        // scanned: 8 entries in 2 ways, 64 in 16; hashed: 96 fully associative (Zen 5 L1 DTLB), 64 in 2 sets of 32
        return Arbitraries.of(new int[] {8, 2}, new int[] {64, 16}, new int[] {96, 96}, new int[] {64, 32});
    }
}
