package org.memvirt.kvm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.memvirt.kvm.Machines.GIB;
import static org.memvirt.kvm.Machines.MIB;

import java.time.Duration;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.memvirt.engine.Counter;
import org.memvirt.engine.Counters;
import org.memvirt.engine.RunListener;
import org.memvirt.engine.RunResult;
import org.memvirt.engine.RunSpec;
import org.memvirt.workload.Op;

/** The kvm engine on this host's /dev/kvm: memory cost and KVM's counters, exactly where the guest model fixes them. */
@Tag("kvm")
class KvmEngineTest {
    private static final long PAGES_16M = 16 * MIB / 4096;
    /**
     * {@code touch 1G} leaves resident, exactly, the frames the runtime's bump allocator hands out after the untouched
     * page stack (guest/runtime.c unused_frame_locked): 262,144 data pages and the region's tables (one PDPT, one PD,
     * 512 PTs); below RUNTIME_END (2 MiB, guest/layout.h) at most the whole runtime area, whatever of it the runtime
     * touched. Hence [TOUCH_1G, TOUCH_1G + 2 MiB], for any RAM size (the page stack is never written here).
     */
    private static final long TOUCH_1G = GIB + (1 + 1 + 512) * 4096L;
    private static final long RUNTIME_AREA = GuestLayout.RUNTIME_END;
    /** A first touch of 64 MiB: 16,384 data pages and 34 tables (PDPT, PD, 32 PTs; guest_frames below). */
    private static final long TABLES_64M = 1 + 1 + 32;
    /** The runtime's own pages a first op may fault in after boot (shared state, mailbox, CPL3 stack). */
    private static final long RUNTIME_OWN_FAULTS = 3;

    @BeforeEach
    void needsKvm() {
        Machines.assumeKvm();
    }

    private static RunResult run(RunSpec spec) {
        return new KvmEngine().run(spec, RunListener.NONE);
    }

