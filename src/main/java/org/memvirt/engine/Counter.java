package org.memvirt.engine;

import static org.memvirt.engine.Counter.Engines.ALL;
import static org.memvirt.engine.Counter.Engines.BOTH;
import static org.memvirt.engine.Counter.Engines.KVM;
import static org.memvirt.engine.Counter.Engines.KVM_QEMU;
import static org.memvirt.engine.Counter.Engines.QEMU;
import static org.memvirt.engine.Counter.Engines.SIM;
import static org.memvirt.engine.Counter.Group.GUEST;
import static org.memvirt.engine.Counter.Group.GUEST_OS;
import static org.memvirt.engine.Counter.Group.HOST;
import static org.memvirt.engine.Counter.Group.KVM_STATS;
import static org.memvirt.engine.Counter.Group.SIM_MODEL;
import static org.memvirt.engine.Counter.Group.VMM;
import static org.memvirt.engine.Counter.Kind.COUNTER;
import static org.memvirt.engine.Counter.Kind.GAUGE;
import static org.memvirt.engine.Counter.Scope.VCPU;
import static org.memvirt.engine.Counter.Scope.VM;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Every counter memvirt reports, in one table: its name ({@link #key()}, KVM's name for KVM's statistics), scope,
 * kind, the engines that report it, a one-line meaning and its source. {@link Counters} holds only these names;
 * docs/counters.md's tables are generated from this one (CounterDocTest fails when they differ).
 */
public enum Counter {
    // ---- KVM's binary statistics (linux arch/x86/kvm/x86.c kvm_vm_stats_desc, kvm_vcpu_stats_desc) ----------------
    EXITS(KVM_STATS, VCPU, COUNTER, ALL, "VM exits the run loop handled", "x86.c vcpu_enter_guest"),
    PF_TAKEN(KVM_STATS, VCPU, COUNTER, ALL, "calls of KVM's page-fault handler (prefetch faults excluded)",
            "mmu_internal.h kvm_mmu_do_page_fault"),
    PF_FIXED(KVM_STATS, VCPU, COUNTER, ALL, "faults the handler fixed by installing an spte (RET_PF_FIXED)",
            "mmu_internal.h kvm_mmu_do_page_fault"),
    PF_EMULATE(KVM_STATS, VCPU, COUNTER, ALL,
            "faults resolved by emulating the instruction (MMIO, a write to a write-protected guest page table)",
            "mmu_internal.h kvm_mmu_do_page_fault"),
    PF_SPURIOUS(KVM_STATS, VCPU, COUNTER, ALL, "faults already fixed when handled (by another vCPU)",
            "mmu_internal.h kvm_mmu_do_page_fault"),
    PF_GUEST(KVM_STATS, VCPU, COUNTER, ALL,
            "#PFs KVM injected into the guest: under shadow paging, every guest page fault",
            "x86.c kvm_inject_page_fault"),
    INVLPG(KVM_STATS, VCPU, COUNTER, ALL, "guest INVLPGs (and single-address INVPCIDs) KVM handled",
            "mmu.c kvm_mmu_invlpg"),
    TLB_FLUSH(KVM_STATS, VCPU, COUNTER, ALL,
            "local TLB flush requests served; requests coalesce, so not every MOV CR3 counts",
            "x86.c kvm_vcpu_flush_tlb_all, kvm_vcpu_flush_tlb_guest"),
    MMU_SHADOW_ZAPPED(KVM_STATS, VM, COUNTER, ALL, "shadow pages zapped", "mmu.c __kvm_mmu_prepare_zap_page"),
    MMU_PTE_WRITE(KVM_STATS, VM, COUNTER, ALL,
            "emulated guest writes seen while indirect shadow pages exist", "mmu.c kvm_mmu_track_write"),
    MMU_PDE_ZAPPED(KVM_STATS, VM, COUNTER, ALL, "such writes that dropped a non-leaf spte",
            "mmu.c kvm_mmu_track_write"),
    MMU_FLOODED(KVM_STATS, VM, COUNTER, ALL,
            "shadow pages zapped for a misaligned write or after 3 writes in a row (write flooding)",
            "mmu.c kvm_mmu_track_write"),
    MMU_RECYCLED(KVM_STATS, VM, COUNTER, ALL, "shadow pages zapped to make room",
            "mmu.c kvm_mmu_zap_oldest_mmu_pages"),
    MMU_CACHE_MISS(KVM_STATS, VM, COUNTER, ALL, "shadow pages allocated: none existed for that gfn and role",
            "mmu.c kvm_mmu_find_shadow_page"),
    MMU_UNSYNC(KVM_STATS, VM, GAUGE, ALL, "shadow pages unsync now (+1 on unsync, -1 on resync)",
            "mmu.c kvm_unsync_page"),
    PAGES_4K(KVM_STATS, VM, GAUGE, ALL, "leaf sptes (or EPT/NPT entries) mapping 4 KiB now",
            "mmu.c kvm_update_page_stats"),
    PAGES_2M(KVM_STATS, VM, GAUGE, ALL, "leaf sptes (or EPT/NPT entries) mapping 2 MiB now",
            "mmu.c kvm_update_page_stats"),
    PAGES_1G(KVM_STATS, VM, GAUGE, ALL, "leaf sptes (or EPT/NPT entries) mapping 1 GiB now",
            "mmu.c kvm_update_page_stats"),
    REMOTE_TLB_FLUSH(KVM_STATS, VM, COUNTER, ALL, "flushes of every vCPU's TLB", "kvm_main.c kvm_flush_remote_tlbs"),
    INSN_EMULATION(KVM_STATS, VCPU, COUNTER, ALL,
            "instructions run by KVM's emulator (on PVM hosts also every CPL0 guest instruction)",
            "x86.c x86_emulate_instruction"),
    IO_EXITS(KVM_STATS, VCPU, COUNTER, ALL, "exits for port I/O (stays 0 on PVM hosts: see user_exits)",
            "x86.c"),
    REMOTE_TLB_FLUSH_REQUESTS(KVM_STATS, VM, COUNTER, KVM_QEMU, "requests to flush every vCPU's TLB, before coalescing",
            "kvm_main.c kvm_flush_remote_tlbs"),
    NX_LPAGE_SPLITS(KVM_STATS, VM, GAUGE, KVM_QEMU, "huge pages split to 4 KiB for the iTLB multihit workaround, now",
            "mmu.c track_possible_nx_huge_page"),
    MAX_MMU_RMAP_SIZE(KVM_STATS, VM, GAUGE, KVM_QEMU, "longest rmap chain seen (a peak)", "mmu.c __rmap_add"),
    MAX_MMU_PAGE_HASH_COLLISIONS(KVM_STATS, VM, GAUGE, KVM_QEMU, "most shadow pages met in one hash bucket (a peak)",
            "mmu.c kvm_mmu_find_shadow_page"),
    MMU_KICKS_SPARED(KVM_STATS, VM, COUNTER, KVM_QEMU,
            "vCPU kicks kvm_pvm spared on remote TLB flushes (vendor statistic, not in upstream Linux)",
            "kvm_pvm module"),
    HALT_SUCCESSFUL_POLL(KVM_STATS, VCPU, COUNTER, KVM_QEMU, "halt polls that ended with a wake-up",
            "kvm_main.c kvm_vcpu_halt"),
    HALT_ATTEMPTED_POLL(KVM_STATS, VCPU, COUNTER, KVM_QEMU, "halt polls attempted", "kvm_main.c kvm_vcpu_halt"),
    HALT_POLL_INVALID(KVM_STATS, VCPU, COUNTER, KVM_QEMU, "halt polls ended by a wake-up that was not a valid one",
            "kvm_main.c kvm_vcpu_halt"),
    HALT_WAKEUP(KVM_STATS, VCPU, COUNTER, KVM_QEMU, "halted vCPUs woken up", "kvm_main.c kvm_vcpu_wake_up"),
    HALT_POLL_SUCCESS_NS(KVM_STATS, VCPU, COUNTER, KVM_QEMU, "nanoseconds spent in successful halt polls",
            "kvm_main.c update_halt_poll_stats"),
    HALT_POLL_FAIL_NS(KVM_STATS, VCPU, COUNTER, KVM_QEMU, "nanoseconds spent in failed halt polls",
            "kvm_main.c update_halt_poll_stats"),
    HALT_WAIT_NS(KVM_STATS, VCPU, COUNTER, KVM_QEMU, "nanoseconds halted vCPUs waited after polling",
            "kvm_main.c kvm_vcpu_halt"),
    HALT_POLL_SUCCESS_HIST(KVM_STATS, VCPU, COUNTER, KVM_QEMU, "successful halt polls (the histogram's buckets summed)",
            "kvm_main.c update_halt_poll_stats"),
    HALT_POLL_FAIL_HIST(KVM_STATS, VCPU, COUNTER, KVM_QEMU, "failed halt polls (the histogram's buckets summed)",
            "kvm_main.c update_halt_poll_stats"),
    HALT_WAIT_HIST(KVM_STATS, VCPU, COUNTER, KVM_QEMU, "halt waits (the histogram's buckets summed)",
            "kvm_main.c kvm_vcpu_halt"),
    BLOCKING(KVM_STATS, VCPU, GAUGE, KVM_QEMU, "1 while the vCPU is blocked", "kvm_main.c kvm_vcpu_block"),
    PF_FAST(KVM_STATS, VCPU, COUNTER, KVM_QEMU, "faults fixed on the fast path, without taking mmu_lock",
            "mmu.c"),
    PF_MMIO_SPTE_CREATED(KVM_STATS, VCPU, COUNTER, KVM_QEMU, "MMIO sptes created (faults on gfns no memslot maps)",
            "mmu.c mmu_set_spte, tdp_mmu.c"),
    MMIO_EXITS(KVM_STATS, VCPU, COUNTER, KVM_QEMU, "exits to user space for MMIO", "x86.c"),
    SIGNAL_EXITS(KVM_STATS, VCPU, COUNTER, KVM_QEMU, "exits to user space because a signal was pending", "x86.c vcpu_run"),
    IRQ_WINDOW_EXITS(KVM_STATS, VCPU, COUNTER, KVM_QEMU, "exits for an interrupt window", "vmx.c handle_interrupt_window"),
    NMI_WINDOW_EXITS(KVM_STATS, VCPU, COUNTER, KVM_QEMU, "exits for an NMI window", "vmx.c handle_nmi_window"),
    L1D_FLUSH(KVM_STATS, VCPU, COUNTER, KVM_QEMU, "L1 data cache flushes on VM entry (L1TF mitigation)",
            "vmx.c vmx_l1d_flush"),
    HALT_EXITS(KVM_STATS, VCPU, COUNTER, KVM_QEMU, "exits for HLT", "x86.c __kvm_emulate_halt"),
    REQUEST_IRQ_EXITS(KVM_STATS, VCPU, COUNTER, KVM_QEMU, "exits to user space that asked for an interrupt window",
            "x86.c vcpu_run"),
    IRQ_EXITS(KVM_STATS, VCPU, COUNTER, KVM_QEMU, "exits for an external interrupt", "vmx.c handle_external_interrupt"),
    HOST_STATE_RELOAD(KVM_STATS, VCPU, COUNTER, KVM_QEMU, "host state reloads after the vCPU was scheduled out",
            "vmx.c vmx_prepare_switch_to_host"),
    FPU_RELOAD(KVM_STATS, VCPU, COUNTER, KVM_QEMU, "guest FPU state reloads", "x86.c"),
    INSN_EMULATION_FAIL(KVM_STATS, VCPU, COUNTER, KVM_QEMU, "instructions KVM's emulator could not run",
            "x86.c handle_emulation_failure"),
    HYPERCALLS(KVM_STATS, VCPU, COUNTER, KVM_QEMU, "hypercalls the guest made", "x86.c kvm_emulate_hypercall"),
    IRQ_INJECTIONS(KVM_STATS, VCPU, COUNTER, KVM_QEMU, "interrupts injected into the guest", "vmx.c vmx_inject_irq"),
    NMI_INJECTIONS(KVM_STATS, VCPU, COUNTER, KVM_QEMU, "NMIs injected into the guest", "vmx.c vmx_inject_nmi"),
    REQ_EVENT(KVM_STATS, VCPU, COUNTER, KVM_QEMU, "event requests (KVM_REQ_EVENT) processed before entry",
            "x86.c vcpu_enter_guest"),
    NESTED_RUN(KVM_STATS, VCPU, COUNTER, KVM_QEMU, "entries into a nested (L2) guest", "vmx/nested.c nested_vmx_run"),
    DIRECTED_YIELD_ATTEMPTED(KVM_STATS, VCPU, COUNTER, KVM_QEMU, "directed yields to another vCPU attempted",
            "x86.c kvm_sched_yield"),
    DIRECTED_YIELD_SUCCESSFUL(KVM_STATS, VCPU, COUNTER, KVM_QEMU, "directed yields that succeeded",
            "x86.c kvm_sched_yield"),
    PREEMPTION_REPORTED(KVM_STATS, VCPU, COUNTER, KVM_QEMU, "preemptions reported to the guest through steal time",
            "x86.c kvm_steal_time_set_preempted"),
    PREEMPTION_OTHER(KVM_STATS, VCPU, COUNTER, KVM_QEMU, "preemptions that could not be reported",
            "x86.c kvm_steal_time_set_preempted"),
    GUEST_MODE(KVM_STATS, VCPU, GAUGE, KVM_QEMU, "1 while the vCPU runs a nested (L2) guest", "kvm_cache_regs.h enter_guest_mode"),
    NOTIFY_WINDOW_EXITS(KVM_STATS, VCPU, COUNTER, KVM_QEMU, "notify VM exits (no event window for too long)",
            "vmx.c handle_notify"),
    PF_PARKED(KVM_STATS, VCPU, COUNTER, KVM_QEMU,
            "faults kvm_pvm parked instead of retrying (vendor statistic, not in upstream Linux)", "kvm_pvm module"),
    PF_PARK_TIMEOUTS(KVM_STATS, VCPU, COUNTER, KVM_QEMU,
            "parked faults that timed out (vendor statistic, not in upstream Linux)", "kvm_pvm module"),

    // ---- the guest's own work, counted by both engines ------------------------------------------------------------
    GUEST_FRAMES(GUEST, VM, COUNTER, BOTH,
            "guest-physical frames the guest runtime handed out (data pages and page tables); an op's delta: its new frames",
            "sim: the guest model's frame allocator; kvm: the guest runtime's shared page"),
    VERIFY_PAGES(GUEST, VM, COUNTER, ALL, "pages a verify op checked",
            "sim: the guest model; kvm: the VMM, walking the guest's page tables (docs/guest-model.md)"),
    VERIFY_MISMATCHES(GUEST, VM, COUNTER, ALL,
            "of those, pages not holding the last value written (the one name for a failed page check, in runs and in"
                    + " scenarios)", "sim: the guest model; kvm: the VMM, walking the guest's page tables"),

    // ---- the guest kernel's own counters (a real Linux guest: the qemu engine's agent reads them) -----------------
    PGFAULT(GUEST_OS, VM, COUNTER, QEMU, "page faults the guest kernel handled (minor and major)",
            "/proc/vmstat; linux mm/memory.c handle_mm_fault"),
    PGMAJFAULT(GUEST_OS, VM, COUNTER, QEMU, "of which major: the page had to be read in",
            "/proc/vmstat; linux mm/memory.c do_swap_page, mm/filemap.c filemap_fault"),
    PGFREE(GUEST_OS, VM, COUNTER, QEMU, "pages freed to the guest's page allocator",
            "/proc/vmstat; linux mm/page_alloc.c free_unref_page"),
    THP_FAULT_ALLOC(GUEST_OS, VM, COUNTER, QEMU, "guest page faults served with a new 2 MiB page",
            "/proc/vmstat; linux mm/huge_memory.c do_huge_pmd_anonymous_page"),
    THP_FAULT_FALLBACK(GUEST_OS, VM, COUNTER, QEMU, "guest faults that wanted a 2 MiB page and got 4 KiB ones",
            "/proc/vmstat; linux mm/huge_memory.c"),
    THP_SPLIT_PMD(GUEST_OS, VM, COUNTER, QEMU, "2 MiB mappings the guest split into 4 KiB ones (mprotect, munmap of part)",
            "/proc/vmstat; linux mm/huge_memory.c __split_huge_pmd"),
    THP_COLLAPSE_ALLOC(GUEST_OS, VM, COUNTER, QEMU, "2 MiB pages khugepaged collapsed 4 KiB pages into",
            "/proc/vmstat; linux mm/khugepaged.c"),
    PSWPIN(GUEST_OS, VM, COUNTER, QEMU, "pages the guest swapped in", "/proc/vmstat; linux mm/page_io.c"),
    PSWPOUT(GUEST_OS, VM, COUNTER, QEMU, "pages the guest swapped out", "/proc/vmstat; linux mm/page_io.c"),
    CTXT(GUEST_OS, VM, COUNTER, QEMU, "context switches in the guest", "/proc/stat ctxt; linux kernel/sched/core.c"),
    GUEST_ANON_KB(GUEST_OS, VM, GAUGE, QEMU, "the guest's anonymous memory (its processes' pages), KiB",
            "AnonPages in the guest's /proc/meminfo"),
    GUEST_MEM_TOTAL_KB(GUEST_OS, VM, GAUGE, QEMU,
            "the guest's free: total, KiB (MemTotal: RAM less what the kernel reserved at boot and the balloon holds)",
            "the guest's /proc/meminfo, as procps-ng 4's free computes it"),
    GUEST_MEM_USED_KB(GUEST_OS, VM, GAUGE, QEMU, "the guest's used = total - available, KiB",
            "procps-ng 4 library/meminfo.c"),
    GUEST_MEM_FREE_KB(GUEST_OS, VM, GAUGE, QEMU, "the guest's MemFree, KiB", "the guest's /proc/meminfo"),
    GUEST_MEM_BUFF_CACHE_KB(GUEST_OS, VM, GAUGE, QEMU, "the guest's Buffers + Cached + SReclaimable, KiB",
            "procps-ng 4 src/free.c"),
    GUEST_MEM_AVAILABLE_KB(GUEST_OS, VM, GAUGE, QEMU, "the guest's MemAvailable, KiB", "the guest's /proc/meminfo"),

    // ---- the sim engine's model (docs/sim-engine.md) ----------------------------------------------------------------
    EXIT_EXCEPTION(SIM_MODEL, VCPU, COUNTER, SIM, "exits for an exception: under shadow paging, every #PF that reaches KVM",
            "VMX exit reason 0 (uapi/asm/vmx.h EXIT_REASON_EXCEPTION_NMI)"),
    EXIT_INVLPG(SIM_MODEL, VCPU, COUNTER, SIM, "INVLPG exits (shadow paging only)",
            "VMX exit reason 14 (EXIT_REASON_INVLPG)"),
    EXIT_CR_ACCESS(SIM_MODEL, VCPU, COUNTER, SIM, "MOV to CR3 exits (shadow paging only)",
            "VMX exit reason 28 (EXIT_REASON_CR_ACCESS)"),
    EXIT_IO(SIM_MODEL, VCPU, COUNTER, SIM, "port I/O exits: balloon requests", "VMX exit reason 30 (EXIT_REASON_IO_INSTRUCTION)"),
    EPT_VIOLATIONS(SIM_MODEL, VCPU, COUNTER, SIM, "EPT violation exits", "VMX exit reason 48 (EXIT_REASON_EPT_VIOLATION)"),
    EPT_MISCONFIGS(SIM_MODEL, VCPU, COUNTER, SIM, "EPT misconfiguration exits",
            "VMX exit reason 49 (EXIT_REASON_EPT_MISCONFIG)"),
    NPF(SIM_MODEL, VCPU, COUNTER, SIM, "nested page faults under --mmu npt", "SVM exit code 0x400 (uapi/asm/svm.h SVM_EXIT_NPF)"),
    ACCESSES(SIM_MODEL, VCPU, COUNTER, SIM,
            "guest data accesses (a fill page counts its 512 quadwords); each is a DTLB hit or miss", "sim: the vCPU model"),
    DTLB_HITS(SIM_MODEL, VCPU, COUNTER, SIM, "hits in the first-level data TLB", "sim: the TLB model (--tlb)"),
    DTLB_MISSES(SIM_MODEL, VCPU, COUNTER, SIM, "misses in the first-level data TLB", "sim: the TLB model (--tlb)"),
    STLB_HITS(SIM_MODEL, VCPU, COUNTER, SIM, "hits in the second-level TLB after a DTLB miss", "sim: the TLB model (--tlb)"),
    STLB_MISSES(SIM_MODEL, VCPU, COUNTER, SIM, "second-level TLB misses; each starts a page walk",
            "sim: the TLB model (--tlb)"),
    WALKS(SIM_MODEL, VCPU, COUNTER, SIM, "hardware page walks, including the retry after a fault",
            "SDM Vol 3A §4.5 (4-level paging), Vol 3C §29.3 (EPT)"),
    WALK_REFS(SIM_MODEL, VCPU, COUNTER, SIM,
            "paging-structure entries those walks read: 4 per cold walk under shadow paging, up to (4+1)(4+1)-1 = 24"
                    + " under EPT/NPT", "SDM Vol 3C §29.3 (EPT translation of guest paging-structure addresses)"),
    NATIVE_WALK_REFS(SIM_MODEL, VCPU, COUNTER, SIM, "what the same walks would read on bare metal (the guest dimension only)",
            "SDM Vol 3A §4.5"),
    PWC_HITS(SIM_MODEL, VCPU, COUNTER, SIM, "walks that started from the page-walk (PDE) cache",
            "SDM Vol 3A §4.10.3 (paging-structure caches)"),
    GUEST_PAGE_FAULTS(SIM_MODEL, VCPU, COUNTER, SIM,
            "#PFs the guest's own handler took (under shadow paging each also counts pf_guest)", "sim: the guest model"),
    MOV_CR3(SIM_MODEL, VCPU, COUNTER, SIM, "MOV to CR3 the guest executed (an exit only under shadow paging)",
            "sim: the guest model"),
    HOST_PAGES_ZEROED(SIM_MODEL, VCPU, COUNTER, SIM, "host frames allocated and zeroed for the VM",
            "linux mm/memory.c do_anonymous_page"),
    SHADOW_PAGES(SIM_MODEL, VM, GAUGE, SIM, "pages held now by KVM's shadow page tables",
            "mmu.c n_used_mmu_pages"),
    TDP_PAGES(SIM_MODEL, VM, GAUGE, SIM, "pages held now by the EPT/NPT table", "tdp_mmu.c"),
    GUEST_PT_PAGES(SIM_MODEL, VM, GAUGE, SIM, "pages held now by the guest's page tables", "sim: the guest model"),
    GUEST_INVLPG(SIM_MODEL, VCPU, COUNTER, SIM, "INVLPG the guest executed (an exit only under shadow paging)",
            "sim: the guest model"),
    GUEST_PTE_WRITES(SIM_MODEL, VCPU, COUNTER, SIM, "stores of the guest kernel into its own page tables",
            "sim: the guest model"),

    // ---- the kvm engine's VMM: exits it saw, guest RAM as /proc shows it, balloon, swap, KSM -----------------------
    USER_EXITS(VMM, VCPU, COUNTER, KVM,
            "exits that reached the VMM in user space (KVM_RUN returned): the runtime reports each op by port I/O",
            "the VMM's KVM_RUN loop"),
    GUEST_TABLE_FRAMES(VMM, VM, GAUGE, KVM, "of guest_frames, frames holding the guest's page tables now",
            "the runtime's shared page"),
    GUEST_RAM_RSS_KB(VMM, VM, GAUGE, KVM_QEMU, "guest RAM backed by host memory, KiB (Rss plus hugetlb pages)",
            "/proc/PID/smaps, the guest RAM mapping's entry"),
    GUEST_RAM_PSS_KB(VMM, VM, GAUGE, QEMU, "guest RAM's proportional share, KiB: below Rss where KSM shares its pages",
            "Pss in the same smaps entry"),
    GUEST_RAM_ANON_HUGE_KB(VMM, VM, GAUGE, KVM_QEMU, "of which transparent huge pages, KiB",
            "AnonHugePages in the same smaps entry"),
    GUEST_RAM_SWAP_KB(VMM, VM, GAUGE, KVM_QEMU, "guest RAM the host has swapped out, KiB", "Swap in the same smaps entry"),
    GUEST_RAM_KSM_KB(VMM, VM, GAUGE, KVM_QEMU, "guest RAM mapped to KSM pages, KiB (mergeable guest RAM only)",
            "KSM in the same smaps entry"),
    GUEST_RAM_NORESERVE(VMM, VM, GAUGE, KVM_QEMU,
            "1 when guest RAM had to be mapped MAP_NORESERVE (the kernel's overcommit heuristic refused it)",
            "the VMM's mmap"),
    VMM_RSS_KB(VMM, VM, GAUGE, KVM_QEMU, "the VMM process's resident memory apart from guest RAM, KiB",
            "VmRSS in /proc/PID/status minus guest_ram_rss_kb"),
    KSM_RMAP_ITEMS(VMM, VM, GAUGE, KVM_QEMU, "KSM rmap items of the VMM process", "/proc/PID/ksm_stat"),
    KSM_ZERO_PAGES(VMM, VM, GAUGE, KVM_QEMU, "its pages KSM merged with the zero page (use_zero_pages)", "/proc/PID/ksm_stat"),
    KSM_MERGING_PAGES(VMM, VM, GAUGE, KVM_QEMU, "its pages KSM merged (VmRSS does not show them)", "/proc/PID/ksm_stat"),
    KSM_PROCESS_PROFIT(VMM, VM, GAUGE, KVM_QEMU, "bytes KSM saves it (merged pages less rmap items)", "/proc/PID/ksm_stat"),
    KSM_SETTLE_MS(VMM, VM, COUNTER, KVM, "milliseconds waited for ksmd to finish its scans (--ksm)", "the VMM"),
    BALLOON_NUM_PAGES(VMM, VM, GAUGE, KVM_QEMU, "the balloon size the VMM asked for, pages",
            "virtio 1.2 §5.5.6 num_pages"),
    BALLOON_ACTUAL_PAGES(VMM, VM, GAUGE, KVM_QEMU, "the balloon size the guest reports, pages", "virtio 1.2 §5.5.6 actual"),
    BALLOON_INFLATED_PAGES(VMM, VM, COUNTER, KVM, "pages the guest put in the balloon (inflateq)", "virtio 1.2 §5.5.6.1"),
    BALLOON_DEFLATED_PAGES(VMM, VM, COUNTER, KVM, "pages the guest took back (deflateq)", "virtio 1.2 §5.5.6.1"),
    BALLOON_RECLAIMED_PAGES(VMM, VM, COUNTER, KVM, "inflated pages whose host memory the VMM gave back",
            "the VMM's madvise (as QEMU's balloon_inflate_page)"),
    BALLOON_BATCHES(VMM, VM, COUNTER, KVM, "inflate and deflate buffers the device handled (at most 256 pages each)",
            "virtio 1.2 §5.5.6.1"),
    BALLOON_DISCARD_ERRORS(VMM, VM, COUNTER, KVM, "madvise calls that failed to give inflated pages back",
            "the VMM's madvise"),
    BALLOON_MMIO_EXITS(VMM, VM, COUNTER, KVM, "MMIO exits to the balloon's virtio-mmio registers",
            "virtio 1.2 §4.2.2"),
    BALLOON_STAT_SWAP_IN(VMM, VM, GAUGE, KVM_QEMU, "the guest's last reported VIRTIO_BALLOON_S_SWAP_IN",
            "virtio 1.2 §5.5.6.3"),
    BALLOON_STAT_SWAP_OUT(VMM, VM, GAUGE, KVM_QEMU, "the guest's last reported VIRTIO_BALLOON_S_SWAP_OUT",
            "virtio 1.2 §5.5.6.3"),
    BALLOON_STAT_MAJOR_FAULTS(VMM, VM, GAUGE, KVM_QEMU, "the guest's last reported VIRTIO_BALLOON_S_MAJFLT",
            "virtio 1.2 §5.5.6.3"),
    BALLOON_STAT_MINOR_FAULTS(VMM, VM, GAUGE, KVM_QEMU, "the guest's last reported VIRTIO_BALLOON_S_MINFLT",
            "virtio 1.2 §5.5.6.3"),
    BALLOON_STAT_FREE_MEMORY(VMM, VM, GAUGE, KVM_QEMU, "the guest's last reported VIRTIO_BALLOON_S_MEMFREE (bytes)",
            "virtio 1.2 §5.5.6.3"),
    BALLOON_STAT_TOTAL_MEMORY(VMM, VM, GAUGE, KVM_QEMU, "the guest's last reported VIRTIO_BALLOON_S_MEMTOT (bytes)",
            "virtio 1.2 §5.5.6.3"),
    BALLOON_STAT_AVAILABLE_MEMORY(VMM, VM, GAUGE, KVM_QEMU, "the guest's last reported VIRTIO_BALLOON_S_AVAIL (bytes)",
            "virtio 1.2 §5.5.6.3"),
    BALLOON_STAT_DISK_CACHES(VMM, VM, GAUGE, KVM_QEMU, "the guest's last reported VIRTIO_BALLOON_S_CACHES (bytes)",
            "virtio 1.2 §5.5.6.3"),
    RESIDENT_LIMIT_PAGES(VMM, VM, GAUGE, KVM, "the most guest RAM the VMM keeps resident (--resident-limit), pages",
            "the VMM's userfaultfd swap"),
    SWAP_OUT_PAGES(VMM, VM, COUNTER, KVM, "guest pages the VMM evicted to its swap file", "the VMM's userfaultfd swap"),
    SWAP_IN_PAGES(VMM, VM, COUNTER, KVM, "guest pages read back from it", "the VMM's userfaultfd swap"),
    SWAP_FILE_PAGES(VMM, VM, GAUGE, KVM, "guest pages in the VMM's swap file now", "the VMM's userfaultfd swap"),
    UFFD_FAULTS(VMM, VM, COUNTER, KVM, "missing-page faults the VMM resolved with UFFDIO_COPY",
            "linux Documentation/admin-guide/mm/userfaultfd.rst"),
    UFFD_ZERO_FILLS(VMM, VM, COUNTER, KVM, "of which first touches, filled with zeros",
            "linux Documentation/admin-guide/mm/userfaultfd.rst"),
    UFFD_RESIDENT_PAGES(VMM, VM, GAUGE, KVM, "guest pages resident under the limit now", "the VMM's userfaultfd swap"),

    // ---- the host while the run's VMs exist -----------------------------------------------------------------------
    HOST_MEM_TOTAL_KB(HOST, Scope.HOST, GAUGE, KVM_QEMU, "the host's free at the end of the run, while the VM exists: total, KiB",
            "/proc/meminfo, as procps-ng 4's free computes it"),
    HOST_MEM_USED_KB(HOST, Scope.HOST, GAUGE, KVM_QEMU, "used = total - available, KiB",
            "procps-ng 4 library/meminfo.c"),
    HOST_MEM_FREE_KB(HOST, Scope.HOST, GAUGE, KVM_QEMU, "MemFree, KiB", "/proc/meminfo"),
    HOST_MEM_BUFF_CACHE_KB(HOST, Scope.HOST, GAUGE, KVM_QEMU, "Buffers + Cached + SReclaimable, KiB",
            "procps-ng 4 src/free.c"),
    HOST_MEM_AVAILABLE_KB(HOST, Scope.HOST, GAUGE, KVM_QEMU, "MemAvailable (MemFree where the kernel gives 0), KiB",
            "procps-ng 4 library/meminfo.c"),
    KSM_GLOBAL_PAGES_SCANNED(HOST, Scope.HOST, COUNTER, KVM, "change of ksmd's pages_scanned over the run (--ksm)",
            "/sys/kernel/mm/ksm (linux Documentation/admin-guide/mm/ksm.rst)"),
    KSM_GLOBAL_PAGES_SHARED(HOST, Scope.HOST, COUNTER, KVM, "change of pages_shared (KSM pages in use)",
            "/sys/kernel/mm/ksm"),
    KSM_GLOBAL_PAGES_SHARING(HOST, Scope.HOST, COUNTER, KVM, "change of pages_sharing (pages those save)",
            "/sys/kernel/mm/ksm"),
    KSM_GLOBAL_PAGES_UNSHARED(HOST, Scope.HOST, COUNTER, KVM, "change of pages_unshared", "/sys/kernel/mm/ksm"),
    KSM_GLOBAL_PAGES_VOLATILE(HOST, Scope.HOST, COUNTER, KVM, "change of pages_volatile", "/sys/kernel/mm/ksm"),
    KSM_GLOBAL_FULL_SCANS(HOST, Scope.HOST, COUNTER, KVM, "full scans ksmd finished during the run", "/sys/kernel/mm/ksm"),
    KSM_GLOBAL_GENERAL_PROFIT(HOST, Scope.HOST, COUNTER, KVM, "change of general_profit (bytes)", "/sys/kernel/mm/ksm"),
    KSM_GLOBAL_KSM_ZERO_PAGES(HOST, Scope.HOST, COUNTER, KVM, "change of ksm_zero_pages", "/sys/kernel/mm/ksm"),
    KSM_GLOBAL_STABLE_NODE_CHAINS(HOST, Scope.HOST, COUNTER, KVM, "change of stable_node_chains", "/sys/kernel/mm/ksm"),
    KSM_GLOBAL_STABLE_NODE_DUPS(HOST, Scope.HOST, COUNTER, KVM, "change of stable_node_dups", "/sys/kernel/mm/ksm");

    /** What a counter counts for: one vCPU, one VM, or the whole host. */
    public enum Scope { VCPU, VM, HOST }

    /**
     * How a run's total is formed: a COUNTER is the change over the run (an op's delta: its change); a GAUGE is the
     * value at the end (an op's delta: its change, which can be negative); KVM's instant and peak statistics are gauges.
     */
    public enum Kind { COUNTER, GAUGE }

    /**
     * The engines that report a counter. The qemu engine reports KVM's statistics only under {@code -accel kvm}
     * (QMP {@code query-stats} has no provider under TCG).
     */
    public enum Engines {
        SIM("sim", true, false, false), KVM("kvm", false, true, false), QEMU("qemu", false, false, true),
        BOTH("sim, kvm", true, true, false), KVM_QEMU("kvm, qemu", false, true, true), ALL("sim, kvm, qemu", true, true, true);

        private final String text;
        private final boolean sim, kvm, qemu;

        Engines(String text, boolean sim, boolean kvm, boolean qemu) {
            this.text = text;
            this.sim = sim;
            this.kvm = kvm;
            this.qemu = qemu;
        }

        public boolean sim() {
            return sim;
        }

        public boolean kvm() {
            return kvm;
        }

        public boolean qemu() {
            return qemu;
        }

        /** "sim", "kvm", "qemu", or several of them separated by ", ". */
        public String text() {
            return text;
        }
    }

    /** The part of docs/counters.md a counter is listed in, with that part's heading. */
    public enum Group {
        KVM_STATS("KVM's statistics (`KVM_GET_STATS_FD`)"),
        GUEST("The guest's own work"),
        GUEST_OS("The guest kernel's own counters"),
        SIM_MODEL("The sim engine's model"),
        VMM("The VMM: the kvm engine's, or QEMU"),
        HOST("The host");

        private final String heading;

        Group(String heading) {
            this.heading = heading;
        }

        public String heading() {
            return heading;
        }
    }

    private static final Map<String, Counter> BY_KEY = new LinkedHashMap<>();

    static {
        for (Counter c : values()) BY_KEY.put(c.key, c);
    }

    private final Group group;
    private final Scope scope;
    private final Kind kind;
    private final Engines engines;
    private final String meaning;
    private final String source;
    private final String key;

    Counter(Group group, Scope scope, Kind kind, Engines engines, String meaning, String source) {
        this.group = group;
        this.scope = scope;
        this.kind = kind;
        this.engines = engines;
        this.meaning = meaning;
        this.source = source;
        this.key = name().toLowerCase(Locale.ROOT);
    }

    /** The name in reports and JSON: snake_case, KVM's own name for a KVM statistic ({@code pf_fixed}). */
    public String key() {
        return key;
    }

    public Group group() {
        return group;
    }

    public Scope scope() {
        return scope;
    }

    public Kind kind() {
        return kind;
    }

    public Engines engines() {
        return engines;
    }

    /** What it counts, in one line. */
    public String meaning() {
        return meaning;
    }

    /** Where it comes from: the KVM or Linux file and function, the spec section, or the memvirt class. */
    public String source() {
        return source;
    }

    /** The counter named {@code key}, or empty. */
    public static Optional<Counter> find(String key) {
        return Optional.ofNullable(BY_KEY.get(key));
    }

    /** The counter named {@code key}; an IllegalArgumentException naming it when the table has no such counter. */
    public static Counter of(String key) {
        Counter c = BY_KEY.get(key);
        if (c == null) throw new IllegalArgumentException("no counter named '" + key + "' (engine.Counter lists them all)");
        return c;
    }
}
