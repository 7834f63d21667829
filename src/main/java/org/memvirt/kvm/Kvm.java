package org.memvirt.kvm;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** The KVM device ({@code /dev/kvm}): API check, capabilities, supported CPUID and VM creation. Owns the device fd. */
final class Kvm implements AutoCloseable {
    static final String DEVICE = "/dev/kvm";
    private static final int MAX_CPUID_ENTRIES = 256;   // more than any x86 KVM reports (KVM_MAX_CPUID_ENTRIES)

    private final Arena arena = Arena.ofShared();
    private MemorySegment cpuid;   // struct kvm_cpuid2 from KVM_GET_SUPPORTED_CPUID, read once

    private final int fd;
    private final int vcpuMmapSize;
    private boolean closed;

    private Kvm(int fd, int vcpuMmapSize) {
        this.fd = fd;
        this.vcpuMmapSize = vcpuMmapSize;
    }

    /** Opens the device and checks API version 12, user memory and binary statistics. */
    static Kvm open() {
        int fd = Libc.open(DEVICE, Libc.O_RDWR | Libc.O_CLOEXEC);
        try {
            int version = Libc.ioctl("KVM_GET_API_VERSION", fd, KvmAbi.GET_API_VERSION, 0L);
            if (version != KvmAbi.API_VERSION) {
                throw KvmException.host("KVM API version " + version + ", memvirt needs " + KvmAbi.API_VERSION);
            }
            requireCap(fd, KvmAbi.CAP_USER_MEMORY, "KVM_CAP_USER_MEMORY");
            requireCap(fd, KvmAbi.CAP_BINARY_STATS_FD, "KVM_CAP_BINARY_STATS_FD (Linux 5.14+)");
            int mmapSize = Libc.ioctl("KVM_GET_VCPU_MMAP_SIZE", fd, KvmAbi.GET_VCPU_MMAP_SIZE, 0L);
            return new Kvm(fd, mmapSize);
        } catch (RuntimeException e) {
            Libc.closeQuietly(fd);
            throw e;
        }
    }

    private static void requireCap(int fd, int cap, String name) {
        if (Libc.ioctl("KVM_CHECK_EXTENSION", fd, KvmAbi.CHECK_EXTENSION, cap) <= 0) {
            throw KvmException.host("this KVM lacks " + name);
        }
    }

    int checkExtension(int cap) {
        return Libc.ioctl("KVM_CHECK_EXTENSION", fd, KvmAbi.CHECK_EXTENSION, cap);
    }

    /** The most vCPUs a VM may have (KVM_CAP_MAX_VCPUS, else KVM_CAP_NR_VCPUS). */
    int maxVcpus() {
        int max = checkExtension(KvmAbi.CAP_MAX_VCPUS);
        return max > 0 ? max : checkExtension(KvmAbi.CAP_NR_VCPUS);
    }

    int vcpuMmapSize() {
        return vcpuMmapSize;
    }

    /**
     * The CPUID KVM supports on this host (KVM_GET_SUPPORTED_CPUID), as a {@code struct kvm_cpuid2} ready for
     * KVM_SET_CPUID2. Read on first use; every vCPU gets this one table.
     */
    synchronized MemorySegment supportedCpuid() {
        if (cpuid == null) {
            MemorySegment c = arena.allocate(KvmAbi.CPUID2.byteSize() + MAX_CPUID_ENTRIES * KvmAbi.CPUID_ENTRY2.byteSize(), 8);
            c.set(ValueLayout.JAVA_INT, 0, MAX_CPUID_ENTRIES);
            Libc.ioctl("KVM_GET_SUPPORTED_CPUID", fd, KvmAbi.GET_SUPPORTED_CPUID, c);
            cpuid = c;
        }
        return cpuid;
    }

    /** Whether the supported CPUID has PCID (leaf 1 ECX bit 17), which KVM requires before a guest sets CR4.PCIDE. */
    boolean hasPcid() {
        MemorySegment c = supportedCpuid();
        int n = c.get(ValueLayout.JAVA_INT, 0);
        for (int i = 0; i < n; i++) {
            long e = KvmAbi.CPUID2.byteSize() + i * KvmAbi.CPUID_ENTRY2.byteSize();
            if (c.get(ValueLayout.JAVA_INT, e + KvmAbi.CPUID_FUNCTION) == 1) {
                return (c.get(ValueLayout.JAVA_INT, e + KvmAbi.CPUID_ECX) & KvmAbi.CPUID1_ECX_PCID) != 0;
            }
        }
        return false;
    }

    KvmVm createVm() {
        int vmFd = Libc.ioctl("KVM_CREATE_VM", fd, KvmAbi.CREATE_VM, 0L);
        return new KvmVm(this, vmFd);
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
