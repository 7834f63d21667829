package org.memvirt.kvm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.memvirt.kvm.Machines.MIB;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** A vCPU with no page tables and no IDT: the first fetch faults, the fault cannot be delivered, the CPU shuts down. */
@Tag("kvm")
class GuestCrashTest {
    @Test
    void aGuestWithoutPageTablesTripleFaults() {
        Machines.assumeKvm();
        try (Kvm kvm = Kvm.open(); KvmVm vm = kvm.createVm(); GuestRam ram = GuestRam.map(Machines.pc(8 * MIB, 1))) {
            ram.registerWith(vm);
            try (KvmVcpu vcpu = vm.createVcpu(0)) {
                vcpu.setLongMode(GuestLayout.PML4_PROC0, 0x08, 0x10);   // an all-zero PML4: nothing is mapped
                vcpu.setEntry(GuestLayout.IMAGE_BASE, GuestLayout.kernelStackTop(0), 0);
                VcpuExit exit = VcpuExit.decode(vcpu.run(), vcpu);
                System.out.println("crash: " + VcpuExit.describe(exit) + " at RIP 0x" + Long.toHexString(vcpu.rip()));
                assertThat(exit).isInstanceOf(VcpuExit.Shutdown.class);
                assertThat(VcpuExit.describe(exit)).isEqualTo("triple fault (KVM_EXIT_SHUTDOWN)");
            }
        }
    }
}
