package org.memvirt.x86;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Exact bits of every codec field: one case per row of the SDM tables. */
class CodecTest {
    @Test
    void pteFlagBitsAreAtSdmTable4_20Positions() {
        assertThat(new long[] {Pte.P, Pte.RW, Pte.US, Pte.PWT, Pte.PCD, Pte.A, Pte.D, Pte.PS, Pte.G, Pte.PAT_LARGE, Pte.XD})
                .containsExactly(1L, 2L, 4L, 8L, 16L, 32L, 64L, 128L, 256L, 4096L, 0x8000_0000_0000_0000L);
        assertThat(Pte.PAT_4K).isEqualTo(Pte.PS);
        assertThat(Pte.PK_MASK).isEqualTo(0x7800_0000_0000_0000L);
        assertThat(Pte.ADDR).isEqualTo(0x000F_FFFF_FFFF_F000L);
    }

    @Test
    void pteFieldsDecode() {
        long e = 0x8000_0000_0000_0000L | (9L << 59) | 0x0000_0012_3456_7000L | 0x1FF;
        assertThat(Pte.present(e)).isTrue();
        assertThat(Pte.writable(e)).isTrue();
        assertThat(Pte.user(e)).isTrue();
        assertThat(Pte.accessed(e)).isTrue();
        assertThat(Pte.dirty(e)).isTrue();
        assertThat(Pte.global(e)).isTrue();
        assertThat(Pte.executeDisable(e)).isTrue();
        assertThat(Pte.protectionKey(e)).isEqualTo(9);
        assertThat(Pte.address(e, 52, 12)).isEqualTo(0x12_3456_7000L);
        assertThat(Pte.address(e, 36, 12)).isEqualTo(0x2_3456_7000L);          // narrowed to MAXPHYADDR
        assertThat(Pte.address(e, 52, 21)).isEqualTo(0x12_3440_0000L);
        assertThat(Pte.patIndex(e, 12)).isEqualTo(7);                          // PAT bit 7 + PCD + PWT
        assertThat(Pte.patIndex(0x1000L, 21)).isEqualTo(4);                    // PAT bit 12 in a 2M leaf
        assertThat(Pte.patIndex(0x1000L, 12)).isEqualTo(0);                    // bit 12 is address in a 4K PTE
        assertThat(Pte.withProtectionKey(0, 15)).isEqualTo(0x7800_0000_0000_0000L);
    }

    @ParameterizedTest(name = "level {0} ps={1} maxpa={2} nxe={3} gb={4}: reserved 0x{5}")
    @CsvSource({
        "4, false, 52, true, true, 80",                 // PML4E: PS reserved
        "5, false, 52, true, true, 80",                 // PML5E: PS reserved
        "4, false, 46, true, true, fc00000000080",      // 51:46
        "4, false, 52, false, true, 8000000000000080",  // XD reserved without NXE
        "3, false, 52, true, true, 0",                  // PDPTE -> PD
        "3, true, 52, true, true, 3fffe000",            // 1G leaf: 29:13
        "3, true, 52, true, false, 80",                 // no 1G pages: PS reserved
        "2, false, 52, true, true, 0",
        "2, true, 52, true, true, 1fe000",              // 2M leaf: 20:13
        "1, false, 48, true, true, f000000000000",      // PTE: 51:48 only
    })
    void pteReservedBitsPerSdmTables4_15To4_20(int level, boolean ps, int maxPa, boolean nxe, boolean gb, String hex) {
        long e = Pte.P | (ps ? Pte.PS : 0);
        assertThat(Pte.reservedMask(e, level, maxPa, nxe, gb)).isEqualTo(Long.parseUnsignedLong(hex, 16));
    }

    @Test
    void eptEntryFieldsAtSdmTable28_6Positions() {
        assertThat(new long[] {EptEntry.R, EptEntry.W, EptEntry.X, EptEntry.MT_MASK, EptEntry.IPAT, EptEntry.PS,
            EptEntry.A, EptEntry.D, EptEntry.XU, EptEntry.SVE})
                .containsExactly(1L, 2L, 4L, 0x38L, 0x40L, 0x80L, 0x100L, 0x200L, 0x400L, 0x8000_0000_0000_0000L);
        long e = EptEntry.makeLeaf(0x1234_5000L, EptEntry.R | EptEntry.X, EptEntry.MT_WB) | EptEntry.IPAT
                | EptEntry.A | EptEntry.D | EptEntry.XU | EptEntry.SVE;
        assertThat(e).isEqualTo(0x8000_0000_1234_5775L);
        assertThat(EptEntry.memoryType(e)).isEqualTo(6);
        assertThat(EptEntry.ignorePat(e)).isTrue();
        assertThat(EptEntry.readable(e) && !EptEntry.writable(e) && EptEntry.executable(e)).isTrue();
        assertThat(EptEntry.userExecutable(e) && EptEntry.accessed(e) && EptEntry.dirty(e)).isTrue();
        assertThat(EptEntry.suppressVe(e)).isTrue();
        assertThat(EptEntry.address(e, 48, 12)).isEqualTo(0x1234_5000L);
    }

