package org.memvirt.engine;

import java.time.Duration;
import java.util.List;

import org.memvirt.config.MachineConfig;
import org.memvirt.config.QemuArgs;
import org.memvirt.host.MmuMode;
import org.memvirt.sim.SimEngine;
import org.memvirt.workload.WorkloadParser;

/**
 * The one place the sim-against-kvm tolerances live: the workloads both engines run, and for each op the allowed
 * {@code kvm - sim} range of {@code pf_fixed} and of the resident pages, each derived from the guest runtime's layout
 * (docs/guest-model.md, guest/layout.h) rather than measured. {@code EngineDifferentialTest} checks the kvm engine
 * against them on a KVM host; {@code DifferentialDocsTest} checks that docs/sim-engine.md's tables show these bounds.
 *
 * <p>Where the kvm side has more than one vCPU, its vCPUs run at once and may fault on the same pages; the sim runs
 * them one after another. That race is not a tolerance: it is counted in the same run as the change that the extra
 * vCPUs make on kvm beyond the change they make on the sim ({@link #race}), against the same workload with one vCPU.
 */
final class DifferentialBounds {
    /** The kvm runtime's own pages a first op may fault in after boot (shared state, mailbox, CPL3 stack). */
    static final long RUNTIME_OWN_FAULTS = 3;
    /** INVLPG list entries per 4 KiB page of the runtime's per-vCPU buffer (8-byte GVAs; guest/layout.h BUF_SIZE). */
    static final long LIST_ENTRIES_PER_PAGE = 512;
    /** Pages of that buffer (0xE000 bytes). */
    static final long LIST_PAGES = 14;
    /** sptes KVM maps per fault over host pages that exist (linux arch/x86/kvm/mmu/mmu.c PTE_PREFETCH_NUM). */
    static final long PREFETCH = 8;
    /**
     * Guest RAM pages the kvm runtime keeps resident after booting one vCPU, beyond the sim's two (PML4, PDPT), as read
     * from /proc/self/pagemap over the runtime area on a kvm_pvm host (2026-12-08): process 0's PML4, the identity
     * map's PDPT, the mailboxes, the shared state (guest/layout.h PML4_PROC0, IDMAP_PDPT, MBOX_BASE, SHARED_BASE); the
     * runtime image from IMAGE_BASE to the end of its .bss ({@link #imagePages}); vCPU 0's CPL0 stack page and the top
     * page of its CPL3 stack; the identity map's page directories, 2 MiB entries up to the virtio-mmio window
     * (kvm.GuestBoot: 2,038 entries, 4 pages). The balloon's virtqueue pages are written only once a balloon op sets the
     * device up.
     */
    static final long RUNTIME_BOOT_RESIDENT = 4 + imagePages() + 2 + identityMapPds() - 2;
    /** ... and per further vCPU (its CPL0 stack page and its CPL3 stack's top page). */
    static final long RUNTIME_VCPU_RESIDENT = 2;
    static final long PAGE = 4096;

    /** One workload on one machine ({@code -m 1G}, optionally {@code -smp}). */
    record Case(List<String> qemu, String workload) {
        String label() {
            return (qemu.size() > 2 ? String.join(" ", qemu.subList(2, qemu.size())) + " " : "") + workload;
        }

        /** The same workload with one vCPU: the race-free twin a multi-vCPU case's race is counted against. */
        Case oneVcpu() {
            return new Case(qemu.subList(0, 2), workload);
        }
    }

    static final List<Case> CASES = List.of(
            new Case(List.of("-m", "1G"), "touch 64M"),
            new Case(List.of("-m", "1G"), "touch 16M; unmap 16M; remap 16M; read 16M"),
            new Case(List.of("-m", "1G"), "demand on; touch 16M"),
            new Case(List.of("-m", "1G"), "processes 4; switch 1000"),
            new Case(List.of("-m", "1G"), "touch 4M; repeat 3 { unmap 4M; remap 4M }"),
            new Case(List.of("-m", "1G"), "random 200000 over 64M writes 50 seed 7"),
            new Case(List.of("-m", "1G", "-smp", "2"), "touch 64M"));

    static RunSpec spec(Case c, MmuMode mmu) {
        MachineConfig machine = QemuArgs.parse(c.qemu());
        return new RunSpec(machine, WorkloadParser.parseShorthand(c.workload()), mmu, false, "zen5", Duration.ofMinutes(2), 1);
    }

    static RunResult sim(Case c) {
        return new SimEngine().run(spec(c, MmuMode.SHADOW), RunListener.NONE);
    }

    /** The allowed {@code kvm - sim - race} range of an op's {@code pf_fixed}, with its reason. */
    record Tolerance(long low, long high, String why) {
        String range() {
            return "[" + low + ", " + high + "]";
        }
    }

