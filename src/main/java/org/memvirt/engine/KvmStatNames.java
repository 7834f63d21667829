package org.memvirt.engine;

import java.util.List;

/** KVM's binary statistic names that both engines report (linux arch/x86/kvm/x86.c kvm_vm_stats_desc / kvm_vcpu_stats_desc). */
public final class KvmStatNames {
    // vCPU statistics (x86.c kvm_vcpu_stats_desc)
    public static final String EXITS = "exits";
    public static final String PF_TAKEN = "pf_taken";
    public static final String PF_FIXED = "pf_fixed";
    public static final String PF_EMULATE = "pf_emulate";
    public static final String PF_SPURIOUS = "pf_spurious";
    public static final String PF_FAST = "pf_fast";
    public static final String PF_GUEST = "pf_guest";
    public static final String TLB_FLUSH = "tlb_flush";
    public static final String INVLPG = "invlpg";
    public static final String IO_EXITS = "io_exits";
    public static final String MMIO_EXITS = "mmio_exits";
    public static final String HALT_EXITS = "halt_exits";
    public static final String INSN_EMULATION = "insn_emulation";
    // VM statistics (x86.c kvm_vm_stats_desc)
    public static final String MMU_SHADOW_ZAPPED = "mmu_shadow_zapped";
    public static final String MMU_PTE_WRITE = "mmu_pte_write";
    public static final String MMU_PDE_ZAPPED = "mmu_pde_zapped";
    public static final String MMU_FLOODED = "mmu_flooded";
    public static final String MMU_RECYCLED = "mmu_recycled";
    public static final String MMU_CACHE_MISS = "mmu_cache_miss";
    public static final String MMU_UNSYNC = "mmu_unsync";
    public static final String PAGES_4K = "pages_4k";
    public static final String PAGES_2M = "pages_2m";
    public static final String PAGES_1G = "pages_1g";
    public static final String REMOTE_TLB_FLUSH = "remote_tlb_flush";

    /** The names both engines must report, in report order. */
    public static final List<String> COMMON = List.of(
            EXITS, PF_TAKEN, PF_FIXED, PF_EMULATE, PF_SPURIOUS, PF_GUEST, INVLPG, TLB_FLUSH,
            MMU_SHADOW_ZAPPED, MMU_PTE_WRITE, MMU_PDE_ZAPPED, MMU_FLOODED, MMU_RECYCLED, MMU_CACHE_MISS, MMU_UNSYNC,
            PAGES_4K, PAGES_2M, PAGES_1G, REMOTE_TLB_FLUSH);

    private KvmStatNames() {}
}
