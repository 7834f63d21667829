package org.memvirt.host;

/**
 * The MMU virtualization guests get on this host and the module parameters it follows from. {@code source} says where
 * the answer came from (one of the {@code SOURCE_*} texts). {@code vpid} is Intel's VPID (kvm_intel vpid); {@code asid}
 * is AMD's ASID tagging, which KVM on SVM always uses (linux arch/x86/kvm/svm/svm.c new_asid: no parameter turns it
 * off). {@code tdpMmu} is the kvm module's tdp_mmu parameter, null when absent.
 */
public record HostMmu(MmuMode mode, String source, boolean ept, boolean vpid, boolean eptAd, boolean unrestrictedGuest,
                      boolean npt, boolean asid, Boolean tdpMmu) {
    public static final String SOURCE_INTEL = "kvm_intel parameters";
    public static final String SOURCE_AMD = "kvm_amd parameters";
    public static final String SOURCE_PVM = Virtualization.PVM_MODULE;
    public static final String SOURCE_INTEL_FLAGS = "cpuinfo flags (kvm_intel not loaded)";
    public static final String SOURCE_AMD_FLAGS = "cpuinfo flags (kvm_amd not loaded)";
    public static final String SOURCE_NONE = "no KVM vendor module and no vmx/svm flags";

    /** This host's answer (the real /proc and /sys). */
    public static HostMmu read() {
        return read(HostRoot.REAL);
    }

    public static HostMmu read(HostRoot root) {
        return decide(root, CpuInfo.read(root));
    }

    static HostMmu decide(HostRoot root, CpuInfo cpu) {
        Boolean tdpMmu = root.moduleFlag("kvm", "tdp_mmu").orElse(null);
        if (root.moduleLoaded("kvm_intel")) {
            boolean ept = flag(root, "kvm_intel", "ept");
            return new HostMmu(ept ? MmuMode.EPT : MmuMode.SHADOW, SOURCE_INTEL, ept, flag(root, "kvm_intel", "vpid"),
                    flag(root, "kvm_intel", "eptad"), flag(root, "kvm_intel", "unrestricted_guest"), false, false,
                    tdpMmu);
        }
        if (root.moduleLoaded("kvm_amd")) {
            boolean npt = flag(root, "kvm_amd", "npt");
            return new HostMmu(npt ? MmuMode.NPT : MmuMode.SHADOW, SOURCE_AMD, false, false, false, false, npt, true,
                    tdpMmu);
        }
        if (root.moduleLoaded(Virtualization.PVM_MODULE)) {
            return new HostMmu(MmuMode.SHADOW, SOURCE_PVM, false, false, false, false, false, false, tdpMmu);
        }
        return fromFlags(cpu, tdpMmu);
    }

    /** No vendor module loaded: what kvm_intel or kvm_amd would enable by default on this CPU. */
    private static HostMmu fromFlags(CpuInfo cpu, Boolean tdpMmu) {
        if ("vmx".equals(cpu.hardwareVirtualization())) {
            boolean ept = cpu.has("ept");
            return new HostMmu(ept ? MmuMode.EPT : MmuMode.SHADOW, SOURCE_INTEL_FLAGS, ept, cpu.has("vpid"),
                    cpu.has("ept_ad"), cpu.has("unrestricted_guest"), false, false, tdpMmu);
        }
        if ("svm".equals(cpu.hardwareVirtualization())) {
            boolean npt = cpu.has("npt");
            return new HostMmu(npt ? MmuMode.NPT : MmuMode.SHADOW, SOURCE_AMD_FLAGS, false, false, false, false, npt,
                    true, tdpMmu);
        }
        return new HostMmu(MmuMode.SHADOW, SOURCE_NONE, false, false, false, false, false, false, tdpMmu);
    }

    /** Whether the TLB entries of guests are tagged (Intel VPID, AMD ASID): no full flush on every entry and exit. */
    public boolean tlbTagged() {
        return vpid || asid;
    }

    /** A few words for the engine's reason line: "Intel EPT", "AMD SVM, shadow paging", "kvm_pvm, shadow paging". */
    public String description() {
        return switch (source) {
            case SOURCE_INTEL, SOURCE_INTEL_FLAGS -> ept ? "Intel EPT" : "Intel VMX, shadow paging";
            case SOURCE_AMD, SOURCE_AMD_FLAGS -> npt ? "AMD NPT" : "AMD SVM, shadow paging";
            case SOURCE_PVM -> "kvm_pvm, shadow paging";
            default -> "no VMX/SVM flag, shadow paging";
        };
    }

    private static boolean flag(HostRoot root, String module, String name) {
        return root.moduleFlag(module, name).orElse(false);
    }
}
