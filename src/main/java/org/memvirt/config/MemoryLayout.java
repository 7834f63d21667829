package org.memvirt.config;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * Where guest RAM lives in guest-physical space, split around the 32-bit PCI hole exactly as QEMU does
 * (qemu hw/i386/pc_piix.c pc_init1, hw/i386/pc_q35.c pc_q35_init).
 *
 * @param machine {@code pc}, {@code q35} or {@code microvm}
 * @param ramSize total RAM bytes
 * @param belowFourG bytes of RAM mapped at guest-physical 0
 * @param aboveFourG bytes of RAM mapped at {@code aboveFourGStart}
 * @param aboveFourGStart where high RAM starts (4 GiB, or 1 TiB with the AMD hole)
 * @param maxram maximum memory ({@code maxmem}), equal to {@code ramSize} without hotplug
 * @param slots hotplug slots
 * @param deviceMemory the hotplug window, or null
 * @param e820 the e820 map QEMU builds
 */
@JsonPropertyOrder({"machine", "ram_size", "below_4g", "above_4g", "above_4g_start", "maxmem", "slots",
        "device_memory", "e820"})
public record MemoryLayout(
        String machine,
        long ramSize,
        @JsonProperty("below_4g") long belowFourG,
        @JsonProperty("above_4g") long aboveFourG,
        @JsonProperty("above_4g_start") long aboveFourGStart,
        @JsonProperty("maxmem") long maxram,
        long slots,
        DeviceMemory deviceMemory,
        List<E820Entry> e820) {

    public MemoryLayout {
        e820 = List.copyOf(e820);
    }

    /** The RAM windows in guest-physical order: {@code ram-below-4g} at 0, then {@code ram-above-4g} if any. */
    @JsonIgnore
    public List<RamRegion> ramRegions() {
        List<RamRegion> r = new ArrayList<>(2);
        if (belowFourG > 0) r.add(new RamRegion("ram-below-4g", 0, belowFourG, 0));
        if (aboveFourG > 0) r.add(new RamRegion("ram-above-4g", aboveFourGStart, aboveFourG, belowFourG));
        return List.copyOf(r);
    }
}
