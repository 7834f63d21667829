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

/** Random op scripts: the MMU modes differ in exits, never in what the guest sees or what the host backs. */
class SimEngineProperties {
    private static final long RAM = 32 * MIB;

    @Property(tries = 50)
    void everyModeShowsTheGuestTheSameMemoryAndTheHostBacksTheSamePages(@ForAll("scripts") List<Op> script,
            @ForAll boolean vpid, @ForAll @IntRange(min = 1, max = 2) int smp) {
        List<Op> ops = new ArrayList<>(script);
        ops.add(new Op.Verify());
        RunResult shadow = run(MmuMode.SHADOW, vpid, smp, ops, true);
        RunResult ept = run(MmuMode.EPT, vpid, smp, ops, false);
        RunResult npt = run(MmuMode.NPT, vpid, smp, ops, false);
        for (RunResult r : List.of(shadow, ept, npt)) {
            assertThat(r.counters().get(Counter.VERIFY_MISMATCHES)).isZero();
            assertThat(r.counters().get(Counter.EXITS)).isEqualTo(exitsByReason(r));
        }
        for (RunResult r : List.of(ept, npt)) {
            assertThat(r.memory().residentBytes()).isEqualTo(shadow.memory().residentBytes());
            for (Counter c : List.of(Counter.ACCESSES, Counter.VERIFY_PAGES, Counter.HOST_PAGES_ZEROED, Counter.GUEST_PT_PAGES)) {
                assertThat(r.counters().get(c)).as(c.key()).isEqualTo(shadow.counters().get(c));
            }
            // with 2 vCPUs and no shootdown, a vCPU may use a stale TLB entry of a page another one unmapped (the
            // frame is kept, so memory is the same) and skip a #PF; how long it stays depends on the mode's flushes
            if (smp == 1) {
                assertThat(r.counters().get(Counter.GUEST_PAGE_FAULTS)).isEqualTo(shadow.counters().get(Counter.GUEST_PAGE_FAULTS));
            }
            assertThat(r.counters().get(Counter.PF_GUEST)).isZero();
        }
        assertThat(shadow.counters().get(Counter.PF_GUEST)).isEqualTo(shadow.counters().get(Counter.GUEST_PAGE_FAULTS));
    }

    private static long exitsByReason(RunResult r) {
        long sum = 0;
        for (Counter c : List.of(Counter.EXIT_EXCEPTION, Counter.EXIT_INVLPG, Counter.EXIT_CR_ACCESS, Counter.EXIT_IO, Counter.EPT_VIOLATIONS, Counter.EPT_MISCONFIGS, Counter.NPF)) {
            sum += r.counters().get(c);
        }
        return sum;
    }

    private static RunResult run(MmuMode mode, boolean vpid, int smp, List<Op> ops, boolean checkInvariants) {
        return SimFixtures.runChecked(machine(RAM, smp), mode, vpid, ops, checkInvariants);
    }

    @Provide
    Arbitrary<List<Op>> scripts() {
        return op().list().ofMinSize(1).ofMaxSize(8);
    }

    private Arbitrary<Op> op() {
        Arbitrary<Long> pages = Arbitraries.longs().between(1, 600);
        Arbitrary<Long> at = Arbitraries.longs().between(0, 6000);
        Arbitrary<Op> touch = Combinators.combine(pages, at).as((n, a) -> new Op.Touch(n * 4096, a * 4096));
        Arbitrary<Op> read = Combinators.combine(pages, at).as((n, a) -> new Op.Read(n * 4096, a * 4096));
        Arbitrary<Op> unmap = Combinators.combine(pages, at).as((n, a) -> new Op.Unmap(n * 4096, a * 4096));
        Arbitrary<Op> remap = Combinators.combine(pages, at).as((n, a) -> new Op.Remap(n * 4096, a * 4096));
        Arbitrary<Op> free = Combinators.combine(pages, at).as((n, a) -> new Op.Free(n * 4096, a * 4096));
        Arbitrary<Op> fill = Combinators.combine(pages, at).as((n, a) -> new Op.Fill(n * 4096, a * 4096, new Op.Content.Unique()));
        Arbitrary<Op> random = Combinators.combine(Arbitraries.longs().between(1, 3000), Arbitraries.longs().between(1, 4000),
                Arbitraries.integers().between(0, 100), Arbitraries.longs())
                .as((c, over, w, seed) -> new Op.Random(c, over * 4096, w, new Op.Distribution.Uniform(), seed));
        Arbitrary<Op> processes = Arbitraries.integers().between(1, 6).map(Op.Processes::new);
        Arbitrary<Op> sw = Combinators.combine(Arbitraries.longs().between(1, 7), Arbitraries.of(true, false))
                .as(Op.Switch::new);
        Arbitrary<Op> demand = Arbitraries.of(true, false).map(Op.Demand::new);
        Arbitrary<Op> balloon = Arbitraries.longs().between(1, 300).map(n -> new Op.Balloon(Op.BalloonAction.INFLATE, n * 4096));
        return Arbitraries.oneOf(touch, read, unmap, remap, free, fill, random, processes, sw, demand, balloon);
    }
}