    /**
     * The tolerance of op {@code op} whose sim deltas are {@code sim}: the runtime's own pages; one fault per
     * {@link #LIST_ENTRIES_PER_PAGE} pages an {@code unmap} INVLPGs, while the INVLPG list buffer is unused; for
     * {@code random}, the access buffer the VMM fills (present on the host, so prefetched 8 at a time); with
     * {@code demand on}, down to minus two faults per new table and one per unsynced leaf table, which the sim's
     * hardware-model #PF handler takes and KVM's emulator (which runs the runtime's CPL0 code on these hosts) does not.
     */
    static Tolerance tolerance(String op, Counters sim, boolean demand) {
        long invlpg = sim.get(Counter.INVLPG);
        long listPages = Math.min(LIST_PAGES, (invlpg + LIST_ENTRIES_PER_PAGE - 1) / LIST_ENTRIES_PER_PAGE);
        long streamFaults = op.startsWith("random") ? (LIST_PAGES + PREFETCH - 1) / PREFETCH : 0;
        long high = RUNTIME_OWN_FAULTS + listPages + streamFaults;
        String why = "runtime's own pages" + (listPages > 0 ? " + INVLPG list" : "") + (streamFaults > 0 ? " + access buffer" : "");
        long low = 0;
        if (demand) {
            long tables = sim.get(Counter.GUEST_PT_PAGES);
            long unsynced = Math.max(0, sim.get(Counter.MMU_UNSYNC));
            low = -(2 * tables + unsynced);
            why += "; CPL0 table edits emulated on kvm";
        }
        return new Tolerance(low, high, why);
    }

    /**
     * Pages the runtime image spans once loaded, {@code .bss} included: from IMAGE_BASE (0x10000, guest/runtime.ld) to
     * the highest end of an allocated section of the built guest/runtime.elf (ELF-64 section headers: sh_flags at
     * +0x08 with SHF_ALLOC = 2, sh_addr at +0x10, sh_size at +0x20; e_shoff at 0x28, e_shentsize at 0x3A, e_shnum 0x3C).
     */
    static long imagePages() {
        byte[] elf;
        try (java.io.InputStream in = DifferentialBounds.class.getResourceAsStream("/guest/runtime.elf")) {
            if (in == null) throw new IllegalStateException("guest/runtime.elf is not on the class path (build with mvn)");
            elf = in.readAllBytes();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(elf).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        long shoff = b.getLong(0x28);
        int entsize = Short.toUnsignedInt(b.getShort(0x3A)), count = Short.toUnsignedInt(b.getShort(0x3C));
        long end = 0;
        for (int i = 0; i < count; i++) {
            int h = (int) (shoff + (long) i * entsize);
            if ((b.getLong(h + 0x08) & 2) != 0) end = Math.max(end, b.getLong(h + 0x10) + b.getLong(h + 0x20));
        }
        long imageBase = 0x10000;
        return (end - imageBase + PAGE - 1) / PAGE;
    }

    /** The identity map's page-directory pages: 8-byte entries for 2 MiB pages up to and including the virtio-mmio one. */
    static long identityMapPds() {
        long virtioMmioBase = 0xFEB00000L;   // guest/layout.h VIRTIO_MMIO_BASE (qemu include/hw/i386/microvm.h)
        long entries = virtioMmioBase / (2 << 20) + 1;   // a 1 GiB guest ends below it (kvm.GuestBoot.bigPages)
        return (entries * 8 + PAGE - 1) / PAGE;
    }

    /** The allowed {@code kvm - sim} resident pages at the end: the runtime's own, per further vCPU, and its buffers. */
    static long residentHigh(int vcpus) {
        return RUNTIME_BOOT_RESIDENT + RUNTIME_VCPU_RESIDENT * (vcpus - 1) + LIST_PAGES * vcpus;
    }

    /**
     * The race of an op run on N vCPUs: what the further vCPUs add to {@code counter} on kvm beyond what they add on
     * the sim, each measured against the same op with one vCPU ({@code kvmN - kvm1 - (simN - sim1)}). 0 for one vCPU.
     */
    static long race(Counters kvmN, Counters kvm1, Counters simN, Counters sim1, Counter counter) {
        return kvmN.get(counter) - kvm1.get(counter) - (simN.get(counter) - sim1.get(counter));
    }

    /** Whether op {@code i} of a workload runs with {@code demand on} (ops up to it, by their text). */
    static boolean demandAt(List<RunResult.OpResult> ops, int i) {
        boolean demand = false;
        for (int k = 0; k <= i; k++) {
            String op = ops.get(k).op();
            demand = op.equals("demand on") || (demand && !op.equals("demand off"));
        }
        return demand;
    }

    /** Whether the docs table lists op {@code op}: every op but the {@code demand} setting (nothing to count). */
    static boolean listed(String op) {
        return !op.startsWith("demand");
    }

    /** An op's text as the docs table shows it: a {@code repeat} body and {@code random}'s parameters elided. */
    static String shown(String op) {
        if (op.startsWith("repeat")) return op.substring(0, op.indexOf('{') + 1) + " … }";
        if (op.startsWith("random")) return "random";
        return op;
    }

    private DifferentialBounds() {}
}
