package org.memvirt.kvm;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** A VM fd from KVM_CREATE_VM: memslots, vCPU creation and the VM's statistics. Owns the fd. */
final class KvmVm implements AutoCloseable {
    private final Kvm kvm;
    private final int fd;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment region = arena.allocate(KvmAbi.USER_MEMORY_REGION);
    private boolean closed;

    KvmVm(Kvm kvm, int fd) {
        this.kvm = kvm;
        this.fd = fd;
    }

    /** KVM_SET_USER_MEMORY_REGION: guest-physical {@code [gpa, gpa + size)} is backed by host memory at {@code hva}. */
    void setUserMemoryRegion(int slot, long gpa, long size, long hva) {
        region.set(ValueLayout.JAVA_INT, 0, slot);
        region.set(ValueLayout.JAVA_INT, 4, 0);
        region.set(ValueLayout.JAVA_LONG, 8, gpa);
        region.set(ValueLayout.JAVA_LONG, 16, size);
        region.set(ValueLayout.JAVA_LONG, 24, hva);
        Libc.ioctl("KVM_SET_USER_MEMORY_REGION", fd, KvmAbi.SET_USER_MEMORY_REGION, region);
    }

    /** KVM_CREATE_VCPU, then KVM_SET_CPUID2 with the host's supported CPUID (before the vCPU's first KVM_RUN). */
    KvmVcpu createVcpu(int index) {
        int vcpuFd = Libc.ioctl("KVM_CREATE_VCPU", fd, KvmAbi.CREATE_VCPU, index);
        KvmVcpu vcpu = new KvmVcpu(index, vcpuFd, kvm.vcpuMmapSize());
        try {
            vcpu.setCpuid(kvm.supportedCpuid());
        } catch (RuntimeException e) {
            vcpu.close();
            throw e;
        }
        return vcpu;
    }


    /** The VM-scoped binary statistics (KVM_GET_STATS_FD on the VM fd). */
    StatsReader openStats() {
        return new StatsReader(Libc.ioctl("KVM_GET_STATS_FD", fd, KvmAbi.GET_STATS_FD, 0L));
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            Libc.closeQuietly(fd);
            arena.close();
        }
    }
}
