package org.memvirt.host;

/**
 * Where this host's virtualization comes from: {@code hardware} is "vmx", "svm" or null (cpuinfo flags);
 * {@code pvm} is true when kvm_pvm is loaded; {@code kvmModule} names the loaded vendor module, or null.
 */
public record Virtualization(String hardware, boolean pvm, String kvmModule) {
    static final String PVM_MODULE = "kvm_pvm";

    static Virtualization read(HostRoot root, CpuInfo cpu) {
        boolean pvm = root.moduleLoaded(PVM_MODULE);
        String module = root.moduleLoaded("kvm_intel") ? "kvm_intel"
                : root.moduleLoaded("kvm_amd") ? "kvm_amd"
                : pvm ? PVM_MODULE : null;
        return new Virtualization(cpu.hardwareVirtualization(), pvm, module);
    }
}
