package org.memvirt.kvm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.memvirt.kvm.GuestLayout.*;
import static org.memvirt.kvm.Machines.GIB;
import static org.memvirt.kvm.Machines.MIB;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.memvirt.config.RamRegion;

/** What the VMM writes into guest RAM before the first KVM_RUN (guest/layout.h), on plain mmap: no /dev/kvm needed. */
class GuestBootTest {
    private static final byte[] IMAGE = {(byte) 0xF4, 1, 2, 3, 4};   // any bytes: the loader copies them

    private static List<RamRegion> ram(long below, long above) {
        return above == 0 ? List.of(new RamRegion("ram-below-4g", 0, below, 0))
                : List.of(new RamRegion("ram-below-4g", 0, below, 0), new RamRegion("ram-above-4g", 4 * GIB, above, below));
    }

    @Test
    void loadsTheImageTheIdentityMapAndTheSharedState() {
        try (GuestRam ram = GuestRam.map(Machines.ram(64 * MIB))) {
            GuestBoot.load(ram, 2, IMAGE);
            for (int i = 0; i < IMAGE.length; i++) assertThat(ram.read(IMAGE_BASE + i, 1)).isEqualTo(IMAGE[i] & 0xFF);
            // 2 MiB pages up to the balloon's window at 0xFEB00000 (page 2037) even though RAM ends at 64 MiB: 2,038
            // pages in 4 page directories
            assertThat(ram.readLong(PML4_PROC0)).isEqualTo(IDMAP_PDPT | 7);
            for (int i = 0; i < 4; i++) assertThat(ram.readLong(IDMAP_PDPT + 8 * i)).isEqualTo(IDMAP_PD + 4096 * i | 7);
            assertThat(ram.readLong(IDMAP_PDPT + 8 * 4)).isZero();
            assertThat(ram.readLong(IDMAP_PD)).isEqualTo(0x87);
            assertThat(ram.readLong(IDMAP_PD + 8 * 2037)).isEqualTo(2037L * 2 * MIB | 0x87);
            assertThat(ram.readLong(IDMAP_PD + 8 * 2038)).isZero();
            // 16,384 guest pages: a page stack of 64 KiB from RUNTIME_END, then free frames
            long[] want = {1, RUNTIME_END, 64 * MIB, 0, 0, 16_384, RUNTIME_END, RUNTIME_END + 64 * 1024, 64 * MIB, 1, PML4_PROC0};
            long[] got = {ram.readLong(SHARED_BASE + SH_NREGIONS), ram.readLong(SHARED_BASE + SH_START0),
                ram.readLong(SHARED_BASE + SH_END0), ram.readLong(SHARED_BASE + SH_START1), ram.readLong(SHARED_BASE + SH_END1),
                ram.readLong(SHARED_BASE + SH_STACK_CAP), ram.readLong(SHARED_BASE + SH_STACK), ram.readLong(SHARED_BASE + SH_NEXT),
                ram.readLong(SHARED_BASE + SH_REGION_MAX), ram.readLong(SHARED_BASE + SH_NPROC), ram.readLong(SHARED_BASE + SH_CR3)};
            assertThat(got).containsExactly(want);
            for (int cpu = 0; cpu < 2; cpu++) {
                assertThat(ram.readLong(mailbox(cpu) + MB_CR3)).isEqualTo(PML4_PROC0);
                assertThat(ram.readLong(mailbox(cpu) + MB_LOADED)).isEqualTo(PML4_PROC0);
            }
            assertThat(ram.readLong(mailbox(2) + MB_CR3)).isZero();
        }
    }

    @Test
    void ramAbove4GiBIsTheSecondRegionAndMappedToo() {
        var split = new org.memvirt.config.MachineConfig(new org.memvirt.config.MemoryLayout("pc", 6 * MIB, 4 * MIB,
                2 * MIB, 4 * GIB, 6 * MIB, 0, null, List.of()), null, false, 1, List.of());
        try (GuestRam ram = GuestRam.map(split)) {
            GuestBoot.load(ram, 1, IMAGE);
            assertThat(ram.readLong(SHARED_BASE + SH_NREGIONS)).isEqualTo(2);
            assertThat(ram.readLong(SHARED_BASE + SH_START1)).isEqualTo(4 * GIB);
            assertThat(ram.readLong(SHARED_BASE + SH_END1)).isEqualTo(4 * GIB + 2 * MIB);
            assertThat(ram.readLong(SHARED_BASE + SH_STACK_CAP)).isEqualTo(1536);
            assertThat(ram.readLong(IDMAP_PD + 8 * 2048)).isEqualTo(4 * GIB | 0x87);   // 4 GiB: 2 MiB page 2048
            assertThat(ram.readLong(IDMAP_PD + 8 * 2049)).isZero();
        }
    }

    @Test
    void ramTheRuntimeCannotRunInIsRefused() {
        assertThatThrownBy(() -> GuestBoot.check(ram(3 * MIB - 4096, 0))).isInstanceOf(KvmException.class)
                .hasMessage("the kvm engine needs at least 3 MiB of RAM below 4 GiB");
        assertThatThrownBy(() -> GuestBoot.check(ram(0xFEC0_0000L, 0))).isInstanceOf(KvmException.class)
                .hasMessage("guest RAM overlaps the balloon's virtio-mmio window at 0xfeb00000");
        assertThatThrownBy(() -> GuestBoot.check(ram(3 * GIB, 253 * GIB))).isInstanceOf(KvmException.class)
                .hasMessage("the kvm engine maps guest-physical space up to 256 GiB");
        GuestBoot.check(ram(3 * GIB, 252 * GIB));                     // ends at exactly 256 GiB
        // with 1 GiB above 4 GiB the page stack (4 bytes a guest page) takes 258 pages, 1 MiB + 8 KiB, either way;
        // below 4 GiB the runtime's 2 MiB, the stack and 1 MiB of free frames must fit: 4 MiB + 8 KiB
        assertThatThrownBy(() -> GuestBoot.check(ram(4 * MIB + 4096, GIB))).isInstanceOf(KvmException.class)
                .hasMessage("too little RAM below 4 GiB for the guest runtime");
        GuestBoot.check(ram(4 * MIB + 8192, GIB));
    }

    @Test
    void anImageLargerThanItsSlotIsRefused() {
        try (GuestRam ram = GuestRam.map(Machines.ram(8 * MIB))) {
            assertThatThrownBy(() -> GuestBoot.load(ram, 1, new byte[(int) (IMAGE_LIMIT - IMAGE_BASE) + 1]))
                    .isInstanceOf(KvmException.class).hasMessage("guest runtime too large: 262145");
            GuestBoot.load(ram, 1, new byte[(int) (IMAGE_LIMIT - IMAGE_BASE)]);
        }
    }

    @Test
    void theBuiltRuntimeFitsItsSlotAndIsLoadedByteForByte() {
        byte[] image = GuestBoot.runtimeImage();
        assertThat(IMAGE_BASE + image.length).isLessThanOrEqualTo(IMAGE_LIMIT);
        try (GuestRam ram = GuestRam.map(Machines.ram(8 * MIB))) {
            GuestBoot.load(ram, 1, image);
            try (java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined()) {
                java.lang.foreign.MemorySegment loaded = arena.allocate(image.length);
                ram.read(IMAGE_BASE, loaded);
                assertThat(loaded.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE)).isEqualTo(image);
            }
        }
    }
}
