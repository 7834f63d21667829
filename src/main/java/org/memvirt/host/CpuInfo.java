package org.memvirt.host;

import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * What /proc/cpuinfo says about the CPU (first processor's vendor and model, the processor count and the flags).
 * {@code vmxFlags} is the "vmx flags" line Linux 5.8+ prints on VMX hosts (arch/x86/kernel/cpu/proc.c).
 */
public record CpuInfo(String vendor, String modelName, int cpus, Set<String> flags, Set<String> vmxFlags) {

    public static CpuInfo read(HostRoot root) {
        return parse(root.read("/proc/cpuinfo").orElse(""));
    }

    public static CpuInfo parse(String text) {
        String vendor = "";
        String model = "";
        int cpus = 0;
        Set<String> flags = new LinkedHashSet<>();
        Set<String> vmxFlags = new LinkedHashSet<>();
        for (String line : text.split("\n")) {
            int colon = line.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String key = line.substring(0, colon).trim();
            String value = line.substring(colon + 1).trim();
            switch (key) {
                case "processor" -> cpus++;
                case "vendor_id" -> vendor = vendor.isEmpty() ? value : vendor;
                case "model name" -> model = model.isEmpty() ? value : model;
                case "flags", "Features" -> addWords(flags, value);   // libvirt reads both keys
                case "vmx flags" -> addWords(vmxFlags, value);
                default -> { }
            }
        }
        return new CpuInfo(vendor, model, cpus, Set.copyOf(flags), Set.copyOf(vmxFlags));
    }

    /** "vmx" (Intel VT-x), "svm" (AMD-V) or null when cpuinfo shows neither, as libvirt's hardware check decides. */
    public String hardwareVirtualization() {
        if (flags.contains("vmx")) {
            return "vmx";
        }
        return flags.contains("svm") ? "svm" : null;
    }

    /** A flag in "flags" or in "vmx flags" (Intel's ept/vpid/ept_ad appear in both). */
    public boolean has(String flag) {
        return flags.contains(flag) || vmxFlags.contains(flag);
    }

    private static void addWords(Set<String> into, String value) {
        into.addAll(Arrays.asList(value.split("\\s+")));
        into.remove("");
    }
}
