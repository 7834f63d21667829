package org.memvirt.kvm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.memvirt.engine.EngineException;
import org.memvirt.engine.EngineKind;
import org.memvirt.engine.Engines;
import org.memvirt.engine.HostResult;
import org.memvirt.engine.HostSpec;
import org.memvirt.engine.RunListener;
import org.memvirt.host.HostMmu;
import org.memvirt.host.KsmState;
import org.memvirt.host.MemInfo;
import org.memvirt.host.MmuMode;
import org.memvirt.scenario.ScenarioLoader;

class KvmFitTest {
    private static final long GIB = 1L << 30;
    /** A 24 GiB host with 20 GiB available, KSM present and stopped, max_page_sharing 256. */
    private static final MemInfo HOST = new MemInfo(Map.of("MemTotal", 24L << 20, "MemAvailable", 20L << 20, "SwapTotal", 0L));
    private static final KsmState KSM = new KsmState(true, 0L, 100L, 20L, 256L, 1L, 0L, 0L, 0L, 0L, 0L, 0L, 0L, 0L, null);

    private static HostSpec parse(String yaml) {
        return ScenarioLoader.parse(yaml, "t");
    }

    private static String refusal(String yaml) {
        try {
            KvmFit.check(parse(yaml), HOST, KSM);
        } catch (EngineException e) {
            return e.getMessage();
        }
        throw new AssertionError("not refused");
    }

    @Test
    void marginIsFivePercentOfMemTotalAndAtLeast512Mib() {
        assertThat(KvmFit.margin(24 * GIB)).isEqualTo(24 * GIB / 100 * 5);
        assertThat(KvmFit.margin(4 * GIB)).isEqualTo(512L << 20);
    }

    @Test
    void touchedMemoryCountsTheRuntimeThePageStackAndTheHighestPageReachedCappedByTheResidentLimit() {
        HostSpec s = parse("""
                host: {ram: 8G}
                vms:
                  - {name: a, memory: 4G, workload: ["touch 1G", "balloon inflate 3G", "random 100 over 2G"]}
                  - {name: b, memory: 4G, resident_limit: 64M, workload: ["touch 1G"]}
                """);
        assertThat(KvmFit.touchedBytes(s.vms().get(0))).isEqualTo((2L << 20) + (4 * GIB >> 10) + 2 * GIB);
        assertThat(KvmFit.touchedBytes(s.vms().get(1))).isEqualTo(64L << 20);
        assertThat(s.vms().get(1).residentLimitBytes()).isEqualTo(64L << 20);
    }

    @Test
    void aScenarioThatFitsGetsTheNotesOfWhatIsNotEnforced() {
        var notes = KvmFit.check(parse("""
                host: {ram: 8G, swap: 2G, ksm: {run: 1, pages_to_scan: 5000, max_page_sharing: 512}}
                vms: [{name: a, memory: 1G, oom_score_adj: 500, workload: ["touch 512M"]}]
                """), HOST, KSM);
        assertThat(notes.getFirst()).startsWith("kvm engine: host.ram 8.0 GiB, host.reserve 0 MiB and host.swap 2.0 GiB are not enforced");
        assertThat(notes).anyMatch(n -> n.equals("kvm engine: host.ksm.max_page_sharing 512 is not applied; this host's is 256"));
        assertThat(notes).anyMatch(n -> n.startsWith("a: oom_score_adj is not applied"));
    }

    @Test
    void guestsThatWouldNotFitThisHostAreRefusedNamingVms() {
        assertThat(refusal("""
                host: {ram: 64G}
                vms: [{name: big, count: 3, memory: 8G, workload: ["touch 7G"]}]
                """)).startsWith("vms: the guests would touch 21.0 GiB (most: big-0, 7.0 GiB) but this host has 18.8 GiB to give"
                + " (MemAvailable 20 GiB minus a 1.2 GiB margin)");
    }

    @Test
    void anOomScenarioOfTheModelledHostIsSimOnly() {
        assertThat(refusal("""
                host: {ram: 2G, reserve: 1G, swap: 512M}
                vms: [{name: a, count: 2, memory: 1G, workload: ["touch 1000M"]}]
                """)).startsWith("host.ram: the guests touch 2.0 GiB but host.ram - host.reserve + host.swap is 1.5 GiB:"
                + " the scenario expects the host OOM killer, which only the sim engine models");
    }

