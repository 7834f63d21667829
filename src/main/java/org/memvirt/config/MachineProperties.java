package org.memvirt.config;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The memory-related {@code -machine} properties after QEMU applies them (hw/core/machine.c, hw/i386/x86.c):
 * {@code mem-merge}, {@code memory-backend}, {@code max-ram-below-4g}.
 *
 * @param memMerge {@code mem-merge}, default on
 * @param memoryBackend {@code memory-backend}, or null
 * @param maxRamBelow4g {@code max-ram-below-4g}, 0 for the board default
 */
record MachineProperties(boolean memMerge, String memoryBackend, long maxRamBelow4g) {
    static final long FOUR_GIB = 4L << 30;
    static final long ONE_MIB = 1L << 20;
    /** Machine properties memvirt accepts without using them (they do not move memory). */
    static final Set<String> IGNORED = Set.of("accel", "kernel-irqchip", "dump-guest-core", "usb", "vmport", "smm",
            "hpet", "graphics", "suppress-vmdesc", "nvdimm", "pit", "pic", "rtc", "sata", "smbus", "acpi",
            "x-option-roms", "isa-serial", "auto-kernel-cmdline", "confidential-guest-support", "hmat", "sgx-epc");

    static MachineProperties apply(MachineType machine, Map<String, String> dict, List<String> warnings) {
        boolean memMerge = true;
        String backend = null;
        long maxBelow = 0;
        for (Map.Entry<String, String> e : dict.entrySet()) {
            String name = e.getKey(), value = e.getValue();
            switch (name) {
                case "type" -> { }
                case "mem-merge" -> memMerge = BackendObject.bool(name, value);
                case "memory-backend" -> backend = value;
                case "max-ram-below-4g" -> {
                    if (machine.family().equals("microvm")) {           // a pc machine property in 7.2
                        throw new ConfigException("Property '" + typeName(machine) + "." + name + "' not found");
                    }
                    maxBelow = maxRamBelow4g(value, warnings);
                }
                default -> {
                    if (!name.startsWith("memory.") && !IGNORED.contains(name) && !name.startsWith("smp.")) {
                        throw new ConfigException("Property '" + typeName(machine) + "." + name + "' not found");
                    }
                }
            }
        }
        return new MachineProperties(memMerge, backend, maxBelow);
    }

    /** x86.c x86_machine_set_max_ram_below_4g. */
    private static long maxRamBelow4g(String text, List<String> warnings) {
        long value = MemoryOptions.keyvalSize("max-ram-below-4g", text, warnings);
        if (Long.compareUnsigned(value, FOUR_GIB) > 0) {
            throw new ConfigException("Machine option 'max-ram-below-4g=" + Long.toUnsignedString(value)
                    + "' expects size less than or equal to 4G");
        }
        if (value < ONE_MIB) {
            warnings.add("warning: Only " + value + " bytes of RAM below the 4GiB boundary,"
                    + "BIOS may not work with less than 1MiB");
        }
        return value;
    }

    /** The QOM type name of the machine, as in {@code Property 'pc-i440fx-7.2-machine.foo' not found}. */
    static String typeName(MachineType machine) {
        return machine.name() + "-machine";
    }
}
