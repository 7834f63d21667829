package org.memvirt.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.memvirt.sim.SimFixtures.MIB;
import static org.memvirt.sim.SimFixtures.machine;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.memvirt.config.QemuArgs;
import org.memvirt.engine.EventLog;
import org.memvirt.engine.HostSpec;
import org.memvirt.host.MmuMode;
import org.memvirt.workload.Op;

/**
 * The one op interpreter over both guests: what the two guests model alike counts alike, an op stopped at a time
 * limit resumes where it stopped, and a scenario VM ({@link PageGuest}) honours every op.
 */
class OpInterpreterTest {
    private static final long RAM = 64 * MIB;

    /** A workload whose every mapped page is written, so verify checks the same pages on both guests. */
    private static final List<Op> SHARED = List.of(
            new Op.Touch(8 * MIB, 0),
            new Op.Read(8 * MIB, 0),
            new Op.Fill(4 * MIB, 0, new Op.Content.Same(3)),
            new Op.Random(5000, 8 * MIB, 50, new Op.Distribution.Uniform(), 1),
            new Op.Free(2 * MIB, 0),
            new Op.Touch(MIB, 0),
            new Op.Repeat(2, List.of(new Op.Read(MIB, 4 * MIB))),
            new Op.Verify());

    /** A scenario VM of {@code RAM} running {@code ops} alone on a host with room for all of it. */
    private static PageGuest pageGuest(List<Op> ops) {
        HostModel host = new HostModel(HostConfig.of(256 * MIB, 0, 0));
        HostSpec.Vm spec = new HostSpec.Vm("vm", QemuArgs.parse(List.of("-m", RAM / MIB + "M")), MmuMode.EPT, 0, 0, 0,
                null, ops, 0);
        PageGuest g = new PageGuest(spec, host, new EventLog(), CostModel.DEFAULT);
        g.boot();
        return g;
    }

    /** The VM-wide counters of a run of {@code ops} on {@link MmuGuest} (EPT, one vCPU), in quanta of {@code quantum} ns. */
    private static long[] mmuRun(List<Op> ops, long quantum) {
        SimVm vm = new SimVm(machine(RAM, 1), new LazyHostMemory(), MmuMode.EPT, true, TlbGeometry.of("zen5"));
        vm.guest.boot(vm.vcpus.get(0));
        long[] boot = vm.totals();
        MmuGuest g = new MmuGuest(vm, CostModel.DEFAULT);
        OpInterpreter in = new OpInterpreter(g, OpInterpreter.Progress.NONE).load(ops);
        for (long limit = g.clock() + quantum; !in.run(limit); limit += quantum) {
            assertThat(g.clock()).as("a stopped op stops at its limit").isGreaterThanOrEqualTo(limit);
        }
        long[] t = vm.totals();
        for (int i = 0; i < Stat.COUNT; i++) t[i] -= boot[i];
        return t;
    }

    private static long[] workloadStats(PageGuest g, long[] boot) {
        long[] t = g.stats.clone();
        for (int i = 0; i < Stat.COUNT; i++) t[i] -= boot[i];
        return t;
    }

    @Test
    void bothGuestsCountTheSameAccessesFaultedPagesAndVerifiedPages() {
        long[] mmu = mmuRun(SHARED, OpInterpreter.NO_LIMIT);
        PageGuest pg = pageGuest(SHARED);
        long[] boot = pg.stats.clone();
        pg.runUntil(Long.MAX_VALUE - 1);
        long[] page = workloadStats(pg, boot);
        assertThat(pg.status).isEqualTo(PageGuest.Status.FINISHED);
        // touch 2,048 + read 2,048 + fill 1,024 pages of 512 qwords + random 5,000 + touch 256 + read 2 x 256 pages
        long accesses = 2048 + 2048 + 1024 * 512 + 5000 + 256 + 512;
        assertThat(mmu[Stat.ACCESSES]).isEqualTo(accesses);
        assertThat(page[Stat.ACCESSES]).isEqualTo(accesses);
        // every page written is checked: 8 MiB less the 2 MiB freed plus the 1 MiB touched again
        assertThat(mmu[Stat.VERIFY_PAGES]).isEqualTo(2048 - 512 + 256);
        assertThat(page[Stat.VERIFY_PAGES]).isEqualTo(2048 - 512 + 256);
        assertThat(mmu[Stat.VERIFY_MISMATCHES]).isZero();
        assertThat(page[Stat.VERIFY_MISMATCHES]).isZero();
        // data frames: the 2,048 pages, 512 freed, 256 taken again (the MMU guest adds its page tables' frames)
        assertThat(page[Stat.GUEST_FRAMES]).isEqualTo(2048 - 512 + 256);
        assertThat(mmu[Stat.GUEST_FRAMES] - mmu[Stat.GUEST_PT_PAGES]).isEqualTo(2048 - 512 + 256);
        // demand paging off: every page prefaulted, no guest #PF on either
        assertThat(mmu[Stat.GUEST_PAGE_FAULTS]).isZero();
        assertThat(page[Stat.GUEST_PAGE_FAULTS]).isZero();
        // each data page is zeroed by the host once: the freed 2 MiB comes back on frames the host already holds
        assertThat(page[Stat.HOST_PAGES_ZEROED]).isEqualTo(2048);
        assertThat(mmu[Stat.HOST_PAGES_ZEROED] - mmu[Stat.GUEST_PT_PAGES]).isEqualTo(2048);
    }

