package org.memvirt.host;

/**
 * The MMU mode guests will get and the module parameters it follows from. {@code source} says where the answer
 * came from ("kvm_intel parameters", "cpuinfo flags" when no vendor module is loaded, ...). {@code tdpMmu} is the
 * kvm module's tdp_mmu parameter, null when absent.
 */
public record Mmu(MmuMode mode, String source, boolean ept, boolean vpid, boolean eptAd, boolean unrestrictedGuest,
                  boolean npt, Boolean tdpMmu) {

    static Mmu decide(HostRoot root, CpuInfo cpu) {
        Boolean tdpMmu = root.moduleFlag("kvm", "tdp_mmu").orElse(null);
        if (root.moduleLoaded("kvm_intel")) {
            boolean ept = flag(root, "kvm_intel", "ept");
            return new Mmu(ept ? MmuMode.EPT : MmuMode.SHADOW, "kvm_intel parameters", ept,
                    flag(root, "kvm_intel", "vpid"), flag(root, "kvm_intel", "eptad"),
                    flag(root, "kvm_intel", "unrestricted_guest"), false, tdpMmu);
        }
        if (root.moduleLoaded("kvm_amd")) {
            boolean npt = flag(root, "kvm_amd", "npt");
            return new Mmu(npt ? MmuMode.NPT : MmuMode.SHADOW, "kvm_amd parameters", false, false, false, false,
                    npt, tdpMmu);
        }
        if (root.moduleLoaded(Virtualization.PVM_MODULE)) {
            return new Mmu(MmuMode.SHADOW, "kvm_pvm",
                    false, false, false, false, false, tdpMmu);
        }
        return fromFlags(cpu, tdpMmu);
    }

    /** No vendor module loaded: what kvm_intel or kvm_amd would enable by default on this CPU. */
    private static Mmu fromFlags(CpuInfo cpu, Boolean tdpMmu) {
        if ("vmx".equals(cpu.hardwareVirtualization())) {
            boolean ept = cpu.has("ept");
            return new Mmu(ept ? MmuMode.EPT : MmuMode.SHADOW, "cpuinfo flags (kvm_intel not loaded)", ept,
                    cpu.has("vpid"), cpu.has("ept_ad"), cpu.has("unrestricted_guest"), false, tdpMmu);
        }
        if ("svm".equals(cpu.hardwareVirtualization())) {
            boolean npt = cpu.has("npt");
            return new Mmu(npt ? MmuMode.NPT : MmuMode.SHADOW, "cpuinfo flags (kvm_amd not loaded)", false, false,
                    false, false, npt, tdpMmu);
        }
        return new Mmu(MmuMode.SHADOW, "no KVM vendor module and no vmx/svm flags", false, false, false, false,
                false, tdpMmu);
    }

    private static boolean flag(HostRoot root, String module, String name) {
        return root.moduleFlag(module, name).orElse(false);
    }
}