    @Test
    void simOnlyFeaturesAreRefusedNamingTheField() {
        String vm = "host: {ram: 4G}\nvms: [{name: a, memory: 1G, %s}]\n";
        assertThat(refusal(vm.formatted("start: 1s"))).startsWith("vms[a].start: staggered starts are sim-only");
        assertThat(refusal(vm.formatted("boot_touch: 512M"))).startsWith("vms[a].boot_touch:");
        assertThat(refusal(vm.formatted("balloon: {target: 512M}"))).startsWith("vms[a].balloon.target:");
        assertThat(refusal(vm.formatted("balloon: {deflate_on_oom: true}"))).startsWith("vms[a].balloon.deflate_on_oom:");
        assertThat(refusal(vm.formatted("workload: [\"touch 8M\", \"balloon inflate 4M\"]")))
                .startsWith("vms[a].workload[1]: the VM has no balloon device");
        assertThat(refusal("host: {ram: 4G, ksm_policy: ksmtuned}\nvms: [{memory: 1G}]\n")).startsWith("host.ksm_policy: ksmtuned is modelled");
        assertThat(refusal("host: {ram: 4G, balloon_policy: mom}\nvms: [{memory: 1G}]\n")).startsWith("host.balloon_policy: mom is modelled");
    }

    @Test
    void switchWithPcidFitsTheKvmPath() {
        // whether this host's KVM offers PCID is the engine's question (KVM_GET_SUPPORTED_CPUID), not the fit's
        org.assertj.core.api.Assertions.assertThatCode(() -> KvmFit.check(parse(
                "host: {ram: 4G}\nvms: [{name: a, memory: 1G, workload: [\"processes 4\", \"repeat 2 { switch 4 pcid }\"]}]\n"),
                HOST, KSM)).doesNotThrowAnyException();
    }

    @Test
    void anMmuOtherThanTheHostsIsRefusedAndNoneTakesTheHosts() {
        HostMmu pvm = new HostMmu(MmuMode.SHADOW, HostMmu.SOURCE_PVM, false, false, false, false, false, false, null);
        String yaml = "host: {ram: 4G}\nvms: [{name: a, memory: 1G%s, workload: [\"touch 1M\"]}]\n";
        assertThatThrownBy(() -> KvmFit.check(parse(yaml.formatted(", mmu: ept")), HOST, KSM, pvm)).hasMessage(
                "vms[a].mmu: ept, but this host's KVM runs guests with shadow (kvm_pvm, shadow paging); use --engine sim");
        org.assertj.core.api.Assertions.assertThatCode(() -> KvmFit.check(parse(yaml.formatted(", mmu: shadow")), HOST,
                KSM, pvm)).doesNotThrowAnyException();
        org.assertj.core.api.Assertions.assertThatCode(() -> KvmFit.check(parse(yaml.formatted("")), HOST, KSM, pvm))
                .doesNotThrowAnyException();
    }

    @Test
    void theSimRefusesAResidentLimit() {
        HostSpec s = parse("host: {ram: 4G}\nvms: [{name: a, memory: 1G, resident_limit: 64M}]\n");
        assertThatThrownBy(() -> Engines.forHost(Engines.Request.parse("sim"), s)).hasMessage(
                "vms[a].resident_limit: hypervisor-level swap runs on the kvm engine only (--engine kvm)");
        assertThatThrownBy(() -> parse("host: {ram: 4G}\nvms: [{memory: 1G, resident_limit: 1M}]\n"))
                .hasMessage("vms[0].resident_limit: must be a multiple of 4 KiB and at least 4 MiB");
    }

    @Test
    void withReclaimTheSimGuestGivesItsOwnPagesToTheBalloon() {
        String yaml = """
                host: {ram: 2G}
                vms: [{name: a, memory: 64M, balloon: %s, workload: ["touch 60M", "balloon inflate 32M", "sleep 1s", "touch 60M", "verify"]}]
                """;
        HostResult.Vm puff = Engines.of(EngineKind.SIM).run(parse(yaml.formatted("true")), RunListener.NONE).vms().getFirst();
        HostResult.Vm reclaim = Engines.of(EngineKind.SIM).run(parse(yaml.formatted("{reclaim: true}")), RunListener.NONE).vms().getFirst();
        assertThat(puff.balloonedBytes()).isEqualTo(2L << 20);               // only what the guest had free
        assertThat(reclaim.balloonedBytes()).isEqualTo(32L << 20);
        assertThat(reclaim.verifyMismatches()).isZero();                       // the dropped pages are touched again
    }
}