    @ParameterizedTest(name = "entry 0x{0} at level {1}: misconfigured={2}")
    @CsvSource({
        "2, 1, true",              // write-only
        "6, 1, true",              // write+execute
        "4, 1, false",             // execute-only, supported
        "1, 1, false",             // read-only, memory type UC
        "3, 1, false",
        "7, 1, false",
        "13, 1, true",             // RW with memory type 2 (reserved)
        "1b, 1, true",             // MT 3
        "3b, 1, true",             // MT 7
        "33, 1, false",            // MT 6 (WB)
        "33, 2, true",             // non-leaf PDE: 6:3 reserved
        "b3, 2, false",            // 2M leaf WB
        "1b3, 2, false",           // 2M leaf WB + A
        "1b3, 4, true",            // PML4E: 7:3 reserved
        "107, 4, false",           // PML4E with A
        "10b3, 2, true",           // 2M leaf with bit 12 set: 20:12 reserved
        "10b3, 3, true",           // 1G leaf with bit 12: 29:12 reserved
        "40000b3, 3, true",
        "400000b3, 3, false",      // 1G-aligned address
        "1000000000007, 1, true",  // address bit 48 >= MAXPHYADDR 48
        "0, 1, false",             // not present: a violation, never a misconfiguration
    })
    void eptMisconfigurationRulesOfSdm_28_2_3_1(String hex, int level, boolean misconfigured) {
        long e = Long.parseUnsignedLong(hex, 16);
        boolean got = EptEntry.present(e) && EptEntry.misconfigured(e, level, 48, true, true);
        assertThat(got).isEqualTo(misconfigured);
    }

    @Test
    void executeOnlyIsMisconfiguredWithoutSupport() {
        assertThat(EptEntry.misconfigured(EptEntry.X | 0x30, 1, 48, true, false)).isTrue();
        assertThat(EptEntry.misconfigured(EptEntry.X | 0x30, 1, 48, true, true)).isFalse();
    }

    @Test
    void oneGigabyteEptLeafWithoutSupportIsMisconfigured() {
        assertThat(EptEntry.misconfigured(0x4000_00B3L, 3, 48, false, true)).isTrue();
    }

    @Test
    void eptpFieldsPerLinuxVmxH() {
        assertThat(Eptp.PWL_4).isEqualTo(0x18L);
        assertThat(Eptp.PWL_5).isEqualTo(0x20L);
        assertThat(Eptp.AD_ENABLE).isEqualTo(0x40L);
        long eptp = Eptp.make(0x1234_5000L, 4, true);
        assertThat(eptp).isEqualTo(0x1234_505EL);
        assertThat(Eptp.memoryType(eptp)).isEqualTo(6);
        assertThat(Eptp.walkLength(eptp)).isEqualTo(4);
        assertThat(Eptp.walkLength(Eptp.make(0, 5, false))).isEqualTo(5);
        assertThat(Eptp.adEnabled(eptp)).isTrue();
        assertThat(Eptp.ep4ta(eptp)).isEqualTo(0x1234_5000L);
        assertThat(Eptp.valid(eptp, 48)).isTrue();
        assertThat(Eptp.valid(eptp & ~7L | 1, 48)).isFalse();                 // WC is not allowed for the EPTP
        assertThat(Eptp.valid(eptp & ~0x38L | 0x10, 48)).isFalse();            // 3-level walk
        assertThat(Eptp.valid(eptp | 0x80, 48)).isFalse();
        assertThat(Eptp.valid(eptp | (1L << 50), 48)).isFalse();
    }

    @Test
    void controlRegisterBitsPerLinuxProcessorFlags() {
        assertThat(ControlRegs.CR0_WP).isEqualTo(1L << 16);
        assertThat(ControlRegs.CR4_LA57).isEqualTo(1L << 12);
        assertThat(ControlRegs.CR4_PCIDE).isEqualTo(1L << 17);
        assertThat(ControlRegs.CR4_SMEP).isEqualTo(1L << 20);
        assertThat(ControlRegs.CR4_SMAP).isEqualTo(1L << 21);
        assertThat(ControlRegs.CR4_PKE).isEqualTo(1L << 22);
        assertThat(ControlRegs.EFER_NXE).isEqualTo(1L << 11);
        assertThat(ControlRegs.CR3_NOFLUSH).isEqualTo(0x8000_0000_0000_0000L);
        long cr3 = 0x8000_0000_0123_4ABCL;
        assertThat(ControlRegs.pcid(cr3, ControlRegs.CR4_PCIDE)).isEqualTo(0xABC);
        assertThat(ControlRegs.pcid(cr3, 0)).isZero();
        assertThat(ControlRegs.cr3Table(cr3, 48)).isEqualTo(0x123_4000L);
    }

    @Test
    void errorCodeAndQualificationBits() {
        assertThat(new int[] {PfErrorCode.P, PfErrorCode.W, PfErrorCode.U, PfErrorCode.RSVD, PfErrorCode.ID,
            PfErrorCode.PK, PfErrorCode.SS, PfErrorCode.SGX}).containsExactly(1, 2, 4, 8, 16, 32, 64, 32768);
        assertThat(EptViolation.GLA_VALID | EptViolation.GLA_TRANSLATION).isEqualTo(0x180L);
        assertThat(NptFault.GUEST_FINAL).isEqualTo(1L << 32);
        assertThat(NptFault.GUEST_PAGE).isEqualTo(1L << 33);
        assertThat(PfErrorCode.describe(0x17)).isEqualTo("P|W|U|I/D");
    }

    @Test
    void canonicalChecks() {
        assertThat(Paging.canonical(0x0000_7FFF_FFFF_F000L, 4)).isTrue();
        assertThat(Paging.canonical(0x0000_8000_0000_0000L, 4)).isFalse();
        assertThat(Paging.canonical(0xFFFF_8000_0000_0000L, 4)).isTrue();
        assertThat(Paging.canonical(0x0000_8000_0000_0000L, 5)).isTrue();
        assertThat(Paging.canonical(0x0100_0000_0000_0000L, 5)).isFalse();
        assertThat(Paging.canonical(0xFF00_0000_0000_0000L, 5)).isTrue();
    }
}
