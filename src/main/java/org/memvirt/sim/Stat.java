package org.memvirt.sim;

import java.util.LinkedHashMap;
import java.util.Map;

import org.memvirt.engine.Counters;
import org.memvirt.engine.KvmStatNames;

/**
 * The sim engine's counters as indices into a {@code long[]}: KVM's binary statistics by KVM's names first
 * (linux arch/x86/kvm/x86.c kvm_vm_stats_desc / kvm_vcpu_stats_desc), then memvirt's own (docs/sim-engine.md).
 * Each counter is incremented in exactly one place.
 */
public final class Stat {
    // KVM's names (engine.KvmStatNames.COMMON order)
    public static final int EXITS = 0;
    public static final int PF_TAKEN = 1;
    public static final int PF_FIXED = 2;
    public static final int PF_EMULATE = 3;
    public static final int PF_SPURIOUS = 4;
    public static final int PF_GUEST = 5;
    public static final int INVLPG = 6;
    public static final int TLB_FLUSH = 7;
    public static final int MMU_SHADOW_ZAPPED = 8;
    public static final int MMU_PTE_WRITE = 9;
    public static final int MMU_PDE_ZAPPED = 10;
    public static final int MMU_FLOODED = 11;
    public static final int MMU_RECYCLED = 12;
    public static final int MMU_CACHE_MISS = 13;
    public static final int MMU_UNSYNC = 14;          // instant
    public static final int PAGES_4K = 15;            // instant
    public static final int PAGES_2M = 16;            // instant
    public static final int PAGES_1G = 17;            // instant
    public static final int REMOTE_TLB_FLUSH = 18;
    public static final int INSN_EMULATION = 19;
    public static final int IO_EXITS = 20;
    // memvirt's own: exits by reason (linux arch/x86/include/uapi/asm/vmx.h, svm.h)
    public static final int EXIT_EXCEPTION = 21;      // reason 0, #PF intercepted (shadow)
    public static final int EXIT_INVLPG = 22;         // reason 14
    public static final int EXIT_CR_ACCESS = 23;      // reason 28, MOV to CR3
    public static final int EXIT_IO = 24;             // reason 30, virtio-balloon notifications
    public static final int EPT_VIOLATIONS = 25;      // reason 48
    public static final int EPT_MISCONFIGS = 26;      // reason 49
    public static final int NPF = 27;                 // SVM_EXIT_NPF 0x400
    // memvirt's own: translation
    public static final int ACCESSES = 28;
    public static final int DTLB_HITS = 29;
    public static final int DTLB_MISSES = 30;
    public static final int STLB_HITS = 31;
    public static final int STLB_MISSES = 32;
    public static final int WALKS = 33;
    public static final int WALK_REFS = 34;
    public static final int NATIVE_WALK_REFS = 35;
    public static final int PWC_HITS = 36;
    public static final int GUEST_PAGE_FAULTS = 37;   // #PF the guest handled (under EPT without an exit)
    public static final int MOV_CR3 = 38;
    public static final int HOST_PAGES_ZEROED = 39;
    public static final int SHADOW_PAGES = 40;        // instant: shadow pages held (KVM n_used_mmu_pages)
    public static final int TDP_PAGES = 41;           // instant: EPT/NPT table pages held
    public static final int GUEST_PT_PAGES = 42;      // instant: guest page-table pages
    public static final int VERIFY_PAGES = 43;
    public static final int VERIFY_ERRORS = 44;
    public static final int GUEST_INVLPG = 45;        // INVLPG executed by the guest (exits only under shadow paging)
    public static final int GUEST_PTE_WRITES = 46;    // stores of the guest kernel into its page tables
    public static final int GUEST_FRAMES = 47;        // frames the guest allocator handed out for tables and data
    public static final int COUNT = 48;

    private static final String[] NAMES = {
        KvmStatNames.EXITS, KvmStatNames.PF_TAKEN, KvmStatNames.PF_FIXED, KvmStatNames.PF_EMULATE,
        KvmStatNames.PF_SPURIOUS, KvmStatNames.PF_GUEST, KvmStatNames.INVLPG, KvmStatNames.TLB_FLUSH,
        KvmStatNames.MMU_SHADOW_ZAPPED, KvmStatNames.MMU_PTE_WRITE, KvmStatNames.MMU_PDE_ZAPPED,
        KvmStatNames.MMU_FLOODED, KvmStatNames.MMU_RECYCLED, KvmStatNames.MMU_CACHE_MISS, KvmStatNames.MMU_UNSYNC,
        KvmStatNames.PAGES_4K, KvmStatNames.PAGES_2M, KvmStatNames.PAGES_1G, KvmStatNames.REMOTE_TLB_FLUSH,
        KvmStatNames.INSN_EMULATION, KvmStatNames.IO_EXITS,
        "exit_exception", "exit_invlpg", "exit_cr_access", "exit_io", "ept_violations", "ept_misconfigs", "npf",
        "accesses", "dtlb_hits", "dtlb_misses", "stlb_hits", "stlb_misses", "walks", "walk_refs",
        "native_walk_refs", "pwc_hits", "guest_page_faults", "mov_cr3", "host_pages_zeroed",
        "shadow_pages", "tdp_pages", "guest_pt_pages", "verify_pages", "verify_errors", "guest_invlpg",
        "guest_pte_writes", "guest_frames",
    };

    static {
        if (NAMES.length != COUNT) throw new AssertionError("Stat names out of step");
    }

    public static String name(int stat) {
        return NAMES[stat];
    }

    /** A snapshot of {@code values} (one long per counter) as engine {@link Counters}. */
    static Counters snapshot(long[] values) {
        Map<String, Long> m = new LinkedHashMap<>();
        for (int i = 0; i < COUNT; i++) m.put(NAMES[i], values[i]);
        return new Counters(m);
    }

    /** The vCPU-scoped counters only (KVM's vCPU stats and memvirt's per-vCPU translation counters). */
    static Counters vcpuSnapshot(long[] values) {
        Map<String, Long> m = new LinkedHashMap<>();
        for (int i = 0; i < COUNT; i++) {
            if (i >= MMU_SHADOW_ZAPPED && i <= REMOTE_TLB_FLUSH) continue;
            if (i >= SHADOW_PAGES && i <= GUEST_PT_PAGES || i == GUEST_FRAMES) continue;
            m.put(NAMES[i], values[i]);
        }
        return new Counters(m);
    }

    private Stat() {}
}
