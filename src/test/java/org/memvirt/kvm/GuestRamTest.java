package org.memvirt.kvm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.memvirt.kvm.Machines.GIB;
import static org.memvirt.kvm.Machines.MIB;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.memvirt.config.E820Entry;
import org.memvirt.config.MachineConfig;
import org.memvirt.config.MemoryBackend;
import org.memvirt.config.MemoryLayout;
import org.memvirt.config.RamRegion;

/** Guest RAM and its backends (QEMU backends/hostmem-{ram,file,memfd}.c) on plain mmap: no /dev/kvm needed. */
class GuestRamTest {
    private static final long SIZE = 16 * MIB;

    private static MachineConfig backed(String kind, boolean share, boolean prealloc, boolean merge, String memPath,
            Boolean hugetlb) {
        return backed(SIZE, kind, share, prealloc, merge, memPath, hugetlb);
    }

    private static MachineConfig backed(long size, String kind, boolean share, boolean prealloc, boolean merge,
            String memPath, Boolean hugetlb) {
        return Machines.pc(size, 1, new MemoryBackend("mem", kind, size, share, prealloc, false, merge, memPath, hugetlb));
    }

    /** Rss of the mapping at {@code address} in bytes (/proc/self/smaps). */
    private static long rss(long address) {
        return org.memvirt.host.ProcessMemory.self().mapping(address).rss();
    }

    private static void touchEveryPage(GuestRam ram, long bytes) {
        for (long gpa = 0; gpa < bytes; gpa += 4096) ram.writeLong(gpa, gpa + 1);
    }

    @Test
    void anonymousRamIsLazyPrivateAndGuardedAndDiscardGivesItBack() {
        try (GuestRam ram = GuestRam.map(Machines.ram(SIZE))) {
            long at = ram.hostAddress();
            assertThat(ram.size()).isEqualTo(SIZE);
            assertThat(rss(at)).isZero();
            assertThat(ram.noReserve()).isTrue();                                // reserve=off: MAP_NORESERVE
            assertThat(ram.mergeable()).isFalse();
            assertThat(NativeResources.permissions(at)).isEqualTo("rw-p");
            assertThat(NativeResources.permissions(at + SIZE)).isEqualTo("---p");   // the guard page after RAM
            touchEveryPage(ram, SIZE);
            assertThat(rss(at)).isEqualTo(SIZE);
            ram.discard(0, SIZE);                                                // MADV_DONTNEED
            assertThat(rss(at)).isZero();
            assertThat(ram.readLong(0x1000)).isZero();
        }
    }

    @Test
    void theEngineReadsGuestRamsHostMemoryFromSmaps() {
        try (GuestRam ram = GuestRam.map(Machines.ram(SIZE))) {
            touchEveryPage(ram, SIZE);                                           // all of it: whatever THP does
            org.memvirt.host.ProcessMemory.Mapping m = KvmEngine.ramSmaps(ram);
            assertThat(m.start()).isEqualTo(ram.hostAddress());
            assertThat(m.rss()).isEqualTo(SIZE);
            assertThat(m.ksm()).isZero();                                         // not MADV_MERGEABLE
            assertThat(m.swap()).isZero();
        }
    }

    @Test
    void closeUnmapsRamAndItsGuardPage() {
        GuestRam ram = GuestRam.map(Machines.ram(SIZE));
        long at = ram.hostAddress();
        ram.close();
        ram.close();                                                             // idempotent
        assertThat(NativeResources.mapped(at)).isFalse();
        assertThat(NativeResources.mapped(at + SIZE)).isFalse();
    }

    @Test
    void preallocMakesEveryPageResidentUpFront() {
        try (GuestRam ram = GuestRam.map(backed("memory-backend-ram", false, true, false, null, null))) {
            assertThat(rss(ram.hostAddress())).isEqualTo(SIZE);
            assertThat(ram.noReserve()).isFalse();
        }
    }

