package org.memvirt.x86;

import java.util.List;

/**
 * A core's TLB hierarchy: L1 data and instruction structures, a second level (unified when {@code l2i} is empty) and
 * the paging-structure-cache and nested-TLB sizes. Presets carry the published geometry of real cores.
 */
public record TlbConfig(String name, List<TlbSpec> l1d, List<TlbSpec> l1i, List<TlbSpec> l2, List<TlbSpec> l2i,
                        int pwcEntries, int pwcWays, int nestedTlbEntries) {

    /**
     * AMD Zen 5: L1 DTLB 96 fully associative, L1 ITLB 64 fully associative, L2 DTLB 4096 16-way, L2 ITLB 2048
     * 8-way (AMD, Software Optimization Guide for the AMD Zen5 Microarchitecture, pub. 58455 rev. 1.00, as quoted and
     * measured in J. Chen's Zen 5 notes, 2024; CPUID 0x80000005 on host B reads 96/64, assoc 0xFF).
     * The page sizes each level holds are not published in those notes; all three are assumed.
     */
    public static TlbConfig zen5() {
        return new TlbConfig("zen5",
                List.of(TlbSpec.of("L1 DTLB", 96, 96, "4K", "2M", "1G")),
                List.of(TlbSpec.of("L1 ITLB", 64, 64, "4K", "2M", "1G")),
                List.of(TlbSpec.of("L2 DTLB", 4096, 16, "4K", "2M", "1G")),
                List.of(TlbSpec.of("L2 ITLB", 2048, 8, "4K", "2M")),
                32, 4, 16);
    }

    /**
     * Intel Golden Cove: L1 DTLB 96 x 4K 6-way, 32 x 2M 4-way, 8 x 1G fully associative; ITLB 256 x 4K 8-way and
     * 32 x 2M 8-way; unified STLB 2048 for 4K/2M/1G (Intel 64 and IA-32 Architectures Optimization Reference Manual,
     * Vol. 1, Golden Cove microarchitecture, as quoted and measured in J. Chen's Golden Cove notes, 2025). The STLB's
     * 16 ways and the 1G L1 structure's 8 ways are assumptions: those sources give their sizes only.
     */
    public static TlbConfig goldenCove() {
        return new TlbConfig("golden-cove",
                List.of(TlbSpec.of("L1 DTLB 4K", 96, 6, "4K"), TlbSpec.of("L1 DTLB 2M", 32, 4, "2M"),
                        TlbSpec.of("L1 DTLB 1G", 8, 8, "1G")),
                List.of(TlbSpec.of("ITLB 4K", 256, 8, "4K"), TlbSpec.of("ITLB 2M", 32, 8, "2M")),
                List.of(TlbSpec.of("STLB", 2048, 16, "4K", "2M", "1G")),
                List.of(),
                32, 4, 16);
    }

    /** A preset by name: zen5 or golden-cove. */
    public static TlbConfig preset(String name) {
        return switch (name.toLowerCase(java.util.Locale.ROOT)) {
            case "zen5", "zen-5" -> zen5();
            case "golden-cove", "goldencove", "gc" -> goldenCove();
            default -> throw new X86Exception("unknown TLB preset '" + name + "' (zen5, golden-cove)");
        };
    }
}
