package org.memvirt.sim;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/**
 * Sizes of the simulated data TLBs: a first-level DTLB and a second-level (shared) TLB, each set-associative with
 * a power-of-two number of sets, plus the page-walk cache's PDE entries.
 *
 * @param name preset name or file
 * @param l1Sets first-level sets (power of two)
 * @param l1Ways first-level ways
 * @param l2Sets second-level sets (power of two)
 * @param l2Ways second-level ways
 * @param pdeCacheEntries paging-structure (PDE) cache entries (power of two), SDM Vol 3A §4.10.3
 */
public record TlbGeometry(String name, int l1Sets, int l1Ways, int l2Sets, int l2Ways, int pdeCacheEntries) {
    public TlbGeometry {
        if (Integer.bitCount(l1Sets) != 1 || Integer.bitCount(l2Sets) != 1 || Integer.bitCount(pdeCacheEntries) != 1)
            throw new SimException("TLB " + name + ": sets and PDE-cache entries must be powers of two");
        if (l1Ways < 1 || l2Ways < 1 || l1Ways > 64 || l2Ways > 64) throw new SimException("TLB " + name + ": ways must be 1..64");
    }

    /**
     * AMD Zen 5: L1 DTLB 96 entries fully associative, L2 DTLB 4096 entries 16-way (AMD, Software Optimization Guide
     * for the AMD Zen5 Microarchitecture, pub. 58455 rev. 1.00). The fully associative L1 is modelled as 16 sets x 6
     * ways (same capacity).
     */
    public static final TlbGeometry ZEN5 = new TlbGeometry("zen5", 16, 6, 256, 16, 32);

    /**
     * Intel Golden Cove: L1 DTLB 96 entries 6-way, STLB 2048 entries (Intel 64 and IA-32 Architectures Optimization
     * Reference Manual, Vol. 1, Golden Cove microarchitecture); the STLB's 16 ways are this model's assumption.
     */
    public static final TlbGeometry GOLDEN_COVE = new TlbGeometry("golden-cove", 16, 6, 128, 16, 32);

    public int l1Entries() {
        return l1Sets * l1Ways;
    }

    public int l2Entries() {
        return l2Sets * l2Ways;
    }

    /**
     * {@code zen5}, {@code golden-cove}, or a properties file with {@code l1.entries l1.ways l2.entries l2.ways}
     * and optionally {@code pde_cache.entries}.
     */
    public static TlbGeometry of(String spec) {
        if (spec == null || spec.isEmpty() || spec.equals("zen5")) return ZEN5;
        if (spec.equals("golden-cove")) return GOLDEN_COVE;
        Path file = Path.of(spec);
        if (!Files.isRegularFile(file)) throw new SimException("--tlb: not zen5, golden-cove or a readable file: " + spec);
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file)) {
            p.load(r);
        } catch (IOException e) {
            throw new SimException("--tlb: cannot read " + spec + ": " + e.getMessage());
        }
        int l1 = intProp(p, "l1.entries", spec), l1w = intProp(p, "l1.ways", spec);
        int l2 = intProp(p, "l2.entries", spec), l2w = intProp(p, "l2.ways", spec);
        int pde = p.containsKey("pde_cache.entries") ? intProp(p, "pde_cache.entries", spec) : 32;
        if (l1 % l1w != 0 || l2 % l2w != 0) throw new SimException("--tlb " + spec + ": entries must be a multiple of ways");
        return new TlbGeometry(file.getFileName().toString(), l1 / l1w, l1w, l2 / l2w, l2w, pde);
    }

    private static int intProp(Properties p, String key, String spec) {
        String v = p.getProperty(key);
        if (v == null) throw new SimException("--tlb " + spec + ": missing " + key);
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new SimException("--tlb " + spec + ": " + key + " is not a number: " + v);
        }
    }
}