    private static com.fasterxml.jackson.databind.JsonNode readJson(String text) {
        try {
            return new com.fasterxml.jackson.databind.ObjectMapper().readTree(text);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    /** Prints the counters of {@code c} that matter here; a per-vCPU snapshot has no VM-scope ones (mmu_pte_write). */
    private static void show(String what, Counters c) {
        StringBuilder line = new StringBuilder(what).append(':');
        for (Counter k : new Counter[] {Counter.PF_FIXED, Counter.PF_TAKEN, Counter.PF_GUEST, Counter.INVLPG,
                Counter.TLB_FLUSH, Counter.EXITS, Counter.USER_EXITS, Counter.MMU_PTE_WRITE, Counter.MMU_UNSYNC,
                Counter.INSN_EMULATION}) {
            if (c.has(k)) line.append(' ').append(k.key()).append('=').append(c.get(k));
        }
        System.out.println(line);
    }

    /** The lazy-guest experiment as the CLI builds it: QEMU's {@code -m} and the workload shorthand. */
    private static RunResult seed(String ram, String workload) {
        return run(new RunSpec(org.memvirt.config.QemuArgs.parse(java.util.List.of("-m", ram)),
                org.memvirt.workload.WorkloadParser.parseShorthand(workload), org.memvirt.host.MmuMode.SHADOW, false,
                "zen5", Duration.ofMinutes(2), 1));
    }

    @Test
    void touchOneGibOfAFourGibGuestCostsTheHostOneGib() {
        RunResult r = seed("4G", "touch 1G");
        System.out.println("-m 4G touch 1G: resident " + r.memory().residentBytes() + ", noreserve "
                + r.counters().get(Counter.GUEST_RAM_NORESERVE));
        assertThat(r.memory().configuredBytes()).isEqualTo(4 * GIB);
        assertThat(r.memory().residentBytes()).isBetween(TOUCH_1G, TOUCH_1G + RUNTIME_AREA);
        com.fasterxml.jackson.databind.JsonNode json = readJson(org.memvirt.report.Json.write(r));   // what --json prints
        assertThat(json.at("/memory/resident_bytes").asLong()).isEqualTo(r.memory().residentBytes());
        assertThat(json.at("/engine").asText()).isEqualTo("kvm");
    }

    @Test
    void touchOneGibOfASixtyFourGibGuestCostsTheHostOneGib() {
        RunResult r = seed("64G", "touch 1G");
        System.out.println("-m 64G touch 1G: resident " + r.memory().residentBytes() + ", noreserve "
                + r.counters().get(Counter.GUEST_RAM_NORESERVE));
        assertThat(r.memory().configuredBytes()).isEqualTo(64 * GIB);
        assertThat(r.memory().residentBytes()).isBetween(TOUCH_1G, TOUCH_1G + RUNTIME_AREA);
    }

    @Test
    void firstTouchOfNPagesGivesAboutNShadowFaults() {
        RunResult r = run(Machines.spec(Machines.pc(256 * MIB, 1), new Op.Touch(64 * MIB, 0)));
        Counters c = r.ops().getFirst().deltas();
        show("touch 64M", c);
        long pages = 64 * MIB / 4096;
        // each data page faults at least once; each table at most twice (the sim's count, EngineDifferentialTest) and
        // the runtime's own pages at most RUNTIME_OWN_FAULTS times (engine.DifferentialBounds)
        assertThat(c.get(Counter.PF_FIXED)).isBetween(pages, pages + 2 * TABLES_64M + RUNTIME_OWN_FAULTS);
        assertThat(c.get(Counter.USER_EXITS)).isEqualTo(1);
        assertThat(c.get(Counter.GUEST_FRAMES)).isEqualTo(pages + 1 + 1 + 32);   // data + PDPT + PD + 32 PTs
    }

    @Test
    void unmapRemapOfKPagesExecutesKInvlpg() {
        RunResult r = run(Machines.spec(Machines.pc(256 * MIB, 1), new Op.Touch(16 * MIB, 0),
                new Op.Unmap(16 * MIB, 0), new Op.Remap(16 * MIB, 0), new Op.Verify()));
        show("unmap 16M", r.ops().get(1).deltas());
        show("remap 16M", r.ops().get(2).deltas());
        assertThat(r.ops().get(1).deltas().get(Counter.INVLPG)).isEqualTo(PAGES_16M);
        assertThat(r.ops().get(2).deltas().get(Counter.INVLPG)).isZero();
        assertThat(r.counters().get(Counter.VERIFY_PAGES)).isEqualTo(PAGES_16M);
        assertThat(r.counters().get(Counter.VERIFY_MISMATCHES)).isZero();
    }

    @Test
    void freeGivesFramesBackAndTheNextTouchReusesThemWhileTheHostKeepsThem() {
        RunResult r = run(Machines.spec(Machines.pc(256 * MIB, 1), new Op.Touch(16 * MIB, 0), new Op.Free(16 * MIB, 0),
                new Op.Touch(16 * MIB, 0), new Op.Verify()));
        show("free 16M", r.ops().get(1).deltas());
        show("touch 16M again", r.ops().get(2).deltas());
        assertThat(r.ops().get(1).deltas().get(Counter.INVLPG)).isEqualTo(PAGES_16M);
        assertThat(r.ops().get(1).deltas().get(Counter.GUEST_FRAMES)).isEqualTo(-PAGES_16M);
        assertThat(r.ops().get(2).deltas().get(Counter.GUEST_FRAMES)).isEqualTo(PAGES_16M);   // off the free stack, tables kept
        assertThat(r.counters().get(Counter.VERIFY_PAGES)).isEqualTo(PAGES_16M);
        assertThat(r.counters().get(Counter.VERIFY_MISMATCHES)).isZero();
        // the host keeps the freed frames; the only new host pages are the free stack's first 4,096 u32 entries
        // (docs/guest-model.md: the page stack at 0x200000), 16 KiB = 4 pages never written before, and the vCPU's
        // buffer (guest/layout.h BUF_SIZE 0xE000, 14 pages) in which free_pages batches the GVAs to INVLPG and the
        // frames to push, FREE_BATCH = 3,584 entries of 8 bytes each (guest/runtime.c): 4,096 pages fill both halves
        RunResult once = run(Machines.spec(Machines.pc(256 * MIB, 1), new Op.Touch(16 * MIB, 0)));
        long stackPages = 4096 * 4 / 4096, bufferPages = 0xE000 / 4096;
        assertThat(r.memory().residentBytes()).isEqualTo(once.memory().residentBytes() + (stackPages + bufferPages) * 4096);
    }

    @Test
    void freeOnTwoVcpusFlushesEveryTlbBeforeFramesAreReused() {
        RunResult r = run(Machines.spec(Machines.pc(256 * MIB, 2), new Op.Touch(16 * MIB, 0), new Op.Free(8 * MIB, 4 * MIB),
                new Op.Touch(16 * MIB, 0), new Op.Verify()));
        assertThat(r.ops().get(1).deltas().get(Counter.INVLPG)).isEqualTo(PAGES_16M / 2);
        assertThat(r.counters().get(Counter.VERIFY_PAGES)).isEqualTo(PAGES_16M);
        assertThat(r.counters().get(Counter.VERIFY_MISMATCHES)).isZero();
    }

    @Test
    void unmapRemapLoopOfKPagesExecutesKInvlpgPerRound() {
        RunResult r = run(Machines.spec(Machines.pc(256 * MIB, 1), new Op.Touch(4 * MIB, 0),
                new Op.Repeat(5, java.util.List.of(new Op.Unmap(4 * MIB, 0), new Op.Remap(4 * MIB, 0)))));
        assertThat(r.ops().get(1).deltas().get(Counter.INVLPG)).isEqualTo(5 * 4 * MIB / 4096);
    }

    @Test
    void guestDemandPagingOfKPagesGivesKGuestFaults() {
        RunResult r = run(Machines.spec(Machines.pc(256 * MIB, 1), new Op.Demand(true), new Op.Touch(16 * MIB, 0),
                new Op.Verify()));
        show("demand on + touch 16M", r.ops().get(1).deltas());
        assertThat(r.ops().get(1).deltas().get(Counter.PF_GUEST)).isEqualTo(PAGES_16M);
        assertThat(r.counters().get(Counter.VERIFY_MISMATCHES)).isZero();
    }

    @Test
    void processesAndSwitches() {
        RunResult r = run(Machines.spec(Machines.pc(256 * MIB, 1), new Op.Processes(4), new Op.Switch(1000, false),
                new Op.Touch(MIB, 0), new Op.Verify()));
        show("processes 4", r.ops().get(0).deltas());
        show("switch 1000", r.ops().get(1).deltas());
        assertThat(r.ops().get(0).deltas().get(Counter.GUEST_FRAMES)).isEqualTo(3);      // three new PML4s
        assertThat(r.counters().get(Counter.VERIFY_PAGES)).isEqualTo(256);
        assertThat(r.ops().get(1).deltas().get(Counter.USER_EXITS)).isEqualTo(1);
    }

    private static boolean kvmOffersPcid() {
        try (Kvm kvm = Kvm.open()) {
            return kvm.hasPcid();
        }
    }

    @Test
    void everyVcpuGetsTheSupportedCpuidAndTheCpuidTableIsWellFormed() {
        try (Kvm kvm = Kvm.open()) {
            java.lang.foreign.MemorySegment c = kvm.supportedCpuid();
            int n = c.get(java.lang.foreign.ValueLayout.JAVA_INT, 0);
            assertThat(n).isBetween(1, 256);   // KVM fills at most the entries Kvm.supportedCpuid asks for (256)
            // leaf 0 comes first; its EAX is the highest standard leaf, at least 1 on any x86-64 host
            assertThat(c.get(java.lang.foreign.ValueLayout.JAVA_INT, KvmAbi.CPUID2.byteSize() + KvmAbi.CPUID_FUNCTION)).isZero();
            assertThat(c.get(java.lang.foreign.ValueLayout.JAVA_INT, KvmAbi.CPUID2.byteSize() + 12)).isPositive();
        }
        // KVM_SET_CPUID2 ran on the vCPU before its first KVM_RUN, and the runtime boots and runs with it
        RunResult r = run(Machines.spec(Machines.pc(64 * MIB, 2), new Op.Touch(MIB, 0), new Op.Verify()));
        assertThat(r.counters().get(Counter.VERIFY_PAGES)).isEqualTo(256);
    }

    @Test
    void switchWithPcidRunsWhereKvmOffersPcid() {
        org.memvirt.Skip.unless(kvmOffersPcid(),
                "this KVM's KVM_GET_SUPPORTED_CPUID has no PCID (leaf 1 ECX bit 17), so CR4.PCIDE cannot be set");
        RunResult r = run(Machines.spec(Machines.pc(256 * MIB, 1), new Op.Processes(4), new Op.Switch(1000, false),
                new Op.Switch(1000, true), new Op.Touch(4 * MIB, 0), new Op.Processes(2), new Op.Switch(100, true),
                new Op.Verify()));
        show("switch 1000", r.ops().get(1).deltas());
        show("switch 1000 pcid", r.ops().get(2).deltas());
        assertThat(r.ops().get(2).deltas().get(Counter.USER_EXITS)).isEqualTo(1);
        assertThat(r.counters().get(Counter.VERIFY_MISMATCHES)).isZero();
        assertThat(r.counters().get(Counter.VERIFY_PAGES)).isEqualTo(1024);
    }

    @Test
    void switchWithPcidIsRefusedBeforeBootWhereKvmLacksPcid() {
        org.memvirt.Skip.unless(!kvmOffersPcid(), "this KVM offers PCID (see the test above)");
        assertThatThrownBy(() -> seed("64M", "processes 4; repeat 2 { switch 1000 pcid }"))
                .isInstanceOf(org.memvirt.engine.EngineException.class)
                .hasMessage("'repeat 2 { switch 1000 pcid }': this KVM does not offer PCID to guests"
                        + " (KVM_GET_SUPPORTED_CPUID leaf 1 ECX bit 17 is clear), so the guest cannot set CR4.PCIDE");
    }

    @Test
    void fillAndRandomWriteWhatVerifyExpects() {
        RunResult r = run(Machines.spec(Machines.pc(128 * MIB, 1),
                new Op.Fill(2 * MIB, 0, new Op.Content.Unique()),
                new Op.Fill(MIB, 4 * MIB, new Op.Content.Same(3)),
                new Op.Random(100_000, 32 * MIB, 50, new Op.Distribution.Uniform(), 7),
                new Op.Random(20_000, 8 * MIB, 30, new Op.Distribution.Zipf(0.99), 9),
                new Op.Read(8 * MIB, 0), new Op.Verify()));
        assertThat(r.counters().get(Counter.VERIFY_MISMATCHES)).isZero();
        assertThat(r.counters().get(Counter.VERIFY_PAGES)).isPositive();
    }

    @Test
    void twoVcpusShareTheTouch() {
        RunResult r = run(Machines.spec(Machines.pc(256 * MIB, 2), new Op.Touch(64 * MIB, 0),
                new Op.Random(50_000, 64 * MIB, 50, new Op.Distribution.Uniform(), 3), new Op.Verify()));
        long pages = 64 * MIB / 4096;
        assertThat(r.vcpus()).hasSize(2);
        show("smp 2 touch 64M vcpu0", r.vcpus().get(0));
        show("smp 2 touch 64M vcpu1", r.vcpus().get(1));
        // each vCPU first-touches its own half (the ops' spread), so each faults at least pages / 2 times; no upper
        // bound here: the two vCPUs race on the shared tables, a race EngineDifferentialTest counts against the
        // one-vCPU twin of this case ("-smp 2 touch 64M")
        assertThat(r.ops().getFirst().deltas().get(Counter.PF_FIXED)).isGreaterThanOrEqualTo(pages);
        assertThat(r.vcpus().get(0).get(Counter.PF_FIXED)).isGreaterThanOrEqualTo(pages / 2);
        assertThat(r.vcpus().get(1).get(Counter.PF_FIXED)).isGreaterThanOrEqualTo(pages / 2);
        assertThat(r.counters().get(Counter.VERIFY_MISMATCHES)).isZero();
    }

    @Test
    void twoVcpusDemandPageUnmapAndRemapTheirSlices() {
        long pages = 8 * MIB / 4096;
        RunResult r = run(Machines.spec(Machines.pc(256 * MIB, 2), new Op.Demand(true), new Op.Touch(8 * MIB, 0),
                new Op.Unmap(8 * MIB, 0), new Op.Remap(8 * MIB, 0), new Op.Verify()));
        assertThat(r.ops().get(1).deltas().get(Counter.PF_GUEST)).isEqualTo(pages);
        assertThat(r.ops().get(2).deltas().get(Counter.INVLPG)).isEqualTo(pages);
        assertThat(r.vcpus().get(0).get(Counter.INVLPG)).isEqualTo(pages / 2);
        assertThat(r.counters().get(Counter.VERIFY_MISMATCHES)).isZero();
    }

    @Test
    void aGuestPastItsTimeoutIsStoppedWithExitStatus4() {
        RunSpec slow = Machines.spec(Machines.pc(2 * GIB, 1), new Op.Touch(GIB, 0));
        RunSpec spec = new RunSpec(slow.machine(), slow.workload(), slow.mmu(), false, "zen5", Duration.ofMillis(200), 1);
        assertThatThrownBy(() -> run(spec)).isInstanceOf(GuestFailure.class)
                .hasMessageContaining("--timeout").hasMessageContaining("RIP 0x").hasMessageContaining("touch 1024M")
                .satisfies(e -> assertThat(((GuestFailure) e).exitCode()).isEqualTo(4));
    }

    @Test
    void twoVcpusPastTheTimeoutAreBothStopped() {
        RunSpec slow = Machines.spec(Machines.pc(2 * GIB, 2), new Op.Touch(GIB, 0));
        RunSpec spec = new RunSpec(slow.machine(), slow.workload(), slow.mmu(), false, "zen5", Duration.ofMillis(300), 1);
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> run(spec)).isInstanceOf(GuestFailure.class).hasMessageContaining("--timeout");
        assertThat(System.nanoTime() - t0).isLessThan(5_000_000_000L);
    }

    @Test
    void aGuestOutOfMemoryIsAOneLineDiagnosis() {
        assertThatThrownBy(() -> run(Machines.spec(Machines.pc(8 * MIB, 1), new Op.Touch(8 * MIB, 0))))
                .isInstanceOf(GuestFailure.class).hasMessageContaining("guest out of memory");
    }
}
