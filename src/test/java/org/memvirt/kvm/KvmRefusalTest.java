package org.memvirt.kvm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.memvirt.kvm.Machines.MIB;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.memvirt.config.MemoryBackend;
import org.memvirt.engine.RunListener;
import org.memvirt.engine.EngineException;
import org.memvirt.engine.RunSpec;
import org.memvirt.workload.Op;

/**
 * Every refusal of the kvm engine that needs no /dev/kvm comes before the device is opened, so it is the same on every
 * host, with KVM or without (this class runs on both and asserts the same messages).
 */
class KvmRefusalTest {
    private static final Duration MINUTE = Duration.ofMinutes(1);

    private static void run(KvmOptions options, RunSpec spec) {
        new KvmEngine(options).run(spec, RunListener.NONE);
    }

    private static RunSpec touch(org.memvirt.config.MachineConfig machine) {
        return Machines.spec(machine, new Op.Touch(MIB, 0));
    }

    @Test
    void optionsOutOfRange() {
        assertThatThrownBy(() -> new KvmOptions(null, -4096)).isInstanceOf(KvmException.class)
                .hasMessage("resident limit must be a multiple of 4 KiB, not -4096");
        assertThatThrownBy(() -> new KvmOptions(null, 4097)).isInstanceOf(KvmException.class)
                .hasMessage("resident limit must be a multiple of 4 KiB, not 4097");
    }

    @Test
    void opsTheEngineCannotRunAreRefusedBeforeTheVmStarts() {
        assertThatThrownBy(() -> run(KvmOptions.DEFAULT, Machines.spec(Machines.ram(64 * MIB),
                new Op.Trace("ls.lackey", new long[] {0})))).isInstanceOf(EngineException.class)
                .hasMessage("trace is not supported by the kvm engine yet");
        assertThatThrownBy(() -> run(KvmOptions.DEFAULT, Machines.spec(Machines.ram(64 * MIB),
                new Op.PageSize(Op.PageSize.SHIFT_2M)))).isInstanceOf(EngineException.class)
                .hasMessage("pages is not supported by the kvm engine yet");
        assertThatThrownBy(() -> run(KvmOptions.DEFAULT, Machines.spec(Machines.ram(64 * MIB),
                new Op.Repeat(3, List.of(new Op.Touch(MIB, 0), new Op.PageSize(Op.PageSize.SHIFT_2M))))))
                .isInstanceOf(EngineException.class).hasMessage("pages is not supported by the kvm engine yet");
    }

    @Test
    void onlyASwitchWithPcidAsksTheDeviceBeforeTheVmStarts() {
        assertThat(OpDriver.usesPcid(new Op.Switch(4, true))).isTrue();
        assertThat(OpDriver.usesPcid(new Op.Switch(4, false))).isFalse();
        assertThat(OpDriver.usesPcid(new Op.Repeat(2, List.of(new Op.Touch(MIB, 0), new Op.Switch(1, true))))).isTrue();
        assertThat(OpDriver.usesPcid(new Op.Repeat(2, List.of(new Op.Touch(MIB, 0))))).isFalse();
        assertThat(OpDriver.usesPcid(new Op.Touch(MIB, 0))).isFalse();
    }

    @Test
    void vcpuCountsOutsideOneToEight() {
        for (int smp : new int[] {0, 9}) {
            assertThatThrownBy(() -> run(KvmOptions.DEFAULT, touch(Machines.pc(64 * MIB, smp))))
                    .isInstanceOf(KvmException.class).hasMessage("the kvm engine runs 1 to 8 vCPUs, not " + smp);
        }
    }

    @Test
    void guestRamTheEngineCannotMap() {
        assertThatThrownBy(() -> run(KvmOptions.DEFAULT, touch(Machines.ram(64 * MIB + 512))))
                .isInstanceOf(KvmException.class).hasMessage("guest RAM size must be a multiple of 4 KiB: " + (64 * MIB + 512));
        assertThatThrownBy(() -> run(KvmOptions.DEFAULT, touch(Machines.pc(64 * MIB, 1,
                new MemoryBackend("m", "memory-backend-epc", 64 * MIB, true, false, false, false, null, null)))))
                .isInstanceOf(KvmException.class).hasMessage("memory backend memory-backend-epc is not supported by the kvm engine");
        assertThatThrownBy(() -> run(KvmOptions.DEFAULT, touch(Machines.pc(64 * MIB, 1,
                new MemoryBackend("m", "memory-backend-file", 64 * MIB, true, false, false, false, null, null)))))
                .isInstanceOf(KvmException.class).hasMessage("memory-backend-file needs mem-path");
        assertThatThrownBy(() -> run(KvmOptions.DEFAULT, touch(Machines.ram(2 * MIB))))
                .isInstanceOf(KvmException.class).hasMessage("the kvm engine needs at least 3 MiB of RAM below 4 GiB");
    }

    @Test
    void residentLimitsTheVmmCannotKeep() {
        assertThatThrownBy(() -> run(new KvmOptions(null, 4 * MIB - 4096), touch(Machines.ram(64 * MIB))))
                .isInstanceOf(KvmException.class).hasMessage("the resident limit must be at least 4 MiB");
        String lazyPrivate = "--resident-limit needs private, lazily allocated guest RAM (memory-backend-ram, share=off,"
                + " no prealloc)";
        for (MemoryBackend b : List.of(
                new MemoryBackend("m", "memory-backend-memfd", 64 * MIB, true, false, false, false, null, false),
                new MemoryBackend("m", "memory-backend-ram", 64 * MIB, true, false, false, false, null, null),
                new MemoryBackend("m", "memory-backend-ram", 64 * MIB, false, true, false, false, null, null))) {
            assertThatThrownBy(() -> run(new KvmOptions(null, 32 * MIB), touch(Machines.pc(64 * MIB, 1, b))))
                    .as(b.toString()).isInstanceOf(KvmException.class).hasMessage(lazyPrivate);
        }
    }

    @Test
    void scenariosRefuseTheSameBeforeAnyVmBoots() {
        assertThatThrownBy(() -> KvmScenarioRunner.run(List.of(), null, MINUTE)).isInstanceOf(KvmException.class)
                .hasMessage("a scenario needs at least one VM");
        RunSpec ok = touch(Machines.ram(64 * MIB));
        RunSpec trace = Machines.spec(Machines.ram(64 * MIB), new Op.Trace("ls.lackey", new long[] {0}));
        assertThatThrownBy(() -> KvmScenarioRunner.run(List.of(new KvmScenarioRunner.VmSpec("a", ok),
                new KvmScenarioRunner.VmSpec("b", trace)), null, MINUTE))
                .isInstanceOf(EngineException.class).hasMessage("trace is not supported by the kvm engine yet");
        RunSpec nine = touch(Machines.pc(64 * MIB, 9));
        assertThatThrownBy(() -> KvmScenarioRunner.run(List.of(new KvmScenarioRunner.VmSpec("a", nine)), null, MINUTE))
                .isInstanceOf(KvmException.class).hasMessage("the kvm engine runs 1 to 8 vCPUs, not 9");
    }
}
