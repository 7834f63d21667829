package org.memvirt.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.memvirt.sim.SimFixtures.MIB;
import static org.memvirt.sim.SimFixtures.machine;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;
import org.memvirt.host.MmuMode;
import org.memvirt.engine.RunResult;
import org.memvirt.workload.Op;

/**
 * Regression snapshot of the shadow MMU's bookkeeping: every counter of two runs that go through unsync and resync
 * (INVLPG, MOV CR3 with and without PCID), write flooding, guest 2 MiB pages, demand paging and several roots, with the invariants checked after every step. The figures are the model's
 * own at the commit that wrote them (there is no outside oracle for, say, {@code mmu_shadow_zapped}); the test
 * exists so that a change to the shadow MMU that changes any of them is seen and explained, including a refactoring
 * meant to change nothing. The figures with an outside meaning are tested exactly elsewhere (SimEngineTest).
 */
class ShadowMmuSnapshotTest {
    static RunResult run(int variant) {
        List<Op> ops = List.of(new Op.Processes(6), new Op.Touch(2 * MIB, 0), new Op.Unmap(MIB / 2, 0),
                new Op.Switch(1, false), new Op.Remap(MIB / 4, 0), new Op.Switch(3, true), new Op.Demand(true),
                new Op.Touch(MIB, 2 * MIB), new Op.Unmap(64 * 4096, 2 * MIB), new Op.Switch(2, false),
                new Op.Read(3 * MIB, 0), new Op.Demand(false), new Op.PageSize(Op.PageSize.SHIFT_2M),
                new Op.Read(2 * MIB, 4 * MIB), new Op.Touch(2 * MIB, 4 * MIB), new Op.Switch(7, false),
                new Op.Touch(6 * MIB, 0), new Op.Verify());
        return variant == 0
                ? SimFixtures.runChecked(machine(32 * MIB, 2), MmuMode.SHADOW, true, ops, true)
                : SimFixtures.runChecked(machine(32 * MIB, 1), MmuMode.SHADOW, false, ops, true);
    }

    private static Map<String, Long> nonZero(RunResult r) {
        Map<String, Long> m = new TreeMap<>();
        r.counters().values().forEach((n, v) -> { if (v != 0) m.put(n, v); });
        return m;
    }

    @Test
    void twoVcpusWithVpid() {
        assertThat(nonZero(run(0))).isEqualTo(new TreeMap<>(Map.ofEntries(SNAP0)));
    }

    @Test
    void oneVcpuWithoutVpid() {
        assertThat(nonZero(run(1))).isEqualTo(new TreeMap<>(Map.ofEntries(SNAP1)));
    }

    @SuppressWarnings("unchecked")
    private static final Map.Entry<String, Long>[] SNAP0 = new Map.Entry[] {
            Map.entry("exits", 5116L), Map.entry("pf_taken", 4907L), Map.entry("pf_fixed", 3740L),
            Map.entry("pf_emulate", 6L), Map.entry("pf_guest", 640L), Map.entry("invlpg", 192L),
            Map.entry("tlb_flush", 548L), Map.entry("mmu_pte_write", 6L), Map.entry("mmu_pde_zapped", 6L),
            Map.entry("mmu_cache_miss", 19L), Map.entry("pages_4k", 3008L), Map.entry("remote_tlb_flush", 733L),
            Map.entry("insn_emulation", 6L), Map.entry("exit_exception", 4907L), Map.entry("exit_invlpg", 192L),
            Map.entry("exit_cr_access", 17L), Map.entry("accesses", 4096L), Map.entry("dtlb_misses", 4096L),
            Map.entry("stlb_misses", 4096L), Map.entry("walks", 8960L), Map.entry("walk_refs", 10548L),
            Map.entry("native_walk_refs", 10548L), Map.entry("pwc_hits", 8425L), Map.entry("guest_page_faults", 640L),
            Map.entry("mov_cr3", 17L), Map.entry("host_pages_zeroed", 2830L), Map.entry("shadow_pages", 20L),
            Map.entry("guest_pt_pages", 16L), Map.entry("verify_pages", 2816L), Map.entry("guest_invlpg", 192L),
            Map.entry("guest_pte_writes", 1362L), Map.entry("guest_frames", 3086L)};
    @SuppressWarnings("unchecked")
    private static final Map.Entry<String, Long>[] SNAP1 = new Map.Entry[] {
            Map.entry("exits", 5110L), Map.entry("pf_taken", 4905L), Map.entry("pf_fixed", 3739L),
            Map.entry("pf_emulate", 5L), Map.entry("pf_guest", 640L), Map.entry("invlpg", 192L),
            Map.entry("tlb_flush", 532L), Map.entry("mmu_pte_write", 5L), Map.entry("mmu_pde_zapped", 5L),
            Map.entry("mmu_cache_miss", 19L), Map.entry("pages_4k", 3008L), Map.entry("remote_tlb_flush", 731L),
            Map.entry("insn_emulation", 5L), Map.entry("exit_exception", 4905L), Map.entry("exit_invlpg", 192L),
            Map.entry("exit_cr_access", 13L), Map.entry("accesses", 4096L), Map.entry("dtlb_misses", 4096L),
            Map.entry("stlb_misses", 4096L), Map.entry("walks", 8960L), Map.entry("walk_refs", 23559L),
            Map.entry("native_walk_refs", 23559L), Map.entry("pwc_hits", 4088L), Map.entry("guest_page_faults", 640L),
            Map.entry("mov_cr3", 13L), Map.entry("host_pages_zeroed", 2830L), Map.entry("shadow_pages", 20L),
            Map.entry("guest_pt_pages", 16L), Map.entry("verify_pages", 2816L), Map.entry("guest_invlpg", 192L),
            Map.entry("guest_pte_writes", 1362L), Map.entry("guest_frames", 3086L)};
}
