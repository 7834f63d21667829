package org.memvirt.kvm;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** Why KVM_RUN returned to user space, decoded from {@code kvm_run} in one place ({@link #decode}). */
sealed interface VcpuExit {
    record Io(long port, int data) implements VcpuExit {}
    record Mmio(long gpa) implements VcpuExit {}
    record Hlt() implements VcpuExit {}
    record Shutdown() implements VcpuExit {}
    record FailEntry(long hardwareReason) implements VcpuExit {}
    record InternalError(int suberror, long firstData) implements VcpuExit {}
    record Interrupted() implements VcpuExit {}
    record Other(int reason) implements VcpuExit {}

    static VcpuExit decode(int reason, KvmVcpu vcpu) {
        MemorySegment run = vcpu.runArea();
        return switch (reason) {
            case KvmAbi.EXIT_IO -> new Io(vcpu.ioPort(), vcpu.ioData());
            case KvmAbi.EXIT_MMIO -> new Mmio(run.get(ValueLayout.JAVA_LONG, KvmAbi.RUN_MMIO_PHYS_ADDR));
            case KvmAbi.EXIT_HLT -> new Hlt();
            case KvmAbi.EXIT_SHUTDOWN -> new Shutdown();
            case KvmAbi.EXIT_FAIL_ENTRY -> new FailEntry(run.get(ValueLayout.JAVA_LONG, KvmAbi.RUN_HW_REASON));
            case KvmAbi.EXIT_INTERNAL_ERROR -> new InternalError(run.get(ValueLayout.JAVA_INT, KvmAbi.RUN_INTERNAL_SUBERROR),
                    run.get(ValueLayout.JAVA_INT, KvmAbi.RUN_INTERNAL_NDATA) > 0
                            ? run.get(ValueLayout.JAVA_LONG, KvmAbi.RUN_INTERNAL_DATA) : 0);
            case KvmAbi.EXIT_INTR -> new Interrupted();
            default -> new Other(reason);
        };
    }

    /** The one-line description of an exit the guest runtime never causes on purpose. */
    static String describe(VcpuExit exit) {
        return switch (exit) {
            case Io(long port, int data) -> "unexpected port I/O to 0x" + Long.toHexString(port);
            case Mmio(long gpa) -> "unexpected MMIO at 0x" + Long.toHexString(gpa) + " (KVM_EXIT_MMIO)";
            case Hlt() -> "guest halted (KVM_EXIT_HLT)";
            case Shutdown() -> "triple fault (KVM_EXIT_SHUTDOWN)";
            case FailEntry(long hw) -> "VM entry failed (KVM_EXIT_FAIL_ENTRY, hardware reason 0x" + Long.toHexString(hw) + ")";
            case InternalError(int sub, long data) -> switch (sub) {
                case 1 -> "emulation failure (KVM_EXIT_INTERNAL_ERROR, KVM_INTERNAL_ERROR_EMULATION)";
                case 2 -> "simultaneous exceptions (KVM_EXIT_INTERNAL_ERROR, KVM_INTERNAL_ERROR_SIMUL_EX)";
                case 3 -> "event delivery failed (KVM_EXIT_INTERNAL_ERROR, KVM_INTERNAL_ERROR_DELIVERY_EV)";
                default -> "internal error (KVM_EXIT_INTERNAL_ERROR, suberror " + sub + ")";
            };
            case Interrupted() -> "interrupted (KVM_EXIT_INTR)";
            case Other(int reason) -> "unexpected exit reason " + reason;
        };
    }
}
