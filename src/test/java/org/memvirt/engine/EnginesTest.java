package org.memvirt.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.memvirt.config.QemuArgs;
import org.memvirt.host.MmuMode;
import org.memvirt.workload.WorkloadParser;

/** The registry and the one chooser: which engine runs, the reason printed, and the refusals. */
class EnginesTest {
    private static final Availability KVM = Engines.of(EngineKind.KVM).availability();

    private static RunSpec run(boolean ksm) {
        return new RunSpec(QemuArgs.parse(List.of("-m", "64M")), WorkloadParser.parseShorthand("touch 1M"), MmuMode.EPT,
                true, "zen5", null, 1, ksm, 0);
    }

    private static HostSpec host(long residentLimit) {
        return host(residentLimit, MmuMode.EPT);
    }

    private static HostSpec host(long residentLimit, MmuMode mmu) {
        HostSpec.Host h = new HostSpec.Host(4L << 30, 0, 0, SwapKind.SSD, KsmConfig.defaults(false), 10);
        HostSpec.Vm vm = new HostSpec.Vm("a", QemuArgs.parse(List.of("-m", "1G")), mmu, 0, 0, 0, null,
                List.of(), residentLimit);
        return new HostSpec("t", -1, 1_000_000_000L, 1_000_000L, h,
                new HostSpec.Policy(HostSpec.PolicyKind.NONE, 10_000_000_000L, 80), HostSpec.KsmPolicy.NONE, List.of(vm));
    }

    @Test
    void everyKindIsRegisteredOnceAndAutoPrefersTheSimLast() {
        assertThat(Engines.all()).extracting(Engine::kind).containsExactlyInAnyOrder(EngineKind.values());
        assertThat(Engines.all().getLast().kind()).isEqualTo(EngineKind.SIM);
        assertThat(Engines.of(EngineKind.SIM).availability()).isEqualTo(new Availability(true, ""));
    }

    @Test
    void engineWordsAreTheKindsAndAutoInAnyCaseAndAnythingElseIsAUsageError() {
        assertThat(Engines.Request.parse("SIM").kind()).isEqualTo(EngineKind.SIM);
        assertThat(Engines.Request.parse("Auto")).isEqualTo(Engines.Request.AUTO);
        assertThatThrownBy(() -> Engines.Request.parse("xen")).isInstanceOf(EngineException.class)
                .hasMessage("--engine must be sim, kvm, qemu or auto, not 'xen'")
                .satisfies(e -> assertThat(((EngineException) e).exitCode()).isEqualTo(2));
    }

    @Test
    void theReasonSaysWhichEngineAndWhy() {
        assertThat(Engines.forRun(Engines.Request.parse("sim"), run(false)).reason()).isEqualTo("--engine sim");
        Engines.Choice auto = Engines.forHost(Engines.Request.AUTO, host(0));
        if (KVM.usable()) {
            // a VM that asks for the MMU this host's KVM runs is run by kvm; one asking for another is passed to the sim
            MmuMode kvmMode = org.memvirt.host.HostMmu.read().mode();
            Engines.Choice same = Engines.forHost(Engines.Request.AUTO, host(0, kvmMode));
            assertThat(same.engine().kind()).isEqualTo(EngineKind.KVM);
            assertThat(same.reason()).startsWith("--engine auto: " + KVM.reason());
            if (kvmMode != MmuMode.EPT) {
                assertThat(auto.engine().kind()).isEqualTo(EngineKind.SIM);
                assertThat(auto.reason()).startsWith("--engine auto: the kvm path cannot run it (vms[a].mmu: ept, but"
                        + " this host's KVM runs guests with " + kvmMode.word());
            }
        } else {
            assertThat(auto.engine().kind()).isEqualTo(EngineKind.SIM);
            assertThat(auto.reason()).isEqualTo("--engine auto: " + KVM.reason() + ", so the simulator");
            assertThat(auto.passedOver().kind()).isEqualTo(EngineKind.KVM);
            assertThat(auto.why()).isEqualTo(KVM.reason());
        }
    }

    @Test
    void whatTheSimCannotHonourIsRefusedWithTheReasonItWouldHaveRunFor() {
        assertThatThrownBy(() -> Engines.forRun(Engines.Request.parse("sim"), run(true)))
                .hasMessageStartingWith("--ksm needs the kvm engine (--engine sim); ");
        assertThatThrownBy(() -> Engines.forHost(Engines.Request.parse("sim"), host(64L << 20)))
                .hasMessage("vms[a].resident_limit: hypervisor-level swap runs on the kvm engine only (--engine kvm)")
                .satisfies(e -> assertThat(((EngineException) e).exitCode()).isEqualTo(1));
        if (!KVM.usable()) {
            assertThatThrownBy(() -> Engines.forHost(Engines.Request.AUTO, host(64L << 20))).hasMessage(
                    "vms[a].resident_limit: hypervisor-level swap runs on the kvm engine only (--engine kvm); --engine"
                            + " auto cannot use kvm: " + KVM.reason());
            assertThatThrownBy(() -> Engines.forRun(Engines.Request.parse("kvm"), run(false)))
                    .hasMessage("--engine kvm: " + KVM.reason())
                    .satisfies(e -> assertThat(((EngineException) e).exitCode()).isEqualTo(3));
        }
    }

    /** An engine that only says whether it is usable and whether it accepts a run. */
    private record Fake(EngineKind kind, Availability availability, String refusal) implements Engine {
        @Override
        public void check(RunSpec spec, String reason) {
            if (refusal != null) throw new EngineException(refusal);
        }

        @Override
        public RunResult run(RunSpec spec, RunListener listener) {
            throw new UnsupportedOperationException();
        }

        @Override
        public List<String> check(HostSpec spec) {
            return List.of();
        }

        @Override
        public HostResult run(HostSpec spec, RunListener listener) {
            throw new UnsupportedOperationException();
        }
    }

    @Test
    void preferRealTakesTheFirstUsableRealEngineElseTheModelSayingWhyEachRealOneWasNot() {
        Fake sim = new Fake(EngineKind.SIM, new Availability(true, ""), null);
        Fake kvmOk = new Fake(EngineKind.KVM, new Availability(true, "/dev/kvm usable"), null);
        Fake kvmGone = new Fake(EngineKind.KVM, new Availability(false, "/dev/kvm does not exist"), null);
        Fake kvmRefuses = new Fake(EngineKind.KVM, new Availability(true, "/dev/kvm usable"), "--mmu ept: no EPT here");
        assertThat(Engines.preferReal(List.of(sim, kvmOk), run(false)).reason()).isEqualTo("kvm engine: /dev/kvm usable");
        Engines.Choice c = Engines.preferReal(List.of(kvmGone, sim), run(false));
        assertThat(c.engine()).isSameAs(sim);
        assertThat(c.reason()).isEqualTo("sim engine: the kvm engine cannot run here (/dev/kvm does not exist)");
        assertThat(c.passedOver()).isSameAs(kvmGone);
        assertThat(Engines.preferReal(List.of(kvmRefuses, sim), run(false)).reason())
                .isEqualTo("sim engine: the kvm engine cannot run it (--mmu ept: no EPT here)");
        Fake simRefuses = new Fake(EngineKind.SIM, new Availability(true, ""), "too big");
        assertThatThrownBy(() -> Engines.preferReal(List.of(kvmGone, simRefuses), run(false))).hasMessage("too big");
    }
}
