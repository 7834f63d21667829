package org.memvirt.config;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Board init of guest RAM: the split around the 32-bit PCI hole (qemu hw/i386/pc_piix.c pc_init1, pc_q35.c
 * pc_q35_init, microvm.c microvm_memory_init), then {@code hw/i386/pc.c pc_memory_init}: the AMD 1 TiB hole, the
 * phys-bits limit, the hotplug checks and the device-memory window; and the e820 table QEMU passes in fw_cfg under
 * KVM (sorted by address, as SeaBIOS lists it).
 */
final class BoardMemory {
    static final long GiB = 1L << 30;
    static final long FOUR_GIB = 4 * GiB;
    static final long PC_MAX_BELOW_4G = 0xE0000000L;          // pc_piix.c: max_ram_below_4g default 3.5 GiB
    static final long PC_GIGABYTE_LOWMEM = 0xC0000000L;       // pc_piix.c gigabyte_align: lowmem capped at 3 GiB
    static final long Q35_LOWMEM_SPLIT = 0xB0000000L;         // pc_q35.c: ram_size >= 0xb0000000 splits at 2 GiB
    static final long Q35_LOWMEM_LARGE = 0x80000000L;         // pc_q35.c: lowmem for large guests
    static final long MICROVM_LOWMEM = 0xC0000000L;           // microvm.c microvm_memory_init: lowmem = 3G
    static final long AMD_HT_START = 0xFD00000000L;           // pc.c AMD_HT_START
    static final long AMD_HT_END = 0x10000000000L;            // pc.c AMD_HT_START + AMD_HT_SIZE (1 TiB)
    static final long AMD_ABOVE_1TB_START = 0x10000000000L;   // pc.c AMD_ABOVE_1TB_START
    static final long KVM_IDENTITY_BASE = 0xFEFFC000L;        // target/i386/kvm/kvm.c kvm_arch_init: identity_base
    static final long KVM_IDENTITY_SIZE = 0x4000;             // kvm_arch_init: e820_add_entry(identity_base, 0x4000)
    static final int ACPI_MAX_RAM_SLOTS = 256;                // hw/acpi/memory_hotplug.h ACPI_MAX_RAM_SLOTS
    static final long TARGET_PAGE_SIZE = 4096;                // x86 TARGET_PAGE_SIZE

    private BoardMemory() {}

    /**
     * @param maxRamBelow4g {@code -machine max-ram-below-4g}, 0 for the machine default
     */
    static MemoryLayout build(MachineType machine, CpuModel cpu, long ramSize, long maxram, long slots,
            long maxRamBelow4g, List<String> warnings) {
        long below;
        switch (machine.family()) {
            case "pc" -> below = pcLowmem(machine, ramSize, maxRamBelow4g, warnings);
            case "q35" -> below = q35Lowmem(ramSize, maxRamBelow4g, warnings);
            default -> below = Long.compareUnsigned(ramSize, MICROVM_LOWMEM) > 0 ? MICROVM_LOWMEM : ramSize;
        }
        if (Long.compareUnsigned(ramSize, below) < 0) below = ramSize;
        long above = ramSize - below;
        List<E820Entry> e820 = new ArrayList<>();
        e820.add(new E820Entry(KVM_IDENTITY_BASE, KVM_IDENTITY_BASE + KVM_IDENTITY_SIZE, E820Entry.RESERVED));
        if (machine.family().equals("microvm")) {
            addRam(e820, below, FOUR_GIB, above);
            return new MemoryLayout("microvm", ramSize, below, above, FOUR_GIB, maxram, slots, null, sorted(e820));
        }
        Pc pc = new Pc(machine, ramSize, maxram, slots, above);
        if (cpu.amd() && machine.enforceAmd1TbHole()) {
            if (Long.compareUnsigned(pc.maxUsedGpa(cpu), AMD_HT_START) >= 0) pc.aboveStart = AMD_ABOVE_1TB_START;
            if (cpu.physBits() >= 40) e820.add(new E820Entry(AMD_HT_START, AMD_HT_END, E820Entry.RESERVED));
        }
        long maxUsed = pc.maxUsedGpa(cpu);
        long maxPhys = cpu.physBits() >= 64 ? -1L : (1L << cpu.physBits()) - 1;
        if (Long.compareUnsigned(maxPhys, maxUsed) < 0) {
            throw new ConfigException("Address space limit 0x" + Long.toHexString(maxPhys) + " < 0x"
                    + Long.toHexString(maxUsed) + " phys-bits too low (" + cpu.physBits() + ")");
        }
        addRam(e820, below, pc.aboveStart, above);
        if (!machine.hasReservedMemory() && (slots != 0 || Long.compareUnsigned(maxram, ramSize) > 0)) {
            throw new ConfigException("\"-memory 'slots|maxmem'\" is not supported by: " + machine.name());
        }
        DeviceMemory deviceMemory = null;
        if (machine.hasReservedMemory() && Long.compareUnsigned(ramSize, maxram) < 0) {
            if (Long.compareUnsigned(slots, ACPI_MAX_RAM_SLOTS) > 0) {
                throw new ConfigException("unsupported amount of memory slots: " + Long.toUnsignedString(slots));
            }
            if ((maxram & (TARGET_PAGE_SIZE - 1)) != 0) {
                throw new ConfigException("maximum memory size must by aligned to multiple of " + TARGET_PAGE_SIZE
                        + " bytes");
            }
            deviceMemory = pc.deviceMemory();
            if (Long.compareUnsigned(deviceMemory.base() + deviceMemory.size(), deviceMemory.size()) < 0) {
                throw new ConfigException("unsupported amount of maximum memory: 0x" + Long.toHexString(maxram));
            }
        }
        return new MemoryLayout(machine.family(), ramSize, below, above, pc.aboveStart, maxram, slots, deviceMemory,
                sorted(e820));
    }

