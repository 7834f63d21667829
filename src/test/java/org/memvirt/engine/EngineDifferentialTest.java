package org.memvirt.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.memvirt.engine.DifferentialBounds.CASES;
import static org.memvirt.engine.DifferentialBounds.PAGE;
import static org.memvirt.engine.DifferentialBounds.race;
import static org.memvirt.engine.DifferentialBounds.residentHigh;
import static org.memvirt.engine.DifferentialBounds.spec;
import static org.memvirt.engine.DifferentialBounds.tolerance;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.memvirt.engine.DifferentialBounds.Case;
import org.memvirt.engine.DifferentialBounds.Tolerance;
import org.memvirt.host.MmuMode;
import org.memvirt.kvm.KvmEngine;
import org.memvirt.sim.SimEngine;

/**
 * The same workloads on the sim engine ({@code --mmu shadow}) and on this host's kvm engine, op by op: the counters
 * the guest model fixes must agree, and where they may differ the tolerance says by how much and why.
 *
 * <p>Per op: {@code pf_guest}, {@code invlpg} and {@code guest_frames} are equal. {@code pf_fixed} (first touches) and
 * the resident pages at the end may differ by what the sim does not model of the kvm side, within the bounds
 * {@link DifferentialBounds} derives (docs/sim-engine.md shows the same table, checked by {@link DifferentialDocsTest}).
 * With more than one vCPU the kvm engine's vCPUs race; the race is counted against the same workload with one vCPU
 * ({@link DifferentialBounds#race}) and the rest must lie in the one-vCPU bounds.
 * Prefetch needs no tolerance: both engines map the aligned group of 8 around a fault only over host pages that
 * exist, so fresh pages fault one by one on both.
 */
class EngineDifferentialTest {
    @Test
    @Tag("kvm")
    void simUnderShadowPagingCountsWhatKvmCountsOnThisHost() {
        org.memvirt.Skip.unlessKvm();
        SoftAssertions soft = new SoftAssertions();
        List<String> rows = new ArrayList<>();
        rows.add(String.format("%-44s %-28s %15s %9s %6s %8s %13s %13s %12s  %s", "workload", "op", "pf_fixed sim/kvm",
                "diff", "race", "allowed", "pf_guest", "invlpg", "guest_frames", "reason"));
        Map<Case, RunResult> sims = new HashMap<>(), kvms = new HashMap<>();
        for (Case c : CASES) {
            RunResult s = sims.computeIfAbsent(c, DifferentialBounds::sim);
            RunResult k = kvms.computeIfAbsent(c, EngineDifferentialTest::kvm);
            int vcpus = s.vcpus().size();
            RunResult s1 = vcpus > 1 ? sims.computeIfAbsent(c.oneVcpu(), DifferentialBounds::sim) : s;
            RunResult k1 = vcpus > 1 ? kvms.computeIfAbsent(c.oneVcpu(), EngineDifferentialTest::kvm) : k;
            assertThat(k.ops()).hasSameSizeAs(s.ops());
            for (int i = 0; i < s.ops().size(); i++) {
                String op = s.ops().get(i).op();
                Counters sc = s.ops().get(i).deltas(), kc = k.ops().get(i).deltas();
                Tolerance t = tolerance(op, sc, DifferentialBounds.demandAt(s.ops(), i));
                long race = vcpus > 1 ? race(kc, k1.ops().get(i).deltas(), sc, s1.ops().get(i).deltas(), Counter.PF_FIXED) : 0;
                long diff = kc.get(Counter.PF_FIXED) - sc.get(Counter.PF_FIXED);
                String shown = op.length() > 28 ? op.substring(0, 27) + "…" : op;
                rows.add(String.format("%-44s %-28s %7d/%-7d %+9d %6s %8s %6d/%-6d %6d/%-6d %6d/%-6d  %s", c.label(), shown,
                        sc.get(Counter.PF_FIXED), kc.get(Counter.PF_FIXED), diff, vcpus > 1 ? race : "—", t.range(),
                        sc.get(Counter.PF_GUEST), kc.get(Counter.PF_GUEST), sc.get(Counter.INVLPG), kc.get(Counter.INVLPG),
                        sc.get(Counter.GUEST_FRAMES), kc.get(Counter.GUEST_FRAMES), t.why()));
                String where = c.label() + " / " + op + ": ";
                soft.assertThat(kc.get(Counter.PF_GUEST)).as(where + "pf_guest").isEqualTo(sc.get(Counter.PF_GUEST));
                soft.assertThat(kc.get(Counter.INVLPG)).as(where + "invlpg").isEqualTo(sc.get(Counter.INVLPG));
                soft.assertThat(kc.get(Counter.GUEST_FRAMES)).as(where + "guest_frames").isEqualTo(sc.get(Counter.GUEST_FRAMES));
                soft.assertThat(diff - race).as(where + "pf_fixed kvm - sim - race").isBetween(t.low(), t.high());
            }
            long simResident = s.memory().residentBytes() / PAGE, kvmResident = k.memory().residentBytes() / PAGE;
            long residentHigh = residentHigh(vcpus);
            rows.add(String.format("%-44s %-28s %7d/%-7d %+9d %6s %8s %41s  %s", c.label(), "(resident pages at the end)",
                    simResident, kvmResident, kvmResident - simResident, "", "[0, " + residentHigh + "]", "",
                    "runtime's own pages + buffers"));
            soft.assertThat(kvmResident - simResident).as(c.label() + ": resident pages kvm - sim")
                    .isBetween(0L, residentHigh);
        }
        rows.forEach(System.out::println);
        soft.assertAll();
    }

