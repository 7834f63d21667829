package org.memvirt.config;

import java.util.List;

/**
 * The two facts of {@code -cpu MODEL[,vendor=...][,phys-bits=N]} the memory layout depends on: the CPUID vendor (AMD
 * vCPUs get the 1 TiB HyperTransport hole, qemu hw/i386/pc.c pc_memory_init) and the physical address width.
 *
 * <p>Default: QEMU's {@code qemu64} under KVM, whose vendor QEMU replaces with the host's
 * ({@code target/i386/cpu.c x86_cpu_load_model}: {@code accel_uses_host_cpuid()}). The config package does not read
 * the host, so the default assumes an AMD host (the machines this project runs on); pass
 * {@code -cpu qemu64,vendor=GenuineIntel} or an Intel model for an Intel host.
 *
 * @param model the CPU model name
 * @param amd CPUID vendor AuthenticAMD
 * @param physBits the guest physical address width
 */
public record CpuModel(String model, boolean amd, int physBits) {
    static final int DEFAULT_PHYS_BITS = 40;          // qemu target/i386/cpu.h TCG_PHYS_ADDR_BITS (non-host models)
    static final String AMD = "AuthenticAMD";
    static final String INTEL = "GenuineIntel";
    /** Models whose name alone makes them AMD; "qemu64"-like base models take the (assumed AMD) host vendor. */
    static final List<String> AMD_PREFIXES = List.of("EPYC", "Opteron", "phenom", "athlon");
    static final List<String> BASE_MODELS = List.of("qemu64", "qemu32", "kvm64", "kvm32", "max", "host");

    public static CpuModel defaultModel() {
        return new CpuModel("qemu64", true, DEFAULT_PHYS_BITS);
    }

    /** Parses the {@code -cpu} argument. */
    public static CpuModel parse(String arg) {
        List<QemuOpts.Opt> opts = QemuOpts.keyval(arg, "model");
        String model = "qemu64";
        String vendor = null;
        int physBits = DEFAULT_PHYS_BITS;
        for (QemuOpts.Opt opt : opts) {
            switch (opt.name()) {
                case "model" -> model = opt.value();
                case "vendor" -> vendor = opt.value();
                case "phys-bits" -> physBits = (int) MemoryOptions.parseNumber("phys-bits", opt.value());
                default -> { }                                   // other CPU features do not move memory
            }
        }
        boolean amd = vendor != null ? vendor.equals(AMD)
                : BASE_MODELS.contains(model) || AMD_PREFIXES.stream().anyMatch(model::startsWith);
        if (vendor != null && !vendor.equals(AMD) && !vendor.equals(INTEL)) {
            throw new ConfigException("Property '" + model + "-x86_64-cpu.vendor' doesn't take value '" + vendor + "'");
        }
        return new CpuModel(model, amd, physBits);
    }
}
