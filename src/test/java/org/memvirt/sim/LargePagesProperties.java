package org.memvirt.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.memvirt.sim.SimFixtures.MIB;
import static org.memvirt.sim.SimFixtures.machine;

import java.util.ArrayList;
import java.util.List;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

import org.memvirt.engine.Counter;
import org.memvirt.engine.RunResult;
import org.memvirt.host.MmuMode;
import org.memvirt.workload.Op;

/** Random scripts mixing 4 KiB and 2 MiB guest pages: every MMU mode shows the guest the same memory. */
class LargePagesProperties {
    private static final long RAM = 128 * MIB;
    private static final long LARGE = 2 * MIB;

    @Property(tries = 40)
    void largePagesChangeNothingTheGuestSeesInAnyMode(@ForAll("scripts") List<Op> script, @ForAll boolean vpid,
            @ForAll @IntRange(min = 1, max = 2) int smp) {
        List<Op> ops = new ArrayList<>(script);
        ops.addFirst(new Op.PageSize(Op.PageSize.SHIFT_2M));
        ops.add(new Op.Verify());
        RunResult shadow = run(MmuMode.SHADOW, vpid, smp, ops, true);
        RunResult ept = run(MmuMode.EPT, vpid, smp, ops, false);
        RunResult again = run(MmuMode.SHADOW, vpid, smp, ops, false);
        assertThat(again.counters()).isEqualTo(shadow.counters());                // deterministic
        for (RunResult r : List.of(shadow, ept)) assertThat(r.counters().get(Counter.VERIFY_MISMATCHES)).isZero();
        for (Counter c : List.of(Counter.ACCESSES, Counter.VERIFY_PAGES, Counter.HOST_PAGES_ZEROED, Counter.GUEST_PT_PAGES, Counter.GUEST_FRAMES)) {
            assertThat(ept.counters().get(c)).as(c.key()).isEqualTo(shadow.counters().get(c));
        }
        if (smp == 1) {            // with 2 vCPUs a stale TLB entry may spare a #PF, depending on the mode's flushes
            assertThat(ept.counters().get(Counter.GUEST_PAGE_FAULTS)).isEqualTo(shadow.counters().get(Counter.GUEST_PAGE_FAULTS));
        }
        assertThat(shadow.counters().get(Counter.PF_GUEST)).isEqualTo(shadow.counters().get(Counter.GUEST_PAGE_FAULTS));
    }

    private static RunResult run(MmuMode mode, boolean vpid, int smp, List<Op> ops, boolean checkInvariants) {
        return SimFixtures.runChecked(machine(RAM, smp), mode, vpid, ops, checkInvariants);
    }

    @Provide
    Arbitrary<List<Op>> scripts() {
        return op().list().ofMinSize(1).ofMaxSize(8);
    }

    private Arbitrary<Op> op() {
        Arbitrary<Long> pages = Arbitraries.longs().between(1, 1500);
        Arbitrary<Long> at = Arbitraries.longs().between(0, 2500);
        Arbitrary<Long> large = Arbitraries.longs().between(1, 3);
        Arbitrary<Long> largeAt = Arbitraries.longs().between(0, 4);
        Arbitrary<Op> touch = Combinators.combine(pages, at).as((n, a) -> new Op.Touch(n * 4096, a * 4096));
        Arbitrary<Op> read = Combinators.combine(pages, at).as((n, a) -> new Op.Read(n * 4096, a * 4096));
        Arbitrary<Op> fill = Combinators.combine(pages, at).as((n, a) -> new Op.Fill(n * 4096, a * 4096, new Op.Content.Unique()));
        Arbitrary<Op> unmap = Combinators.combine(large, largeAt).as((n, a) -> new Op.Unmap(n * LARGE, a * LARGE));
        Arbitrary<Op> remap = Combinators.combine(large, largeAt).as((n, a) -> new Op.Remap(n * LARGE, a * LARGE));
        Arbitrary<Op> free = Combinators.combine(large, largeAt).as((n, a) -> new Op.Free(n * LARGE, a * LARGE));
        Arbitrary<Op> random = Combinators.combine(Arbitraries.longs().between(1, 3000), Arbitraries.longs().between(1, 4000),
                Arbitraries.integers().between(0, 100), Arbitraries.longs())
                .as((c, over, w, seed) -> new Op.Random(c, over * 4096, w, new Op.Distribution.Uniform(), seed));
        Arbitrary<Op> processes = Arbitraries.integers().between(1, 3).map(Op.Processes::new);
        Arbitrary<Op> sw = Combinators.combine(Arbitraries.longs().between(1, 5), Arbitraries.of(true, false))
                .as(Op.Switch::new);
        Arbitrary<Op> demand = Arbitraries.of(true, false).map(Op.Demand::new);
        Arbitrary<Op> pageSize = Arbitraries.of(Op.PageSize.SHIFT_4K, Op.PageSize.SHIFT_2M, Op.PageSize.SHIFT_2M)
                .map(Op.PageSize::new);
        return Arbitraries.oneOf(touch, read, fill, unmap, remap, free, random, processes, sw, demand, pageSize, pageSize);
    }
}
