package org.memvirt.kvm;

import static java.lang.foreign.MemoryLayout.paddingLayout;
import static java.lang.foreign.MemoryLayout.sequenceLayout;
import static java.lang.foreign.MemoryLayout.structLayout;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

/**
 * KVM's x86-64 user-space ABI (linux include/uapi/linux/kvm.h, arch/x86/include/uapi/asm/kvm.h): struct layouts,
 * ioctl numbers derived from them with _IO/_IOR/_IOW, and exit reasons. {@link #check()} runs at class
 * initialisation and fails if a layout's size or a derived ioctl number differs from the kernel's.
 */
final class KvmAbi {
    static final int API_VERSION = 12;                 // kvm.h KVM_API_VERSION
    static final int CAP_USER_MEMORY = 3;              // kvm.h KVM_CAP_USER_MEMORY
    static final int CAP_NR_VCPUS = 9;                 // kvm.h KVM_CAP_NR_VCPUS
    static final int CAP_MAX_VCPUS = 66;               // kvm.h KVM_CAP_MAX_VCPUS
    static final int CAP_BINARY_STATS_FD = 203;        // kvm.h KVM_CAP_BINARY_STATS_FD

    static final int EXIT_IO = 2;                      // kvm.h KVM_EXIT_IO
    static final int EXIT_HLT = 5;                     // kvm.h KVM_EXIT_HLT
    static final int EXIT_MMIO = 6;                    // kvm.h KVM_EXIT_MMIO
    static final int EXIT_SHUTDOWN = 8;                // kvm.h KVM_EXIT_SHUTDOWN
    static final int EXIT_FAIL_ENTRY = 9;              // kvm.h KVM_EXIT_FAIL_ENTRY
    static final int EXIT_INTR = 10;                   // kvm.h KVM_EXIT_INTR
    static final int EXIT_INTERNAL_ERROR = 17;         // kvm.h KVM_EXIT_INTERNAL_ERROR

    /** struct kvm_regs: 18 u64 (rax..r15, rip, rflags). */
    static final StructLayout REGS = structLayout(sequenceLayout(18, JAVA_LONG).withName("gprs"));
    static final long REGS_RAX = 0, REGS_RSP = 48, REGS_RDI = 40, REGS_RIP = 128, REGS_RFLAGS = 136;

    /** struct kvm_segment. */
    static final StructLayout SEGMENT = structLayout(JAVA_LONG.withName("base"), JAVA_INT.withName("limit"),
            JAVA_SHORT.withName("selector"), JAVA_BYTE.withName("type"), JAVA_BYTE.withName("present"),
            JAVA_BYTE.withName("dpl"), JAVA_BYTE.withName("db"), JAVA_BYTE.withName("s"), JAVA_BYTE.withName("l"),
            JAVA_BYTE.withName("g"), JAVA_BYTE.withName("avl"), JAVA_BYTE.withName("unusable"), paddingLayout(1));

    /** struct kvm_dtable. */
    static final StructLayout DTABLE = structLayout(JAVA_LONG.withName("base"), JAVA_SHORT.withName("limit"),
            paddingLayout(6));

    /** struct kvm_sregs. */
    static final StructLayout SREGS = structLayout(SEGMENT.withName("cs"), SEGMENT.withName("ds"),
            SEGMENT.withName("es"), SEGMENT.withName("fs"), SEGMENT.withName("gs"), SEGMENT.withName("ss"),
            SEGMENT.withName("tr"), SEGMENT.withName("ldt"), DTABLE.withName("gdt"), DTABLE.withName("idt"),
            JAVA_LONG.withName("cr0"), JAVA_LONG.withName("cr2"), JAVA_LONG.withName("cr3"), JAVA_LONG.withName("cr4"),
            JAVA_LONG.withName("cr8"), JAVA_LONG.withName("efer"), JAVA_LONG.withName("apic_base"),
            sequenceLayout(4, JAVA_LONG).withName("interrupt_bitmap"));
    static final long SREGS_CS = 0, SREGS_DS = 24, SREGS_ES = 48, SREGS_FS = 72, SREGS_GS = 96, SREGS_SS = 120,
            SREGS_TR = 144, SREGS_LDT = 168, SREGS_GDT = 192, SREGS_IDT = 208, SREGS_CR0 = 224, SREGS_CR3 = 240,
            SREGS_CR4 = 248, SREGS_EFER = 264;

    /** struct kvm_userspace_memory_region. */
    static final StructLayout USER_MEMORY_REGION = structLayout(JAVA_INT.withName("slot"), JAVA_INT.withName("flags"),
            JAVA_LONG.withName("guest_phys_addr"), JAVA_LONG.withName("memory_size"),
            JAVA_LONG.withName("userspace_addr"));

    /** The head of struct kvm_run that the engine reads; the rest is the exit union. */
    static final long RUN_IMMEDIATE_EXIT = 1, RUN_EXIT_REASON = 8, RUN_IO_DIRECTION = 32, RUN_IO_SIZE = 33,
            RUN_IO_PORT = 34, RUN_IO_COUNT = 36, RUN_IO_DATA_OFFSET = 40, RUN_MMIO_PHYS_ADDR = 32, RUN_MMIO_DATA = 40, RUN_MMIO_LEN = 48, RUN_MMIO_IS_WRITE = 52,
            RUN_HW_REASON = 32, RUN_INTERNAL_SUBERROR = 32, RUN_INTERNAL_NDATA = 36, RUN_INTERNAL_DATA = 40;

