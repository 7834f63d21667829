package org.memvirt.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

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
    static final int MIN_PHYS_BITS = 32;              // qemu target/i386/cpu.c x86_cpu_realizefn: "between 32 and"
    static final int MAX_PHYS_BITS = 52;              // qemu target/i386/cpu-param.h TARGET_PHYS_ADDR_SPACE_BITS
    static final String AMD = "AuthenticAMD";
    static final int VENDOR_LENGTH = 12;              // qemu target/i386/cpu.h CPUID_VENDOR_SZ
    static final boolean HOST_IS_AMD = true;          // assumption: the vendor KVM would copy from the host
    private static final Map<String, Boolean> MODELS = models();   // name -> true for a 32-bit model (no long mode)

    public static CpuModel defaultModel() {
        return new CpuModel("qemu64", HOST_IS_AMD, DEFAULT_PHYS_BITS);
    }

    /**
     * Checks the model of a {@code -cpu} argument as {@code parse_cpu_option} does, which QEMU runs once the machine
     * and {@code -smp} are resolved: {@code unable to find CPU model 'NAME'}.
     */
    public static void checkModel(String arg) {
        if (arg.isEmpty()) throw new ConfigException("-cpu option cannot be empty");
        String model = modelOf(arg);
        if (!MODELS.containsKey(model)) throw new ConfigException("unable to find CPU model '" + model + "'");
    }

    /**
     * Parses the {@code -cpu} argument as QEMU applies it when it creates the vCPUs: each {@code name=value} feature
     * is a global property of {@code MODEL-x86_64-cpu}, set with QEMU's visitor (phys-bits as {@code qemu_strtou64}
     * base 0, then at most UINT32_MAX), then {@code x86_cpu_realizefn} checks phys-bits: 0 means the default 40,
     * else 32..52 for a 64-bit model, and nothing but 0 for a 32-bit one. Texts as qemu-system-x86_64 7.2 prints them.
     */
    public static CpuModel parse(String arg) {
        checkModel(arg);
        String model = modelOf(arg);
        String global = model + "-x86_64-cpu";
        String vendor = null;
        long physBits = 0;
        String[] features = arg.split(",", -1);
        for (int i = 1; i < features.length; i++) {
            String feature = features[i];
            if (feature.isEmpty() || feature.startsWith("+") || feature.startsWith("-")) continue;  // +flag / -flag
            int eq = feature.indexOf('=');
            String name = eq < 0 ? feature : feature.substring(0, eq);
            String value = eq < 0 ? "on" : feature.substring(eq + 1);      // x86_cpu_parse_featurestr: "feat" is "feat=on"
            String applying = "can't apply global " + global + "." + name + "=" + value + ": ";
            switch (name) {
                case "vendor" -> {
                    if (value.length() != VENDOR_LENGTH) {         // x86_cpuid_set_vendor: QERR_PROPERTY_VALUE_BAD
                        throw new ConfigException(applying + "Property '.vendor' doesn't take value '" + value + "'");
                    }
                    vendor = value;
                }
                case "phys-bits" -> physBits = uint32(applying, name, value);
                default -> { }                                   // other CPU features do not move memory
            }
        }
        boolean amd = vendor != null ? vendor.equals(AMD) : HOST_IS_AMD;
        boolean longMode = !MODELS.get(model);
        if (!longMode) {
            if (physBits != 0) throw new ConfigException("phys-bits is not user-configurable in 32 bit");
        } else if (physBits != 0 && (physBits > MAX_PHYS_BITS || physBits < MIN_PHYS_BITS)) {
            throw new ConfigException("phys-bits should be between " + MIN_PHYS_BITS + " and " + MAX_PHYS_BITS
                    + "  (but is " + physBits + ")");               // two blanks: QEMU's format string has them
        }
        return new CpuModel(model, amd, physBits == 0 ? DEFAULT_PHYS_BITS : (int) physBits);
    }

    /** A uint32 property as QEMU's keyval input visitor reads it: {@code qemu_strtou64(value, NULL, 0)}, then the range. */
    private static long uint32(String applying, String name, String value) {
        CNumber.Ull u = MemoryOptions.strtou64(value);
        if (u == null || u.outOfRange()) throw new ConfigException(applying + "Parameter '" + name + "' expects uint64");
        if (Long.compareUnsigned(u.value(), 0xFFFF_FFFFL) > 0) {
            throw new ConfigException(applying + "Parameter '" + name + "' expects uint32_t");
        }
        return u.value();
    }

    private static String modelOf(String arg) {
        int comma = arg.indexOf(',');
        return comma < 0 ? arg : arg.substring(0, comma);
    }

    private static Map<String, Boolean> models() {
        Map<String, Boolean> models = new HashMap<>();
        try (InputStream in = CpuModel.class.getResourceAsStream("/config/qemu-7.2-x86-cpu-models.txt")) {
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (line.isBlank() || line.startsWith("#")) continue;
                String[] f = line.trim().split("\\s+");
                models.put(f[0], f.length > 1 && f[1].equals("32"));
            }
        } catch (IOException | NullPointerException e) {
            throw new IllegalStateException("the CPU model list is missing from the jar", e);
        }
        return Map.copyOf(models);
    }
}
