package org.memvirt.kvm;

/** The KVM device ({@code /dev/kvm}): API check, capabilities and VM creation. Owns the device fd. */
final class Kvm implements AutoCloseable {
    static final String DEVICE = "/dev/kvm";

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
                throw new KvmException("KVM API version " + version + ", memvirt needs " + KvmAbi.API_VERSION);
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
            throw new KvmException("this KVM lacks " + name);
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

    KvmVm createVm() {
        int vmFd = Libc.ioctl("KVM_CREATE_VM", fd, KvmAbi.CREATE_VM, 0L);
        return new KvmVm(this, vmFd);
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            Libc.closeQuietly(fd);
        }
    }
}