    @Test
    void aFirstTouchCostsAnExitKvmsFaultAndTheZeroingAndAHitOneAccess() {
        PageGuest g = pageGuest(List.of(new Op.Touch(4096, 0), new Op.Read(4096, 0)));
        long start = g.clock();
        g.runUntil(start + 2334);
        // 1 access + 3,000 exit + 3,000 KVM fault + 1,000 zeroing = 7,001 cycles at 3 GHz = 2,333.67 ns
        assertThat(g.clock() - start).isEqualTo(2334);
        g.runUntil(Long.MAX_VALUE - 1);
        assertThat(g.clock() - start).isEqualTo(2334);          // 7,002 cycles: 2,334.0 ns
        assertThat(g.status).isEqualTo(PageGuest.Status.FINISHED);
    }

    /** A workload that stops in the middle of most of its ops when run in 20 µs quanta. */
    private static final List<Op> RESUMED = List.of(
            new Op.Touch(3 * MIB, MIB),
            new Op.Repeat(3, List.of(
                    new Op.Random(700, 6 * MIB, 30, new Op.Distribution.Zipf(0.9), 7),
                    new Op.Fill(512 * 1024, 2 * MIB, new Op.Content.Unique()))),
            new Op.Demand(true),
            new Op.Random(900, 12 * MIB, 60, new Op.Distribution.Uniform(), 3),
            new Op.Unmap(MIB, MIB),
            new Op.Read(2 * MIB, 0),
            new Op.Sleep(50_000),
            new Op.Free(MIB, 3 * MIB),
            new Op.Touch(2 * MIB, 3 * MIB),
            new Op.Verify());

    @Test
    void aWorkloadRunInQuantaEqualsTheRunInOneGoOnThePageGuest() {
        PageGuest once = pageGuest(RESUMED);
        once.runUntil(Long.MAX_VALUE - 1);
        PageGuest quanta = pageGuest(RESUMED);
        int stops = 0;
        for (long limit = quanta.clock() + 20_000; quanta.status == PageGuest.Status.RUNNING; limit += 20_000) {
            quanta.runUntil(limit);
            stops++;
        }
        assertThat(stops).isGreaterThan(100);
        assertThat(quanta.status).isEqualTo(PageGuest.Status.FINISHED);
        assertThat(quanta.stats).containsExactly(once.stats);
        assertThat(quanta.clock()).isEqualTo(once.clock());
        assertThat(quanta.mappedPages).isEqualTo(once.mappedPages);
        assertThat(quanta.stats[Stat.VERIFY_MISMATCHES]).isZero();
        assertThat(quanta.stats[Stat.VERIFY_PAGES]).isEqualTo(once.stats[Stat.VERIFY_PAGES]).isPositive();
    }

    @Test
    void aWorkloadRunInQuantaEqualsTheRunInOneGoOnTheMmuGuest() {
        long[] once = mmuRun(RESUMED, OpInterpreter.NO_LIMIT);
        long[] quanta = mmuRun(RESUMED, 20_000);
        assertThat(quanta).containsExactly(once);
        assertThat(quanta[Stat.VERIFY_PAGES]).isPositive();
        assertThat(quanta[Stat.VERIFY_MISMATCHES]).isZero();
    }

    @Test
    void demandPagingOnTakesAGuestFaultPerNewPageAndOffPrefaultsTheRange() {
        PageGuest on = pageGuest(List.of(new Op.Demand(true), new Op.Random(300, 4 * MIB, 0, new Op.Distribution.Uniform(), 5)));
        long[] boot = on.stats.clone();
        on.runUntil(Long.MAX_VALUE - 1);
        long[] s = workloadStats(on, boot);
        assertThat(s[Stat.GUEST_PAGE_FAULTS]).isEqualTo(on.mappedPages).isBetween(1L, 300L);
        PageGuest off = pageGuest(List.of(new Op.Random(300, 4 * MIB, 0, new Op.Distribution.Uniform(), 5)));
        boot = off.stats.clone();
        off.runUntil(Long.MAX_VALUE - 1);
        s = workloadStats(off, boot);
        assertThat(s[Stat.GUEST_PAGE_FAULTS]).isZero();
        assertThat(off.mappedPages).isEqualTo(1024);            // all of [0, 4 MiB) mapped before the first access
        assertThat(s[Stat.ACCESSES]).isEqualTo(300);
    }