    @Test
    void memMergeAsksForMerging() {
        try (GuestRam ram = GuestRam.map(backed("memory-backend-ram", false, false, true, null, null))) {
            assertThat(ram.mergeable()).isTrue();
        }
    }

    @Test
    void aMemfdBackendIsSharedOwnsItsFdAndPunchesHolesOnDiscard() {
        long fds = NativeResources.openFds();
        try (GuestRam ram = GuestRam.map(backed("memory-backend-memfd", true, false, false, null, false))) {
            assertThat(NativeResources.openFds()).isEqualTo(fds + 1);
            assertThat(NativeResources.permissions(ram.hostAddress())).isEqualTo("rw-s");
            touchEveryPage(ram, 4 * MIB);
            ram.discard(4096, 8192);                                             // MADV_REMOVE
            assertThat(new long[] {ram.readLong(0), ram.readLong(4096), ram.readLong(8192), ram.readLong(12288)})
                    .containsExactly(1, 0, 0, 12289);
        }
        assertThat(NativeResources.openFds()).isEqualTo(fds);
    }

    @Test
    void aFileBackendInADirectoryUsesAnUnlinkedFile(@TempDir Path dir) throws IOException {
        try (GuestRam ram = GuestRam.map(backed("memory-backend-file", true, false, false, dir.toString(), null))) {
            ram.writeLong(0, 42);
            assertThat(ram.readLong(0)).isEqualTo(42);
            try (var files = Files.list(dir)) {
                assertThat(files.toList()).isEmpty();
            }
        }
    }

    @Test
    void aFileBackendAtAPathSharesGuestRamWithTheFile(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("guest.ram");
        try (GuestRam ram = GuestRam.map(backed(MIB, "memory-backend-file", true, false, false, file.toString(), null))) {
            ram.writeLong(3 * 4096 + 8, 0x1122_3344_5566_7788L);
        }
        assertThat(Files.size(file)).isEqualTo(MIB);                        // the file stays, as QEMU leaves it
        byte[] b = Files.readAllBytes(file);
        assertThat(ByteBuffer.wrap(b, 3 * 4096 + 8, 8).order(ByteOrder.LITTLE_ENDIAN).getLong()).isEqualTo(0x1122_3344_5566_7788L);
    }

    @Test
    void pageOutKeepsTheContent() {
        try (GuestRam ram = GuestRam.map(Machines.ram(SIZE))) {
            touchEveryPage(ram, SIZE);
            ram.pageOut();                                                       // MADV_PAGEOUT: to swap, if any
            for (long gpa = 0; gpa < SIZE; gpa += 4096) assertThat(ram.readLong(gpa)).isEqualTo(gpa + 1);
        }
    }

    /** pc with {@code below} bytes at 0 and {@code above} at 4 GiB: QEMU's split around the PCI hole. */
    private static MachineConfig split(long below, long above) {
        MemoryLayout layout = new MemoryLayout("pc", below + above, below, above, 4 * GIB, below + above, 0, null,
                List.of(new E820Entry(0, below, E820Entry.RAM), new E820Entry(4 * GIB, 4 * GIB + above, E820Entry.RAM)));
        MemoryBackend b = new MemoryBackend("pc.ram", "memory-backend-ram", below + above, false, false, false, false, null, null);
        return new MachineConfig(layout, b, false, 1, List.of());
    }

