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
        HostSpec.Host h = new HostSpec.Host(4L << 30, 0, 0, SwapKind.SSD, KsmConfig.defaults(false), 10);
        HostSpec.Vm vm = new HostSpec.Vm("a", QemuArgs.parse(List.of("-m", "1G")), MmuMode.EPT, 0, 0, 0, null,
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
        assertThatThrownBy(() -> Engines.Request.parse("qemu")).isInstanceOf(EngineException.class)
                .hasMessage("--engine must be sim, kvm or auto, not 'qemu'")
                .satisfies(e -> assertThat(((EngineException) e).exitCode()).isEqualTo(2));
    }

    @Test
    void theReasonSaysWhichEngineAndWhy() {
        assertThat(Engines.forRun(Engines.Request.parse("sim"), run(false)).reason()).isEqualTo("--engine sim");
        Engines.Choice auto = Engines.forHost(Engines.Request.AUTO, host(0));
        if (KVM.usable()) {
            assertThat(auto.reason()).startsWith("--engine auto: " + KVM.reason());
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
}
