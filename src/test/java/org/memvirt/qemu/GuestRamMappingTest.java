package org.memvirt.qemu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.memvirt.qemu.GuestRamMapping.Mapping;

/** The locator over mappings as a QEMU 7.2.22 with -m 1G under TCG shows them (/proc/PID/smaps, sizes in bytes). */
class GuestRamMappingTest {
    static final long GIB = 1L << 30;
    static final Mapping RAM = new Mapping(0x7fe493e00000L, 0x7fe4d3e00000L, GIB, "rw-p", "");
    static final Mapping GUARD = new Mapping(0x7fe4d3e00000L, 0x7fe4d3e01000L, 4096, "---p", "");
    static final Mapping TCG_BUFFER = new Mapping(0x7fe4dc000000L, 0x7fe51bfff000L, GIB - 4096, "rwxp", "");
    static final Mapping RESERVED = new Mapping(0x7fe4d4021000L, 0x7fe4d8000000L, 66973696, "---p", "");
    static final Mapping HEAP = new Mapping(0x55d0_0000_0000L, 0x55d0_4000_0000L, GIB, "rw-p", "[heap]");

    @Test
    void theReadWriteMappingOfExactlyTheRamSize() {
        assertThat(GuestRamMapping.locate(List.of(RESERVED, TCG_BUFFER, RAM, GUARD, HEAP), GIB)).isEqualTo(RAM);
    }

    @Test
    void fileAndMemfdBackendsAreFoundByTheirSizeToo() {
        Mapping memfd = new Mapping(0x7f0000000000L, 0x7f0040000000L, GIB, "rw-s", "/memfd:m0 (deleted)");
        assertThat(GuestRamMapping.locate(List.of(TCG_BUFFER, memfd), GIB)).isEqualTo(memfd);
    }

    @Test
    void noneOrTwoIsAOneLineError() {
        assertThatThrownBy(() -> GuestRamMapping.locate(List.of(TCG_BUFFER, GUARD), GIB))
                .hasMessage("no read-write mapping of exactly 1073741824 bytes (the guest RAM) in QEMU's address space");
        Mapping vram = new Mapping(0x7f1000000000L, 0x7f1001000000L, 16 << 20, "rw-p", "");
        Mapping ram16 = new Mapping(0x7f2000000000L, 0x7f2001000000L, 16 << 20, "rw-p", "");
        assertThatThrownBy(() -> GuestRamMapping.locate(List.of(vram, ram16), 16 << 20))
                .hasMessage("2 read-write mappings of exactly 16777216 bytes in QEMU's address space; cannot tell which "
                        + "is the guest RAM (at 0x7f1000000000 and 0x7f2000000000)");
    }
}
