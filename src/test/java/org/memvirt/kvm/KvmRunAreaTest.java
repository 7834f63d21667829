package org.memvirt.kvm;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A {@link KvmVcpu}'s view of {@code struct kvm_run} (linux include/uapi/linux/kvm.h) and {@link VcpuExit#decode},
 * over a memfd laid out as KVM fills the structure at an exit: no /dev/kvm needed. The vCPU ioctls on such an fd fail
 * with ENOTTY, which shows how each failure is named.
 */
class KvmRunAreaTest {
    private static final int MMAP_SIZE = 8192;                       // kvm_run and the PIO data page after it
    private KvmVcpu vcpu;
    private MemorySegment run;

    @BeforeEach
    void aVcpuOverAMemfd() {
        try (Arena arena = Arena.ofConfined()) {
            vcpu = new KvmVcpu(5, NativeResources.memfdWith(arena.allocate(MMAP_SIZE)), MMAP_SIZE);
        }
        run = vcpu.runArea();
    }

    @AfterEach
    void close() {
        vcpu.close();
    }

    @Test
    void portIoExitsDecodeToPortAndData() {
        run.set(JAVA_BYTE, 32, (byte) 1);                             // io.direction KVM_EXIT_IO_OUT
        run.set(JAVA_BYTE, 33, (byte) 4);                             // io.size
        run.set(JAVA_SHORT, 34, (short) 0xE2);                        // io.port
        run.set(JAVA_INT, 36, 1);                                     // io.count
        run.set(JAVA_LONG, 40, 4096);                                 // io.data_offset: the page after kvm_run
        run.set(JAVA_INT, 4096, 0xCAFE);
        assertThat(vcpu.index()).isEqualTo(5);
        assertThat(vcpu.ioPort()).isEqualTo(0xE2);
        assertThat(VcpuExit.decode(KvmAbi.EXIT_IO, vcpu)).isEqualTo(new VcpuExit.Io(0xE2, 0xCAFE));
        run.set(JAVA_SHORT, 34, (short) 0xFFFF);
        assertThat(vcpu.ioPort()).isEqualTo(0xFFFF);                  // a u16
    }

    @Test
    void mmioExitsGiveAddressLengthDirectionAndTheBytesWritten() {
        run.set(JAVA_LONG, 32, 0xFEB0_0050L);                         // mmio.phys_addr
        run.set(JAVA_LONG, 40, 0x1122_3344_5566_7788L);               // mmio.data[8]
        run.set(JAVA_INT, 48, 2);                                     // mmio.len
        run.set(JAVA_BYTE, 52, (byte) 1);                             // mmio.is_write
        assertThat(vcpu.mmioAddress()).isEqualTo(0xFEB0_0050L);
        assertThat(vcpu.mmioLength()).isEqualTo(2);
        assertThat(vcpu.mmioIsWrite()).isTrue();
        assertThat(vcpu.mmioWriteValue()).isEqualTo(0x7788);
        run.set(JAVA_INT, 48, 8);
        assertThat(vcpu.mmioWriteValue()).isEqualTo(0x1122_3344_5566_7788L);
        vcpu.setMmioReadValue(0xABCD);
        assertThat(run.get(JAVA_LONG, 40)).isEqualTo(0xABCD);
        assertThat(VcpuExit.decode(KvmAbi.EXIT_MMIO, vcpu)).isEqualTo(new VcpuExit.Mmio(0xFEB0_0050L));
    }