    @Test
    void unmapKeepsTheFrameAndTheNextAccessIsAGuestFaultRemapIsNot() {
        PageGuest g = pageGuest(List.of(new Op.Touch(MIB, 0), new Op.Unmap(MIB, 0), new Op.Demand(true),
                new Op.Touch(MIB, 0), new Op.Unmap(512 * 1024, 0), new Op.Remap(512 * 1024, 0), new Op.Read(MIB, 0),
                new Op.Verify()));
        long[] boot = g.stats.clone();
        g.runUntil(Long.MAX_VALUE - 1);
        long[] s = workloadStats(g, boot);
        assertThat(s[Stat.GUEST_PAGE_FAULTS]).isEqualTo(256);     // the second touch only; remapped pages fault not
        assertThat(s[Stat.GUEST_FRAMES]).isEqualTo(256);          // no new frame: unmap keeps it
        assertThat(s[Stat.GUEST_INVLPG]).isEqualTo(256 + 128);
        assertThat(s[Stat.HOST_PAGES_ZEROED]).isEqualTo(256);
        assertThat(s[Stat.VERIFY_PAGES]).isEqualTo(256);
        assertThat(s[Stat.VERIFY_MISMATCHES]).isZero();
    }

    @Test
    void largePagesMapTwoMebibyteRunsAndRefuseAPartialFree() {
        PageGuest g = pageGuest(List.of(new Op.PageSize(Op.PageSize.SHIFT_2M), new Op.Touch(4096, 0),
                new Op.Touch(4096, 2 * MIB + 4096), new Op.Free(2 * MIB, 0), new Op.PageSize(Op.PageSize.SHIFT_4K),
                new Op.Touch(4096, 0), new Op.Free(MIB, 2 * MIB)));
        long[] boot = g.stats.clone();
        assertThatThrownBy(() -> g.runUntil(Long.MAX_VALUE - 1)).isInstanceOf(SimException.class)
                .hasMessage("free: the range covers part of the 2 MiB guest page at offset 0x200000; unmap, remap and"
                        + " free whole 2 MiB pages");
        long[] s = workloadStats(g, boot);
        // two 2 MiB pages (1,024 frames), one freed (512 back), one 4 KiB page: 513 frames held
        assertThat(s[Stat.GUEST_FRAMES]).isEqualTo(513);
        assertThat(g.mappedPages).isEqualTo(513);
        assertThat(s[Stat.ACCESSES]).isEqualTo(3);              // only the pages written are touched in the host
        // the third write lands on the lowest frame of the freed 2 MiB page (LIFO), which the first one zeroed
        assertThat(s[Stat.HOST_PAGES_ZEROED]).isEqualTo(2);
    }

    @Test
    void processesShareTheRegionAndASwitchIsCountedNotWalked() {
        PageGuest g = pageGuest(List.of(new Op.Touch(MIB, 0), new Op.Processes(4), new Op.Switch(10, true),
                new Op.Touch(MIB, 0)));
        long[] boot = g.stats.clone();
        g.runUntil(Long.MAX_VALUE - 1);
        long[] s = workloadStats(g, boot);
        assertThat(s[Stat.MOV_CR3]).isEqualTo(10);
        assertThat(s[Stat.EXITS]).isEqualTo(256);                 // a MOV to CR3 does not exit under EPT
        assertThat(g.mappedPages).isEqualTo(256);                 // the same pages: one region for all processes
        assertThat(s[Stat.ACCESSES]).isEqualTo(512);
    }

    @Test
    void aTraceIsReplayedAsPageAccesses() {
        long[] accesses = {0x1000 | 1, 0x1008, 0x5000 | 1, 0x1010 | 1};
        PageGuest g = pageGuest(List.of(new Op.Demand(true), new Op.Trace("t", accesses), new Op.Verify()));
        long[] boot = g.stats.clone();
        g.runUntil(Long.MAX_VALUE - 1);
        long[] s = workloadStats(g, boot);
        assertThat(s[Stat.ACCESSES]).isEqualTo(4);
        assertThat(s[Stat.GUEST_PAGE_FAULTS]).isEqualTo(2);       // pages 1 and 5
        assertThat(s[Stat.VERIFY_PAGES]).isEqualTo(2);
        assertThat(s[Stat.VERIFY_MISMATCHES]).isZero();
    }

    @Test
    void aScenarioNotesNoIgnoredOps() {
        HostSpec spec = new HostSpec("all-ops", -1, 100_000_000L, 1_000_000L, new HostSpec.Host(256 * MIB, 0, 0,
                org.memvirt.engine.SwapKind.SSD, org.memvirt.engine.KsmConfig.defaults(false), 10),
                new HostSpec.Policy(HostSpec.PolicyKind.NONE, 1_000_000_000L, 80), HostSpec.KsmPolicy.NONE,
                List.of(new HostSpec.Vm("vm", QemuArgs.parse(List.of("-m", "64M")), MmuMode.EPT, 0, 0, 0, null,
                        List.of(new Op.Processes(2), new Op.Switch(1, false), new Op.Demand(true), new Op.Touch(MIB, 0),
                                new Op.Unmap(MIB, 0), new Op.Remap(MIB, 0), new Op.PageSize(Op.PageSize.SHIFT_2M),
                                new Op.Touch(2 * MIB, 2 * MIB), new Op.Trace("t", new long[] {1})), 0)));
        var r = new SimHost(spec).run();
        assertThat(r.notes()).isEmpty();
        assertThat(r.vms().getFirst().ignoredOps()).isEmpty();
        assertThat(r.vms().getFirst().status()).isEqualTo("finished");
    }
}
