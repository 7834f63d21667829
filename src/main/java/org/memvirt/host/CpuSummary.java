package org.memvirt.host;

import java.util.List;

/**
 * The CPU facts host-check reports: vendor, model, processor count, whether it runs under a hypervisor, and the
 * virtualization-related cpuinfo flags present (from "flags" and "vmx flags").
 */
public record CpuSummary(String vendor, String modelName, int cpus, boolean hypervisor, List<String> virtFlags) {
    /** Flags worth reporting (arch/x86/include/asm/{cpufeatures,vmxfeatures}.h names). */
    static final List<String> VIRT_FLAGS = List.of("vmx", "svm", "hypervisor", "ept", "vpid", "ept_ad",
            "unrestricted_guest", "flexpriority", "tpr_shadow", "vnmi", "npt", "nrip_save", "flushbyasid",
            "decodeassists", "avic", "vmmcall");

    static CpuSummary of(CpuInfo cpu) {
        List<String> present = VIRT_FLAGS.stream().filter(cpu::has).toList();
        return new CpuSummary(cpu.vendor(), cpu.modelName(), cpu.cpus(), cpu.has("hypervisor"), present);
    }
}