    /** struct kvm_stats_header and the fixed part of struct kvm_stats_desc. */
    static final StructLayout STATS_HEADER = structLayout(JAVA_INT.withName("flags"), JAVA_INT.withName("name_size"),
            JAVA_INT.withName("num_desc"), JAVA_INT.withName("id_offset"), JAVA_INT.withName("desc_offset"),
            JAVA_INT.withName("data_offset"));
    static final StructLayout STATS_DESC = structLayout(JAVA_INT.withName("flags"), JAVA_SHORT.withName("exponent"),
            JAVA_SHORT.withName("size"), JAVA_INT.withName("offset"), JAVA_INT.withName("bucket_size"));

    /** struct kvm_cpuid2's head (nent, padding; the entries follow) and struct kvm_cpuid_entry2. */
    static final StructLayout CPUID2 = structLayout(JAVA_INT.withName("nent"), JAVA_INT.withName("padding"));
    static final StructLayout CPUID_ENTRY2 = structLayout(JAVA_INT.withName("function"), JAVA_INT.withName("index"),
            JAVA_INT.withName("flags"), JAVA_INT.withName("eax"), JAVA_INT.withName("ebx"), JAVA_INT.withName("ecx"),
            JAVA_INT.withName("edx"), sequenceLayout(3, JAVA_INT).withName("padding"));
    static final long CPUID_FUNCTION = 0, CPUID_INDEX = 4, CPUID_ECX = 20;
    static final int CPUID1_ECX_PCID = 1 << 17;        // SDM Vol 2A CPUID leaf 01H ECX bit 17: PCID

    static final long GET_API_VERSION = io(0x00);
    static final long CREATE_VM = io(0x01);
    static final long CHECK_EXTENSION = io(0x03);
    static final long GET_VCPU_MMAP_SIZE = io(0x04);
    static final long GET_SUPPORTED_CPUID = iowr(0x05, CPUID2);
    static final long CREATE_VCPU = io(0x41);
    static final long SET_USER_MEMORY_REGION = iow(0x46, USER_MEMORY_REGION);
    static final long RUN = io(0x80);
    static final long GET_REGS = ior(0x81, REGS);
    static final long SET_REGS = iow(0x82, REGS);
    static final long GET_SREGS = ior(0x83, SREGS);
    static final long SET_SREGS = iow(0x84, SREGS);
    static final long SET_CPUID2 = iow(0x90, CPUID2);
    static final long GET_STATS_FD = io(0xCE);

    static {
        check();
    }

    private static final int KVMIO = 0xAE;             // kvm.h KVMIO

    // include/uapi/asm-generic/ioctl.h: dir << 30 | size << 16 | type << 8 | nr; _IOC_WRITE 1, _IOC_READ 2
    private static long io(int nr) {
        return (0xAEL << 8) | nr;
    }

    private static long ior(int nr, MemoryLayout arg) {
        return (2L << 30) | (arg.byteSize() << 16) | (0xAEL << 8) | nr;
    }

    private static long iow(int nr, MemoryLayout arg) {
        return (1L << 30) | (arg.byteSize() << 16) | (0xAEL << 8) | nr;
    }

    private static long iowr(int nr, MemoryLayout arg) {
        return (3L << 30) | (arg.byteSize() << 16) | (0xAEL << 8) | nr;
    }

    /** Sizes and numbers as the kernel has them (a C offsetof/sizeof program on x86-64). */
    static void check() {
        expect("sizeof(struct kvm_regs)", REGS.byteSize(), 144);
        expect("sizeof(struct kvm_segment)", SEGMENT.byteSize(), 24);
        expect("sizeof(struct kvm_dtable)", DTABLE.byteSize(), 16);
        expect("sizeof(struct kvm_sregs)", SREGS.byteSize(), 312);
        expect("sizeof(struct kvm_userspace_memory_region)", USER_MEMORY_REGION.byteSize(), 32);
        expect("sizeof(struct kvm_stats_header)", STATS_HEADER.byteSize(), 24);
        expect("sizeof(struct kvm_stats_desc)", STATS_DESC.byteSize(), 16);
        expect("offsetof(kvm_sregs, efer)", SREGS.byteOffset(MemoryLayout.PathElement.groupElement("efer")), SREGS_EFER);
        expect("offsetof(kvm_sregs, gdt)", SREGS.byteOffset(MemoryLayout.PathElement.groupElement("gdt")), SREGS_GDT);
        expect("KVM_SET_USER_MEMORY_REGION", SET_USER_MEMORY_REGION, 0x4020AE46L);
        expect("KVM_GET_REGS", GET_REGS, 0x8090AE81L);
        expect("KVM_SET_REGS", SET_REGS, 0x4090AE82L);
        expect("KVM_GET_SREGS", GET_SREGS, 0x8138AE83L);
        expect("KVM_SET_SREGS", SET_SREGS, 0x4138AE84L);
        expect("KVM_GET_STATS_FD", GET_STATS_FD, 0xAECEL);
        expect("sizeof(struct kvm_cpuid2)", CPUID2.byteSize(), 8);
        expect("sizeof(struct kvm_cpuid_entry2)", CPUID_ENTRY2.byteSize(), 40);
        expect("offsetof(kvm_cpuid_entry2, ecx)", CPUID_ENTRY2.byteOffset(MemoryLayout.PathElement.groupElement("ecx")), CPUID_ECX);
        expect("KVM_GET_SUPPORTED_CPUID", GET_SUPPORTED_CPUID, 0xC008AE05L);
        expect("KVM_SET_CPUID2", SET_CPUID2, 0x4008AE90L);
        expect("KVMIO", KVMIO, 0xAE);
    }

    private static void expect(String what, long actual, long kernel) {
        if (actual != kernel) {
            throw new AssertionError(what + " is " + actual + " in memvirt but " + kernel + " in the kernel ABI");
        }
    }

    private KvmAbi() {}
}