    private static RunResult kvm(Case c) {
        return new KvmEngine().run(spec(c, MmuMode.SHADOW), RunListener.NONE);
    }

    private static RunResult sim(Case c, MmuMode mmu) {
        return new SimEngine().run(spec(c, mmu), RunListener.NONE);
    }

    /** The host's truth (docs/HOST-FACTS.md, docs/guest-model.md) on the sim, under shadow paging and under EPT. */
    @Test
    void simCountersAgreeWithThisHostsTruth() {
        for (MmuMode mmu : List.of(MmuMode.SHADOW, MmuMode.EPT)) {
            // a CPL3 touch of N fresh pages: one fault per page, plus two per new guest page-table page (read, write)
            Counters touch = sim(CASES.get(0), mmu).ops().getFirst().deltas();
            long n = 64L << 20 >> 12;
            assertThat(touch.get(Counter.PF_FIXED)).as(mmu + " touch").isEqualTo(n + 2 * touch.get(Counter.GUEST_PT_PAGES));
            assertThat(touch.get(Counter.GUEST_PT_PAGES)).as(mmu + " tables").isEqualTo(1 + 1 + 32);   // PDPT, PD, 32 PTs
            // an unmap/remap loop of K pages: K INVLPG (they exit, counted by KVM, only under shadow paging)
            RunResult loop = sim(CASES.get(4), mmu);
            long k = 3 * (4L << 20 >> 12);
            assertThat(loop.ops().get(1).deltas().get(Counter.GUEST_INVLPG)).as(mmu + " guest_invlpg").isEqualTo(k);
            assertThat(loop.ops().get(1).deltas().get(Counter.INVLPG)).as(mmu + " invlpg").isEqualTo(mmu == MmuMode.SHADOW ? k : 0);
            // guest demand paging of K pages: K guest #PFs (injected by KVM, counted pf_guest, only under shadow)
            Counters demand = sim(CASES.get(2), mmu).ops().get(1).deltas();
            long pages = 16L << 20 >> 12;
            assertThat(demand.get(Counter.GUEST_PAGE_FAULTS)).as(mmu + " guest_page_faults").isEqualTo(pages);
            assertThat(demand.get(Counter.PF_GUEST)).as(mmu + " pf_guest").isEqualTo(mmu == MmuMode.SHADOW ? pages : 0);
        }
    }
}
