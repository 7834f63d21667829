package org.memvirt.kvm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.memvirt.kvm.Machines.MIB;

import java.nio.file.Path;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.memvirt.config.MemoryBackend;
import org.memvirt.engine.Counter;
import org.memvirt.engine.RunListener;
import org.memvirt.engine.RunResult;
import org.memvirt.workload.Op;

/** Guest RAM backends as QEMU builds them: ram (lazy or preallocated), memfd and file, each touched and verified. */
@Tag("kvm")
class GuestRamBackendTest {
    private static final long SIZE = 64 * MIB;
    /**
     * What {@code touch 16M} makes resident beyond the runtime area, exactly: the runtime's frame allocator hands out
     * never-used frames in ascending order after the balloon's page stack (GuestBoot: at RUNTIME_END, 4 bytes per
     * guest page, resident only once a free or the balloon writes it; guest/runtime.c unused_frame_locked), 4,096 data
     * pages and the region's page tables (one PDPT, one PD, 8 PTs: 40 KiB).
     */
    private static final long TOUCHED_AND_TABLES = 16 * MIB + 10 * 4096;
    /**
     * The runtime area below RUNTIME_END (guest/layout.h): its tables, mailboxes, image, stacks and buffers. Which of
     * its pages are resident depends on what the runtime touched, so a lazy backend's bound allows all of them.
     */
    private static final long RUNTIME_AREA = GuestLayout.RUNTIME_END;

    @BeforeEach
    void needsKvm() {
        Machines.assumeKvm();
    }

    private static RunResult touch16M(MemoryBackend backend) {
        return new KvmEngine().run(Machines.spec(Machines.pc(SIZE, 1, backend), new Op.Touch(16 * MIB, 0), new Op.Verify()),
                RunListener.NONE);
    }

    @Test
    void preallocMakesAllOfGuestRamResident() {
        RunResult r = touch16M(new MemoryBackend("pc.ram", "memory-backend-ram", SIZE, false, true, false, false, null, null));
        assertThat(r.memory().residentBytes()).isEqualTo(SIZE);
    }

    @Test
    void lazyRamCostsWhatIsTouched() {
        RunResult r = touch16M(new MemoryBackend("pc.ram", "memory-backend-ram", SIZE, false, false, false, true, null, null));
        assertThat(r.memory().residentBytes()).isBetween(TOUCHED_AND_TABLES, TOUCHED_AND_TABLES + RUNTIME_AREA);
        assertThat(r.counters().values()).containsKey("ksm_merging_pages");   // mem-merge=on: MADV_MERGEABLE, ksm_stat read
    }

    @Test
    void memfdBackendIsSharedAndVerified() {
        RunResult r = touch16M(new MemoryBackend("mem", "memory-backend-memfd", SIZE, true, false, false, false, null, false));
        assertThat(r.counters().get(Counter.VERIFY_MISMATCHES)).isZero();
        assertThat(r.memory().residentBytes()).isBetween(TOUCHED_AND_TABLES, TOUCHED_AND_TABLES + RUNTIME_AREA);
    }

    @Test
    void fileBackendInADirectoryUsesAnUnlinkedFile(@TempDir Path dir) {
        RunResult r = touch16M(new MemoryBackend("mem", "memory-backend-file", SIZE, true, false, false, false,
                dir.toString(), null));
        assertThat(r.counters().get(Counter.VERIFY_MISMATCHES)).isZero();
        assertThat(dir.toFile().list()).isEmpty();
    }

    @Test
    void hugetlbMemfdWithoutFreeHugePagesFailsCleanly() throws java.io.IOException {
        long freeHuge = hugePagesFree();
        org.memvirt.Skip.unless(freeHuge == 0, "this host has free huge pages; the failure path needs none");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> touch16M(
                new MemoryBackend("mem", "memory-backend-memfd", SIZE, true, false, false, false, null, true)))
                .isInstanceOf(KvmException.class).hasMessageContaining("huge pages");
    }

    @Test
    void hugetlbMemfdBacksGuestRamWithHugePages() throws java.io.IOException {
        Path knob = Path.of("/proc/sys/vm/nr_hugepages");
        org.memvirt.Skip.unless(java.nio.file.Files.isWritable(knob), "cannot reserve huge pages here (not root)");
        String before = java.nio.file.Files.readString(knob).trim();
        try {
            java.nio.file.Files.writeString(knob, Long.toString(Long.parseLong(before) + SIZE / (2 * MIB)));
            long free = hugePagesFree();                      // the kernel may hand out fewer (fragmented memory)
            org.memvirt.Skip.unless(free * 2 * MIB >= SIZE, () -> "the kernel reserved only " + free
                    + " free 2 MiB huge pages of the " + SIZE / (2 * MIB) + " asked for (fragmented memory)");
            RunResult r = touch16M(new MemoryBackend("mem", "memory-backend-memfd", SIZE, true, false, false, false, null, true));
            assertThat(r.counters().get(Counter.VERIFY_MISMATCHES)).isZero();
            // faulted in whole 2 MiB pages: the runtime area's one, and the frames the bump allocator handed out after
            // the 64 KiB page stack (64 KiB + 16 MiB + 40 KiB from RUNTIME_END) reach into a ninth: 10 huge pages
            assertThat(r.memory().residentBytes()).isEqualTo(RUNTIME_AREA + 9 * 2 * MIB);
        } finally {
            java.nio.file.Files.writeString(knob, before);
        }
    }

    private static long hugePagesFree() throws java.io.IOException {
        return java.nio.file.Files.readAllLines(Path.of("/proc/meminfo")).stream()
                .filter(l -> l.startsWith("HugePages_Free:")).mapToLong(l -> Long.parseLong(l.replaceAll("\\D", ""))).sum();
    }
}