    @Test
    void everyOtherExitDecodesFromItsUnionMember() {
        run.set(JAVA_LONG, 32, 0x21);                                 // fail_entry.hardware_entry_failure_reason
        assertThat(VcpuExit.decode(KvmAbi.EXIT_FAIL_ENTRY, vcpu)).isEqualTo(new VcpuExit.FailEntry(0x21));
        run.set(JAVA_INT, 32, 1);                                     // internal.suberror EMULATION
        run.set(JAVA_INT, 36, 0);                                     // internal.ndata
        run.set(JAVA_LONG, 40, 0x99);
        assertThat(VcpuExit.decode(KvmAbi.EXIT_INTERNAL_ERROR, vcpu)).isEqualTo(new VcpuExit.InternalError(1, 0));
        run.set(JAVA_INT, 36, 2);
        assertThat(VcpuExit.decode(KvmAbi.EXIT_INTERNAL_ERROR, vcpu)).isEqualTo(new VcpuExit.InternalError(1, 0x99));
        assertThat(VcpuExit.decode(KvmAbi.EXIT_HLT, vcpu)).isEqualTo(new VcpuExit.Hlt());
        assertThat(VcpuExit.decode(KvmAbi.EXIT_SHUTDOWN, vcpu)).isEqualTo(new VcpuExit.Shutdown());
        assertThat(VcpuExit.decode(KvmAbi.EXIT_INTR, vcpu)).isEqualTo(new VcpuExit.Interrupted());
        assertThat(VcpuExit.decode(99, vcpu)).isEqualTo(new VcpuExit.Other(99));
        assertThat(VcpuExit.describe(new VcpuExit.Interrupted())).isEqualTo("interrupted (KVM_EXIT_INTR)");
    }

    @Test
    void aKickSetsImmediateExitUntilCleared() {
        vcpu.kick();                                                  // no thread bound yet: only the flag
        assertThat(run.get(JAVA_BYTE, 1)).isEqualTo((byte) 1);        // kvm_run.immediate_exit
        vcpu.clearKick();
        assertThat(run.get(JAVA_BYTE, 1)).isZero();
        vcpu.bindThread();
        vcpu.kick();                                                  // and SIGPIPE to this thread, which the JVM ignores
        assertThat(run.get(JAVA_BYTE, 1)).isEqualTo((byte) 1);
    }

    @Test
    void eachFailedVcpuIoctlIsNamed() {
        assertThatThrownBy(vcpu::run).isInstanceOf(KvmException.class).hasMessage("KVM_RUN failed: ENOTTY (25)");
        assertThatThrownBy(vcpu::rip).isInstanceOf(KvmException.class).hasMessage("KVM_GET_REGS failed: ENOTTY (25)");
        assertThatThrownBy(() -> vcpu.setEntry(0x10000, 0x9000, 0)).isInstanceOf(KvmException.class)
                .hasMessage("KVM_SET_REGS failed: ENOTTY (25)");
        assertThatThrownBy(() -> vcpu.setLongMode(0x1000, 8, 16)).isInstanceOf(KvmException.class)
                .hasMessage("KVM_GET_SREGS failed: ENOTTY (25)");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cpuid = arena.allocate(KvmAbi.CPUID2);
            assertThatThrownBy(() -> vcpu.setCpuid(cpuid)).isInstanceOf(KvmException.class)
                    .hasMessage("KVM_SET_CPUID2 failed: ENOTTY (25)");
        }
        assertThatThrownBy(vcpu::openStats).isInstanceOf(KvmException.class)
                .hasMessage("KVM_GET_STATS_FD failed: ENOTTY (25)");
    }

    @Test
    void closeReleasesTheFdAndTheMappingAndLaterKicksAreIgnored() {
        long at = run.address(), fds = NativeResources.openFds();
        vcpu.close();
        vcpu.close();
        assertThat(NativeResources.openFds()).isEqualTo(fds - 1);
        assertThat(NativeResources.mapped(at)).isFalse();
        vcpu.kick();                                                  // the watchdog racing with close: no effect
    }

    @Test
    void aVcpuFdThatCannotBeMappedIsAOneLineError() {
        long fds = NativeResources.openFds();
        assertThatThrownBy(() -> new KvmVcpu(0, -1, MMAP_SIZE)).isInstanceOf(KvmException.class)
                .hasMessage("mmap of 8192 bytes failed: EBADF (9)");
        assertThat(NativeResources.openFds()).isEqualTo(fds);
    }
}
