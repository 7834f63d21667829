package org.memvirt.sim;

import java.util.LinkedHashMap;
import java.util.Map;

import org.memvirt.engine.Counter;
import org.memvirt.engine.Counters;

/**
 * The sim engine's counters as indices into a {@code long[]}, each an entry of the engine.Counter table: KVM's binary
 * statistics by KVM's names first (linux arch/x86/kvm/x86.c kvm_vm_stats_desc / kvm_vcpu_stats_desc), then memvirt's
 * own (docs/sim-engine.md). Each counter is incremented in exactly one place.
 */
public final class Stat {
    // KVM's names, those both engines report
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
    public static final int VERIFY_MISMATCHES = 44;
    public static final int GUEST_INVLPG = 45;        // INVLPG executed by the guest (exits only under shadow paging)
    public static final int GUEST_PTE_WRITES = 46;    // stores of the guest kernel into its page tables
    public static final int GUEST_FRAMES = 47;        // frames the guest allocator handed out for tables and data
    public static final int COUNT = 48;

    /** The table entry of each index, in report order. */
    private static final Counter[] COUNTERS = {
        Counter.EXITS, Counter.PF_TAKEN, Counter.PF_FIXED, Counter.PF_EMULATE, Counter.PF_SPURIOUS, Counter.PF_GUEST,
        Counter.INVLPG, Counter.TLB_FLUSH, Counter.MMU_SHADOW_ZAPPED, Counter.MMU_PTE_WRITE, Counter.MMU_PDE_ZAPPED,
        Counter.MMU_FLOODED, Counter.MMU_RECYCLED, Counter.MMU_CACHE_MISS, Counter.MMU_UNSYNC, Counter.PAGES_4K,
        Counter.PAGES_2M, Counter.PAGES_1G, Counter.REMOTE_TLB_FLUSH, Counter.INSN_EMULATION, Counter.IO_EXITS,
        Counter.EXIT_EXCEPTION, Counter.EXIT_INVLPG, Counter.EXIT_CR_ACCESS, Counter.EXIT_IO, Counter.EPT_VIOLATIONS,
        Counter.EPT_MISCONFIGS, Counter.NPF, Counter.ACCESSES, Counter.DTLB_HITS, Counter.DTLB_MISSES,
        Counter.STLB_HITS, Counter.STLB_MISSES, Counter.WALKS, Counter.WALK_REFS, Counter.NATIVE_WALK_REFS,
        Counter.PWC_HITS, Counter.GUEST_PAGE_FAULTS, Counter.MOV_CR3, Counter.HOST_PAGES_ZEROED,
        Counter.SHADOW_PAGES, Counter.TDP_PAGES, Counter.GUEST_PT_PAGES, Counter.VERIFY_PAGES,
        Counter.VERIFY_MISMATCHES, Counter.GUEST_INVLPG, Counter.GUEST_PTE_WRITES, Counter.GUEST_FRAMES,
    };

    static {
        if (COUNTERS.length != COUNT) throw new AssertionError("Stat counters out of step");
    }

    /** The counter kept at index {@code stat}. */
    public static Counter counter(int stat) {
        return COUNTERS[stat];
    }

    /** A snapshot of {@code values} (one long per counter) as engine {@link Counters}. */
    static Counters snapshot(long[] values) {
        Map<String, Long> m = new LinkedHashMap<>();
        for (int i = 0; i < COUNT; i++) m.put(COUNTERS[i].key(), values[i]);
        return new Counters(m);
    }

    /** The vCPU-scoped counters only (the table's scope VCPU: KVM's vCPU stats and the per-vCPU translation ones). */
    static Counters vcpuSnapshot(long[] values) {
        Map<String, Long> m = new LinkedHashMap<>();
        for (int i = 0; i < COUNT; i++) {
            if (COUNTERS[i].scope() == Counter.Scope.VCPU) m.put(COUNTERS[i].key(), values[i]);
        }
        return new Counters(m);
    }

    private Stat() {}
}