    /** pc_init1: {@code lowmem} for the i440fx board. */
    private static long pcLowmem(MachineType machine, long ramSize, long maxRamBelow4g, List<String> warnings) {
        long max = maxRamBelow4g != 0 ? maxRamBelow4g : PC_MAX_BELOW_4G;
        long lowmem = max;
        if (Long.compareUnsigned(ramSize, max) >= 0 && machine.gigabyteAlign()) {
            if (lowmem > PC_GIGABYTE_LOWMEM) lowmem = PC_GIGABYTE_LOWMEM;
            if ((lowmem & (GiB - 1)) != 0) {
                warnings.add("warning: Large machine and max_ram_below_4g (" + max
                        + ") not a multiple of 1G; possible bad performance.");
            }
        }
        return lowmem;
    }

    /** pc_q35_init: {@code lowmem} for the q35 board. */
    private static long q35Lowmem(long ramSize, long maxRamBelow4g, List<String> warnings) {
        long lowmem = Long.compareUnsigned(ramSize, Q35_LOWMEM_SPLIT) >= 0 ? Q35_LOWMEM_LARGE : Q35_LOWMEM_SPLIT;
        long max = maxRamBelow4g != 0 ? maxRamBelow4g : FOUR_GIB;
        if (lowmem > max) {
            lowmem = max;
            if (Long.compareUnsigned(ramSize - lowmem, lowmem) > 0 && (lowmem & (GiB - 1)) != 0) {
                warnings.add("warning: There is possibly poor performance as the ram size  (0x"
                        + Long.toHexString(ramSize) + ") is more then twice the size of max-ram-below-4g (" + max
                        + ") and max-ram-below-4g is not a multiple of 1G.");
            }
        }
        return lowmem;
    }

    private static void addRam(List<E820Entry> e820, long below, long aboveStart, long above) {
        if (below != 0) e820.add(new E820Entry(0, below, E820Entry.RAM));
        if (above != 0) e820.add(new E820Entry(aboveStart, aboveStart + above, E820Entry.RAM));
    }

    private static List<E820Entry> sorted(List<E820Entry> e820) {
        return e820.stream().sorted(Comparator.comparingLong(E820Entry::start)).toList();
    }

    /** The pc.c address arithmetic that depends on where high RAM starts. */
    private static final class Pc {
        final MachineType machine;
        final long ramSize, maxram, slots, above;
        long aboveStart = FOUR_GIB;

        Pc(MachineType machine, long ramSize, long maxram, long slots, long above) {
            this.machine = machine;
            this.ramSize = ramSize;
            this.maxram = maxram;
            this.slots = slots;
            this.above = above;
        }

        /** pc_get_device_memory_range. */
        DeviceMemory deviceMemory() {
            long size = maxram - ramSize;
            long base = roundUpGiB(aboveStart + above);
            if (machine.enforceAlignedDimm()) size += GiB * slots;
            return new DeviceMemory(base, size);
        }

        /** pc_max_used_gpa: the last byte of the 64-bit PCI hole. */
        long maxUsedGpa(CpuModel cpu) {
            if (cpu.physBits() <= 32) return (1L << cpu.physBits()) - 1;
            long hole64Start;
            if (machine.hasReservedMemory() && Long.compareUnsigned(ramSize, maxram) < 0) {
                DeviceMemory dm = deviceMemory();
                hole64Start = dm.base() + dm.size();                 // broken_reserved_end only for <= 2.4 types
                if (brokenReservedEnd()) hole64Start = dm.base();
            } else {
                hole64Start = aboveStart + above;
            }
            return roundUpGiB(hole64Start) + machine.pciHole64Size() - 1;
        }

        /** pc_i440fx_2_4 / pc_q35_2_4 machine options: broken_reserved_end = true. */
        private boolean brokenReservedEnd() {
            String n = machine.name();
            return n.matches("pc-i440fx-(1\\.[4-7]|2\\.[0-4])") || n.equals("pc-q35-2.4");
        }

        static long roundUpGiB(long v) {
            return (v + GiB - 1) & -GiB;
        }
    }
}
