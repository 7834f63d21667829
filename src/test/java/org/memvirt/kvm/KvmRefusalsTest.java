package org.memvirt.kvm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.memvirt.config.QemuArgs;
import org.memvirt.engine.EngineException;
import org.memvirt.engine.RunSpec;
import org.memvirt.host.HostMmu;
import org.memvirt.host.MmuMode;
import org.memvirt.workload.WorkloadParser;

/** What the kvm engine refuses before a VM starts; none of it needs /dev/kvm. */
class KvmRefusalsTest {
    private static RunSpec spec(MmuMode mmu, String workload, long residentLimit) {
        return new RunSpec(QemuArgs.parse(List.of("-m", "64M")), WorkloadParser.parseShorthand(workload), mmu, null,
                null, null, 1, false, residentLimit);
    }

    @Test
    void anMmuModeOtherThanTheHostsIsAUsageErrorNotASilentRunOfAnotherMode() {
        HostMmu host = HostMmu.read();
        for (MmuMode asked : MmuMode.values()) {
            if (asked == host.mode()) continue;
            assertThatThrownBy(() -> new KvmEngine().check(spec(asked, "touch 1M", 0), "--engine kvm"))
                    .isInstanceOf(EngineException.class)
                    .hasMessage("--mmu " + asked.word() + ": this host's KVM runs guests with " + host.mode().word() + " ("
                            + host.description() + "); the kvm engine cannot change it (--engine sim models "
                            + asked.word() + ")")
                    .satisfies(e -> assertThat(((EngineException) e).exitCode()).isEqualTo(3));
        }
    }

    @Test
    void aVpidSettingOtherThanTheHostsIsRefused() {
        HostMmu host = HostMmu.read();
        RunSpec s = spec(host.mode(), "touch 1M", 0);
        RunSpec other = new RunSpec(s.machine(), s.workload(), s.mmu(), !host.tlbTagged(), null, null, 1);
        assertThatThrownBy(() -> new KvmEngine().check(other, "")).hasMessage("--vpid " + (host.tlbTagged() ? "off" : "on")
                + ": this host's KVM runs guests with VPID " + (host.tlbTagged() ? "on" : "off") + " (" + host.description()
                + "); the kvm engine cannot change it (--engine sim models it)");
        RunSpec same = new RunSpec(s.machine(), s.workload(), s.mmu(), host.tlbTagged(), null, null, 1);
        org.assertj.core.api.Assertions.assertThatCode(() -> new KvmEngine().check(same, "")).doesNotThrowAnyException();
    }

    @Test
    void aModelledTlbGeometryIsRefused() {
        RunSpec s = spec(HostMmu.read().mode(), "touch 1M", 0);
        RunSpec golden = new RunSpec(s.machine(), s.workload(), s.mmu(), null, "golden-cove", null, 1);
        assertThatThrownBy(() -> new KvmEngine().check(golden, "")).hasMessage("--tlb golden-cove: the kvm engine runs on"
                + " this host's TLBs; --tlb sets the sim engine's geometry");
    }

    @Test
    void aResidentLimitUffdSwapCannotKeepIsRefusedWithItsSize() {
        assertThatThrownBy(() -> new KvmEngine().check(spec(HostMmu.read().mode(), "touch 1M", 1L << 20), ""))
                .hasMessage("--resident-limit: must be a multiple of 4 KiB and at least 4 MiB, not 1M");
        assertThatThrownBy(() -> new KvmEngine().check(spec(HostMmu.read().mode(), "touch 1M", (4L << 20) + 512), ""))
                .hasMessage("--resident-limit: must be a multiple of 4 KiB and at least 4 MiB, not 4194816B");
    }

    @Test
    void opsTheGuestRuntimeDoesNotRunAreRefusedBeforeBoot() {
        assertThatThrownBy(() -> new KvmEngine().check(spec(HostMmu.read().mode(), "pages 2M; touch 2M", 0), ""))
                .isInstanceOf(EngineException.class)
                .hasMessage("pages is not supported by the kvm engine yet");
    }
}
