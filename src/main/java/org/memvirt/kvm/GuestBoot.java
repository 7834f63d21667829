package org.memvirt.kvm;

import static org.memvirt.kvm.GuestLayout.*;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;

import org.memvirt.config.RamRegion;

/**
 * What the VMM leaves in guest RAM before the first KVM_RUN, as a boot loader would (guest/layout.h): the guest runtime
 * image at IMAGE_BASE, the identity map (GVA == GPA in 2 MiB user pages) and the runtime's shared state and mailboxes.
 */
final class GuestBoot {
    private static final long PTE_USER = 0x7;          // present, writable, user (SDM Vol 3A Table 4-19)
    private static final long PDE_2M_USER = 0x87;      // ... and PS: a 2 MiB page (SDM Vol 3A Table 4-18)
    private static final long TWO_MIB = 2L << 20;
    private static final String RUNTIME = "/guest/runtime.bin";

    /** Refuses guest RAM the runtime cannot run in; needs only the layout (nothing opened, nothing mapped). */
    static void check(List<RamRegion> regions) {
        RamRegion low = regions.getFirst();
        if (low.gpa() != 0 || low.size() < RUNTIME_END + (1L << 20)) {
            throw new KvmException("the kvm engine needs at least 3 MiB of RAM below 4 GiB");
        }
        for (RamRegion r : regions) {
            if (r.gpa() < VIRTIO_MMIO_BASE + VIRTIO_MMIO_SIZE && VIRTIO_MMIO_BASE < r.end()) {
                throw new KvmException("guest RAM overlaps the balloon's virtio-mmio window at 0x" + Long.toHexString(VIRTIO_MMIO_BASE));
            }
        }
        if (bigPages(regions.getLast().end()) > IDMAP_PDS * 512) {
            throw new KvmException("the kvm engine maps guest-physical space up to 256 GiB");
        }
        if (low.end() < RUNTIME_END + stackBytes(regions) + (1L << 20)) {
            throw new KvmException("too little RAM below 4 GiB for the guest runtime");
        }
    }

    /** The guest runtime built from guest/ (target/classes/guest/runtime.bin). */
    static byte[] runtimeImage() {
        try (InputStream in = GuestBoot.class.getResourceAsStream(RUNTIME)) {
            if (in == null) throw new KvmException("guest runtime " + RUNTIME + " missing from the class path (build with mvn)");
            return in.readAllBytes();
        } catch (IOException e) {
            throw new KvmException("cannot read the guest runtime: " + e.getMessage());
        }
    }

    /** Loads {@code image} and writes the identity map and the shared state for {@code vcpus} vCPUs into {@code ram}. */
    static void load(GuestRam ram, int vcpus, byte[] image) {
        if (IMAGE_BASE + image.length > IMAGE_LIMIT) throw new KvmException("guest runtime too large: " + image.length);
        check(ram.regions());
        try (Arena arena = Arena.ofConfined()) {
            ram.write(IMAGE_BASE, arena.allocateFrom(ValueLayout.JAVA_BYTE, image));
            writeIdentityMap(ram, arena);
        }
        writeSharedState(ram, vcpus);
    }

    /** 2 MiB pages for guest-physical space up to {@code gpaEnd}, and at least the virtio-mmio window (the balloon's). */
    private static long bigPages(long gpaEnd) {
        return Math.max((gpaEnd + TWO_MIB - 1) / TWO_MIB, VIRTIO_MMIO_BASE / TWO_MIB + 1);
    }

    /** The balloon's page stack: one u32 PFN per guest page, whole pages. */
    private static long stackBytes(List<RamRegion> regions) {
        return (totalRam(regions) / 4096 * 4 + 4095) & ~4095L;
    }

    /** Guest RAM in bytes: every region's size. */
    static long totalRam(List<RamRegion> regions) {
        long sum = 0;
        for (RamRegion r : regions) sum += r.size();
        return sum;
    }

    /** The boot loader's part: GVA == GPA for all guest-physical space up to the end of RAM, 2 MiB pages, user. */
    private static void writeIdentityMap(GuestRam ram, Arena arena) {
        long bigPages = bigPages(ram.gpaEnd());
        ram.writeLong(PML4_PROC0, IDMAP_PDPT | PTE_USER);
        long pds = (bigPages + 511) / 512;
        MemorySegment pdpt = arena.allocate(8 * pds, 8), pd = arena.allocate(8 * bigPages, 8);
        for (long i = 0; i < pds; i++) pdpt.setAtIndex(ValueLayout.JAVA_LONG, i, (IDMAP_PD + 4096 * i) | PTE_USER);
        for (long j = 0; j < bigPages; j++) pd.setAtIndex(ValueLayout.JAVA_LONG, j, (j * TWO_MIB) | PDE_2M_USER);
        ram.write(IDMAP_PDPT, pdpt);   // one copy each: through the kernel, a call per entry would be 131,072 calls
        ram.write(IDMAP_PD, pd);
    }

    private static void writeSharedState(GuestRam ram, int vcpus) {
        List<RamRegion> regions = ram.regions();
        RamRegion low = regions.getFirst();
        ram.writeLong(SHARED_BASE + SH_NREGIONS, regions.size());
        ram.writeLong(SHARED_BASE + SH_START0, RUNTIME_END);
        ram.writeLong(SHARED_BASE + SH_END0, low.end());
        if (regions.size() > 1) {
            ram.writeLong(SHARED_BASE + SH_START1, regions.get(1).gpa());
            ram.writeLong(SHARED_BASE + SH_END1, regions.get(1).end());
        }
        // the balloon's page stack comes first; it costs the host only what is used
        ram.writeLong(SHARED_BASE + SH_STACK, RUNTIME_END);
        ram.writeLong(SHARED_BASE + SH_STACK_CAP, totalRam(regions) / 4096);
        ram.writeLong(SHARED_BASE + SH_NEXT, RUNTIME_END + stackBytes(regions));
        ram.writeLong(SHARED_BASE + SH_REGION_MAX, totalRam(regions));
        ram.writeLong(SHARED_BASE + SH_NPROC, 1);
        ram.writeLong(SHARED_BASE + SH_CR3, PML4_PROC0);
        for (int cpu = 0; cpu < vcpus; cpu++) {
            ram.writeLong(mailbox(cpu) + MB_CR3, PML4_PROC0);
            ram.writeLong(mailbox(cpu) + MB_LOADED, PML4_PROC0);
        }
    }

    private GuestBoot() {}
}
