package org.memvirt.config;

import java.util.List;

/**
 * The two facts of {@code -cpu MODEL[,vendor=...][,phys-bits=N]} the memory layout depends on: the CPUID vendor (AMD
 * vCPUs get the 1 TiB HyperTransport hole, qemu hw/i386/pc.c pc_memory_init) and the physical address width.
 *
 * <p>Under KVM QEMU replaces the vendor of <em>every</em> model with the host's ({@code target/i386/cpu.c
 * x86_cpu_load_model}: {@code accel_uses_host_cpuid()}); only an explicit {@code vendor=} property overrides it
 * (checked against qemu-system-x86_64 7.2 under KVM: {@code -cpu Skylake-Client} still gets the AMD relocation on an
 * AMD host). The config package does not read the host, so it assumes an AMD host (the machines this project runs
 * on); for an Intel host pass {@code -cpu MODEL,vendor=GenuineIntel}.
 *
 * @param model the CPU model name
 * @param amd CPUID vendor AuthenticAMD
 * @param physBits the guest physical address width
 */
public record CpuModel(String model, boolean amd, int physBits) {
    static final int DEFAULT_PHYS_BITS = 40;          // qemu target/i386/cpu.h TCG_PHYS_ADDR_BITS (non-host models)
    static final String AMD = "AuthenticAMD";
    static final String INTEL = "GenuineIntel";
    static final boolean HOST_IS_AMD = true;          // assumption: the vendor KVM would copy from the host

    public static CpuModel defaultModel() {
        return new CpuModel("qemu64", HOST_IS_AMD, DEFAULT_PHYS_BITS);
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
        boolean amd = vendor != null ? vendor.equals(AMD) : HOST_IS_AMD;
        if (vendor != null && !vendor.equals(AMD) && !vendor.equals(INTEL)) {
            throw new ConfigException("Property '" + model + "-x86_64-cpu.vendor' doesn't take value '" + vendor + "'");
        }
        return new CpuModel(model, amd, physBits);
    }
}
