package org.memvirt.host;

/**
 * The KVM_CHECK_EXTENSION capabilities host-check asks about: the ones QEMU 7.2 requires on x86 and the ones it
 * queries (qemu accel/kvm/kvm-all.c, target/i386/kvm/kvm.c; numbers from linux include/uapi/linux/kvm.h).
 */
public enum KvmCap {
    USER_MEMORY(3, true),
    SET_TSS_ADDR(4, true),
    EXT_CPUID(7, true),
    NR_VCPUS(9, false),
    NR_MEMSLOTS(10, false),
    MP_STATE(14, true),
    COALESCED_MMIO(15, false),
    SYNC_MMU(16, false),
    DESTROY_MEMORY_REGION_WORKS(21, true),
    IRQ_ROUTING(25, true),
    JOIN_MEMORY_REGIONS_WORKS(30, true),
    PIT_STATE2(35, false),
    SET_IDENTITY_MAP_ADDR(37, false),
    XSAVE(55, false),
    XCRS(56, false),
    MAX_VCPUS(66, false),
    READONLY_MEM(81, false),
    X86_SMM(117, false),
    MULTI_ADDRESS_SPACE(118, false),
    MAX_VCPU_ID(128, false),
    IMMEDIATE_EXIT(136, false),
    EXCEPTION_PAYLOAD(164, false),
    DIRTY_LOG_RING(192, false),
    SREGS2(200, false),
    X86_TRIPLE_FAULT_EVENT(218, false),
    USER_MEMORY2(231, false),
    MEMORY_FAULT_INFO(232, false),
    MEMORY_ATTRIBUTES(233, false),
    GUEST_MEMFD(234, false),
    VM_TYPES(235, false);

    private final int number;
    private final boolean requiredByQemu;

    KvmCap(int number, boolean requiredByQemu) {
        this.number = number;
        this.requiredByQemu = requiredByQemu;
    }

    /** The KVM_CAP_* number passed to KVM_CHECK_EXTENSION. */
    public int number() {
        return number;
    }

    /** QEMU refuses to start without it ("kvm does not support KVM_CAP_..."). */
    public boolean requiredByQemu() {
        return requiredByQemu;
    }

    /** "KVM_CAP_" + name, as kvm.h spells it. */
    public String kvmName() {
        return "KVM_CAP_" + name();
    }
}