    @Test
    void ramAbove4GiBFollowsRamBelowItInTheBlock() {
        try (GuestRam ram = GuestRam.map(split(2 * MIB, 2 * MIB))) {
            assertThat(ram.regions()).containsExactly(new RamRegion("ram-below-4g", 0, 2 * MIB, 0),
                    new RamRegion("ram-above-4g", 4 * GIB, 2 * MIB, 2 * MIB));
            assertThat(ram.gpaEnd()).isEqualTo(4 * GIB + 2 * MIB);
            assertThat(ram.gpaToOffset(0x1000)).isEqualTo(0x1000);
            assertThat(ram.gpaToOffset(2 * MIB - 1)).isEqualTo(2 * MIB - 1);
            assertThat(ram.gpaToOffset(4 * GIB)).isEqualTo(2 * MIB);
            assertThat(ram.gpaToOffset(4 * GIB + 2 * MIB - 1)).isEqualTo(4 * MIB - 1);
            ram.writeLong(4 * GIB + 8, 99);
            assertThat(java.lang.foreign.MemorySegment.ofAddress(ram.hostAddress() + 2 * MIB + 8).reinterpret(8)
                    .get(java.lang.foreign.ValueLayout.JAVA_LONG, 0)).isEqualTo(99);   // block offset 2 MiB + 8
            for (long hole : new long[] {2 * MIB, 3 * GIB, 4 * GIB - 8, 4 * GIB + 2 * MIB}) {
                assertThatThrownBy(() -> ram.gpaToOffset(hole)).isInstanceOf(KvmException.class)
                        .hasMessage("guest-physical address 0x" + Long.toHexString(hole) + " is not RAM");
            }
        }
    }

    @Test
    void anAccessMustLieWhollyInsideOneRamRegion() {
        try (GuestRam ram = GuestRam.map(split(2 * MIB, 2 * MIB))) {
            assertThat(ram.gpaToOffset(2 * MIB - 8, 8)).isEqualTo(2 * MIB - 8);
            assertThat(ram.gpaToOffset(4 * GIB + 2 * MIB - 4, 4)).isEqualTo(4 * MIB - 4);
            assertThatThrownBy(() -> ram.gpaToOffset(2 * MIB - 4, 8)).isInstanceOf(KvmException.class)
                    .hasMessage("guest-physical address 0x1ffffc (8 bytes) is not RAM");        // runs into the hole
            assertThatThrownBy(() -> ram.gpaToOffset(4 * GIB + 2 * MIB - 2, 4)).isInstanceOf(KvmException.class)
                    .hasMessage("guest-physical address 0x1001ffffe (4 bytes) is not RAM");     // runs past the end
            assertThatThrownBy(() -> ram.gpaToOffset(0x8000_0000_0000_1000L)).isInstanceOf(KvmException.class)
                    .hasMessage("guest-physical address 0x8000000000001000 is not RAM");         // a u64 past 2^63
            assertThatThrownBy(() -> ram.gpaToOffset(-8, 8)).isInstanceOf(KvmException.class)
                    .hasMessage("guest-physical address 0xfffffffffffffff8 (8 bytes) is not RAM");
        }
    }

    @Test
    void badBackendsAreRefusedWithoutKeepingAnFd(@TempDir Path dir) {
        long fds = NativeResources.openFds();
        assertThatThrownBy(() -> GuestRam.map(Machines.ram(SIZE + 1))).isInstanceOf(KvmException.class)
                .hasMessage("guest RAM size must be a multiple of 4 KiB: " + (SIZE + 1));
        assertThatThrownBy(() -> GuestRam.map(backed("memory-backend-epc", false, false, false, null, null)))
                .isInstanceOf(KvmException.class).hasMessage("memory backend memory-backend-epc is not supported by the kvm engine");
        assertThatThrownBy(() -> GuestRam.map(backed("memory-backend-file", true, false, false, null, null)))
                .isInstanceOf(KvmException.class).hasMessage("memory-backend-file needs mem-path");
        Path missing = dir.resolve("no-such-dir").resolve("ram");
        assertThatThrownBy(() -> GuestRam.map(backed("memory-backend-file", true, false, false, missing.toString(), null)))
                .isInstanceOf(KvmException.class).hasMessage("mem-path " + missing + ": " + missing);
        assertThat(NativeResources.openFds()).isEqualTo(fds);
    }

