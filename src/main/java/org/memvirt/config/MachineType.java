package org.memvirt.config;

import java.util.List;

/**
 * An x86 machine type of QEMU 7.2 and the version-dependent memory flags of its class
 * (qemu hw/i386/pc_piix.c, pc_q35.c, microvm.c and their {@code *_machine_options} compat functions).
 *
 * @param name the canonical versioned name ({@code pc-i440fx-7.2})
 * @param family {@code pc}, {@code q35} or {@code microvm}
 * @param gigabyteAlign pc: split at 3 GiB when RAM reaches max-ram-below-4g (false for pc-i440fx-1.7 and older)
 * @param hasReservedMemory a device-memory window for hotplug (false for pc-i440fx-2.0 and older)
 * @param enforceAlignedDimm 1 GiB per slot added to the window (false for pc-i440fx-2.1 and older)
 * @param enforceAmd1TbHole relocate high RAM above 1 TiB for AMD vCPUs (machines 7.1 and newer)
 * @param deprecation QEMU's deprecation reason, or null
 */
public record MachineType(String name, String family, boolean gigabyteAlign, boolean hasReservedMemory,
        boolean enforceAlignedDimm, boolean enforceAmd1TbHole, String deprecation) {

    static final String LATEST = "7.2";
    static final String OLD_I440FX = "old and unattended - use a newer version instead"; // pc_piix.c pc_i440fx_1_x
    static final List<String> I440FX_VERSIONS = List.of("1.4", "1.5", "1.6", "1.7", "2.0", "2.1", "2.2", "2.3", "2.4",
            "2.5", "2.6", "2.7", "2.8", "2.9", "2.10", "2.11", "2.12", "3.0", "3.1", "4.0", "4.1", "4.2", "5.0", "5.1",
            "5.2", "6.0", "6.1", "6.2", "7.0", "7.1", "7.2");
    static final List<String> Q35_VERSIONS = I440FX_VERSIONS.subList(I440FX_VERSIONS.indexOf("2.4"),
            I440FX_VERSIONS.size());

    /** The machine a {@code -machine type=} value names, or a ConfigException ({@code unsupported machine type}). */
    public static MachineType lookup(String type) {
        String t = type;                                           // QEMU compares names case-sensitively
        if (t.equals("pc")) t = "pc-i440fx-" + LATEST;
        if (t.equals("q35")) t = "pc-q35-" + LATEST;
        if (t.equals("microvm")) return new MachineType("microvm", "microvm", false, false, false, false, null);
        if (t.startsWith("pc-i440fx-") && I440FX_VERSIONS.contains(t.substring(10))) {
            return pc(t, "pc", t.substring(10));
        }
        if (t.startsWith("pc-q35-") && Q35_VERSIONS.contains(t.substring(7))) {
            return pc(t, "q35", t.substring(7));
        }
        throw new ConfigException("unsupported machine type\nUse -machine help to list supported machines");
    }

    private static MachineType pc(String name, String family, String version) {
        int v = I440FX_VERSIONS.indexOf(version);
        boolean i440fx = family.equals("pc");
        return new MachineType(name, family,
                !i440fx || v > I440FX_VERSIONS.indexOf("1.7"),
                !i440fx || v > I440FX_VERSIONS.indexOf("2.0"),
                !i440fx || v > I440FX_VERSIONS.indexOf("2.1"),
                v >= I440FX_VERSIONS.indexOf("7.1"),
                i440fx && v <= I440FX_VERSIONS.indexOf("1.7") ? OLD_I440FX : null);
    }

    /** {@code mc->default_ram_id}. */
    public String defaultRamId() {
        return family.equals("microvm") ? "microvm.ram" : "pc.ram";
    }

    /** {@code mc->max_cpus}: 255 for i440fx, 288 for q35 and microvm (pc_piix.c, pc_q35.c, microvm.c). */
    public int maxCpus() {
        return family.equals("pc") ? 255 : 288;
    }

    /** The default {@code pci-hole64-size}: 2 GiB for i440fx, 32 GiB for q35 (i440fx.c, q35.c). */
    public long pciHole64Size() {
        return family.equals("q35") ? 32L << 30 : 2L << 30;
    }
}
