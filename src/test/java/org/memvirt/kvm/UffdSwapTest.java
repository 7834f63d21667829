package org.memvirt.kvm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.memvirt.kvm.Machines.MIB;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.memvirt.config.QemuArgs;
import org.memvirt.engine.Counter;
import org.memvirt.engine.RunListener;
import org.memvirt.engine.RunResult;
import org.memvirt.engine.RunSpec;
import org.memvirt.host.MmuMode;
import org.memvirt.workload.WorkloadParser;

/** The VMM's own swap: a resident limit enforced through userfaultfd; content survives eviction. */
@Tag("kvm")
class UffdSwapTest {
    /**
     * Needs KVM and userfaultfd(2) for faults KVM takes on guest RAM (kernel-mode faults): root (CAP_SYS_PTRACE) or
     * vm.unprivileged_userfaultfd=1 (linux fs/userfaultfd.c userfaultfd_syscall_allowed). Decided from the host, and
     * then the engine's own check must agree.
     */
    @BeforeEach
    void needsKvmAndUffd() throws java.io.IOException {
        Machines.assumeKvm();
        java.nio.file.Path knob = java.nio.file.Path.of("/proc/sys/vm/unprivileged_userfaultfd");
        boolean unprivileged = java.nio.file.Files.exists(knob) && java.nio.file.Files.readString(knob).trim().equals("1");
        org.memvirt.Skip.unless("root".equals(System.getProperty("user.name")) || unprivileged,
                "userfaultfd for kernel faults needs root or vm.unprivileged_userfaultfd=1");
        assertThat(UffdSwap.unavailableReason()).isNull();
    }

    private static RunResult run(String ram, String workload, long limit) {
        return new KvmEngine(new KvmOptions(null, limit)).run(new RunSpec(QemuArgs.parse(List.of("-m", ram)),
                WorkloadParser.parseShorthand(workload), MmuMode.SHADOW, false, "zen5", Duration.ofMinutes(3), 1),
                RunListener.NONE);
    }

    @Test
    void touchingFourTimesTheLimitKeepsRssUnderItAndVerifyPasses() {
        RunResult base = run("512M", "touch 256M; verify", 0);   // same run, no limit: the baseline for the ratio
        RunResult r = run("512M", "touch 256M; verify", 64 * MIB);
        var c = r.counters();
        System.out.printf("uffd swap cost: touch 256M %d ms vs %d ms without a limit (ratio %.2f); verify %d vs %d ms%n",
                r.ops().get(0).nanos() / 1_000_000, base.ops().get(0).nanos() / 1_000_000,
                r.ops().get(0).nanos() / (double) base.ops().get(0).nanos(), r.ops().get(1).nanos() / 1_000_000,
                base.ops().get(1).nanos() / 1_000_000);
        System.out.printf("uffd swap, limit 64M, touch 256M + verify: rss %d, swapped %d, swap_out %d, swap_in %d, "
                        + "faults %d, zero fills %d, verify %d/%d, ops %s%n", r.memory().residentBytes(),
                r.memory().swappedBytes(), c.get(Counter.SWAP_OUT_PAGES), c.get(Counter.SWAP_IN_PAGES), c.get(Counter.UFFD_FAULTS),
                c.get(Counter.UFFD_ZERO_FILLS), c.get(Counter.VERIFY_PAGES), c.get(Counter.VERIFY_MISMATCHES),
                r.ops().stream().map(o -> o.op() + " " + o.nanos() / 1_000_000 + " ms").toList());
        assertThat(c.get(Counter.VERIFY_PAGES)).isEqualTo(65_536);
        assertThat(c.get(Counter.VERIFY_MISMATCHES)).isZero();
        assertThat(c.get(Counter.SWAP_IN_PAGES)).isPositive();
        assertThat(c.get(Counter.SWAP_OUT_PAGES)).isGreaterThanOrEqualTo(65_536 - 64 * 256);
        assertThat(r.memory().residentBytes()).isLessThanOrEqualTo(64 * MIB + 2 * MIB);
        assertThat(r.memory().swappedBytes()).isEqualTo(c.get(Counter.SWAP_FILE_PAGES) * 4096);
    }

    @Test
    void ballooningASwappedOutRangeForgetsItsSwappedContent() {
        RunResult r = run("160M", "touch 150M; balloon inflate 100M; balloon deflate 100M; read 100M at 50M; verify", 32 * MIB);
        assertThat(r.counters().get(Counter.VERIFY_MISMATCHES)).isZero();
        assertThat(r.counters().get(Counter.BALLOON_RECLAIMED_PAGES)).isPositive();
    }

    @Test
    void aScenarioVmUnderALimitSwapsWhileItsNeighbourDoesNot() {
        RunSpec spec = new RunSpec(QemuArgs.parse(List.of("-m", "256M")), WorkloadParser.parseShorthand("touch 96M; verify"),
                MmuMode.SHADOW, false, "zen5", Duration.ofMinutes(2), 1);
        KvmScenarioRunner.Outcome o = KvmScenarioRunner.run(List.of(new KvmScenarioRunner.VmSpec("limited", spec, 32 * MIB),
                new KvmScenarioRunner.VmSpec("free", spec)), null, Duration.ofMinutes(2));
        KvmScenarioRunner.VmOutcome limited = o.vms().get(0), free = o.vms().get(1);
        System.out.printf("scenario: limited resident %d swapped %d; free resident %d swapped %d%n", limited.residentBytes(),
                limited.swappedBytes(), free.residentBytes(), free.swappedBytes());
        assertThat(limited.residentBytes()).isLessThanOrEqualTo(32 * MIB);
        assertThat(limited.swappedBytes()).isGreaterThanOrEqualTo(64 * MIB);
        assertThat(free.swappedBytes()).isZero();
        assertThat(free.residentBytes()).isGreaterThan(96 * MIB);
        for (KvmScenarioRunner.VmOutcome v : o.vms()) assertThat(v.result().counters().get(Counter.VERIFY_MISMATCHES)).isZero();
        assertThat(o.ksm().values()).isEmpty();
    }
}