    @Test
    void hugetlbWithoutFreeHugePagesIsRefusedAndReleasesItsFd() throws IOException {
        long free = Files.readAllLines(Path.of("/proc/meminfo")).stream().filter(l -> l.startsWith("HugePages_Free:"))
                .mapToLong(l -> Long.parseLong(l.replaceAll("\\D", ""))).sum();
        Assumptions.assumeTrue(free == 0, "this host has " + free + " free huge pages; the refusal needs none");
        long fds = NativeResources.openFds();
        assertThatThrownBy(() -> GuestRam.map(backed("memory-backend-memfd", true, false, false, null, true)))
                .isInstanceOf(KvmException.class)
                .hasMessage("mmap of " + SIZE + " bytes failed: ENOMEM (12); not enough free huge pages for hugetlb (vm.nr_hugepages)");
        assertThat(NativeResources.openFds()).isEqualTo(fds);
    }

    @Test
    void twoHundredMapsAndClosesLeaveNoFdAndNoMapping() {
        long fds = NativeResources.openFds();
        for (int i = 0; i < 200; i++) {
            GuestRam ram = GuestRam.map(i % 2 == 0 ? Machines.ram(SIZE) : backed("memory-backend-memfd", true, false, false, null, false));
            long at = ram.hostAddress();
            ram.writeLong(0, i);
            ram.close();
            assertThat(NativeResources.mapped(at)).isFalse();
        }
        assertThat(NativeResources.openFds()).isEqualTo(fds);
    }

    /**
     * Through the kernel (process_vm_readv/writev, as under a userfaultfd) every width reads and writes the same bytes
     * as a direct load or store: little-endian, zero-extended, any alignment; a bulk copy too; a short copy is refused.
     */
    @Test
    void accessThroughTheKernelSeesTheSameBytesAsDirectAccess() {
        try (GuestRam direct = GuestRam.map(Machines.ram(SIZE)); GuestRam kernel = GuestRam.map(Machines.ram(SIZE));
             java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined()) {
            kernel.accessThroughKernel();
            long value = 0x8877_6655_4433_2211L;
            for (GuestRam ram : List.of(direct, kernel)) {
                for (int bytes : new int[] {1, 2, 4, 8}) ram.write(4096 * bytes + 3, bytes, value);   // odd addresses
                assertThat(ram.read(4096 + 3, 1)).isEqualTo(0x11);
                assertThat(ram.read(2 * 4096 + 3, 2)).isEqualTo(0x2211);
                assertThat(ram.read(4 * 4096 + 3, 4)).isEqualTo(0x4433_2211L);
                assertThat(ram.read(8 * 4096 + 3, 8)).isEqualTo(value);
                assertThat(ram.read(4 * 4096 + 3, 8)).isEqualTo(0x4433_2211L);          // the rest of the page is zero
                assertThat(ram.read(2 * 4096 + 4, 1)).isEqualTo(0x22);                   // little-endian
                java.lang.foreign.MemorySegment block = arena.allocate(3 * 4096);
                for (int b = 0; b < block.byteSize(); b++) block.set(java.lang.foreign.ValueLayout.JAVA_BYTE, b, (byte) (b * 7));
                ram.write(SIZE - block.byteSize(), block);
                java.lang.foreign.MemorySegment back = arena.allocate(block.byteSize());
                ram.read(SIZE - block.byteSize(), back);
                assertThat(back.mismatch(block)).isEqualTo(-1);
                assertThatThrownBy(() -> ram.read(SIZE - 4, 8)).isInstanceOf(KvmException.class)
                        .hasMessage("guest-physical address 0x" + Long.toHexString(SIZE - 4) + " (8 bytes) is not RAM");
                assertThatThrownBy(() -> ram.read(0, 3)).isInstanceOf(IllegalArgumentException.class)
                        .hasMessage("a guest RAM access of 3 bytes");
                assertThatThrownBy(() -> ram.write(0, java.lang.foreign.MemorySegment.ofArray(new byte[8])))
                        .isInstanceOf(IllegalArgumentException.class)
                        .hasMessage("guest RAM is copied to and from native memory only");
            }
        }
    }
}
