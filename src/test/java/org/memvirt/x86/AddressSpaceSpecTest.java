package org.memvirt.x86;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The JSON-describable address space: defaults, flag and permission words, addresses, and the mappings it builds. */
class AddressSpaceSpecTest {
    static final long GVA = 0x7f00_0040_1000L;
    final WalkResult r = new WalkResult();

    static AddressSpaceSpec.GuestMap guest(String gva, String gpa, String page, String flags) {
        return new AddressSpaceSpec.GuestMap(gva, gpa, page, flags);
    }

    @Test
    void emptySpecIsFourLevelEptWithFourKHostPages() {
        AddressSpace as = new AddressSpaceSpec(null, null, null, null, null, null).build();
        assertThat(as.kind()).isEqualTo(AddressSpace.Kind.EPT);
        assertThat(as.guestTables().levels()).isEqualTo(4);
        assertThat(as.nestedTables().levels()).isEqualTo(4);
        assertThat(as.guestPageShift()).isEqualTo(Paging.SHIFT_4K);
        assertThat(as.hostPageShift()).isEqualTo(Paging.SHIFT_4K);
    }

    @Test
    void explicitKindLevelsAndHostPageAreKept() {
        AddressSpace as = new AddressSpaceSpec("npt", 5, 5, "2M", List.of(), List.of()).build();
        assertThat(as.kind()).isEqualTo(AddressSpace.Kind.NPT);
        assertThat(as.guestTables().levels()).isEqualTo(5);
        assertThat(as.nestedTables().levels()).isEqualTo(5);
        assertThat(as.hostPageShift()).isEqualTo(Paging.SHIFT_2M);
    }

    @Test
    void guestMappingWithoutHostListIsHostMappedAtGpaPlusOneTiB() {
        AddressSpace as = new AddressSpaceSpec("ept", null, null, null,
                List.of(guest("0x7f00_0040_1000", "0x5000_0000", null, "rw,user")), null).build();
        assertThat(as.coldWalker(null).translate(GVA + 0x123, Access.USER | Access.WRITE, as.guestMode(), r)).isTrue();
        assertThat(r.gpa).isEqualTo(0x5000_0123L);
        assertThat(r.pa).isEqualTo(0x5000_0123L + AddressSpace.HOST_OFFSET);
        assertThat(r.guestPageShift).isEqualTo(Paging.SHIFT_4K);
        long leaf = as.nestedTables().leafEntryAddress(0x5000_0000L);
        assertThat(as.hostMemory().readLong(leaf)).isEqualTo((0x5000_0000L + AddressSpace.HOST_OFFSET)
                | PageTableBuilder.EPT_RWX_WB | EptEntry.A | EptEntry.D); // the write set A and D (SDM Vol 3C §29.3.5)
    }

    @Test
    void largeGuestPageIsHostMappedOverItsWholeSize() {
        // a 2-MByte guest page over 4-KByte host pages needs 512 host leaves, the first and the last included
        AddressSpace as = new AddressSpaceSpec("ept", 4, 4, "4K",
                List.of(guest("0x7f00_0040_0000", "0x4020_0000", "2M", "")), List.of()).build();
        var walker = as.coldWalker(null);
        assertThat(walker.translate(0x7f00_0040_0000L, Access.USER | Access.WRITE, as.guestMode(), r)).isTrue();
        assertThat(r.pa).isEqualTo(0x4020_0000L + AddressSpace.HOST_OFFSET);
        assertThat(r.guestPageShift).isEqualTo(Paging.SHIFT_2M);
        assertThat(walker.translate(0x7f00_005f_f008L, Access.USER, as.guestMode(), r)).isTrue();
        assertThat(r.pa).isEqualTo(0x403f_f008L + AddressSpace.HOST_OFFSET);
        assertThat(as.nestedTables().leafEntryAddress(0x4040_0000L)).isEqualTo(-1);
        assertThat(as.nestedTables().leafEntryAddress(0x401f_f000L)).isEqualTo(-1);
    }

    @Test
    void unalignedGpaIsCoveredByTheEnclosingHostPage() {
        AddressSpace as = new AddressSpaceSpec("npt", null, null, "2M",
                List.of(guest("0x7f00_0040_1000", "0x4030_1000", "4K", "rw,user")), null).build();
        assertThat(as.coldWalker(null).translate(GVA, Access.USER | Access.WRITE, as.guestMode(), r)).isTrue();
        assertThat(r.pa).isEqualTo(0x4030_1000L + AddressSpace.HOST_OFFSET);
        assertThat(r.pageShift).isEqualTo(Paging.SHIFT_4K);
        long leaf = as.nestedTables().leafEntryAddress(0x4030_1000L);
        assertThat(as.hostMemory().readLong(leaf)).isEqualTo((0x4020_0000L + AddressSpace.HOST_OFFSET)
                | PageTableBuilder.X86_USER_RW | Pte.PS | Pte.A | Pte.D); // set by the write (AMD APM Vol 2 §15.25.5)
    }

    @Test
    void explicitHostListReplacesTheAutomaticDataMapping() {
        AddressSpace as = new AddressSpaceSpec("ept", null, null, null,
                List.of(guest("0x7f00_0040_1000", "0x5000_0000", "4K", "rw,user"),
                        guest("0x7f00_0040_2000", "0x5000_1000", "4K", "rw,user")),
                List.of(new AddressSpaceSpec.HostMap("0x5000_0000", "0x2_0000_0000", null, "r"))).build();
        var walker = as.coldWalker(null);
        assertThat(walker.translate(GVA, Access.USER, as.guestMode(), r)).isTrue();
        assertThat(r.pa).isEqualTo(0x2_0000_0000L);
        assertThat(walker.translate(GVA, Access.USER | Access.WRITE, as.guestMode(), r)).isFalse();
        assertThat(r.fault).isEqualTo(WalkResult.EPT_VIOLATION);
        assertThat(r.errorCode).isEqualTo(EptViolation.WRITE | EptViolation.READABLE | EptViolation.GLA_VALID
                | EptViolation.GLA_TRANSLATION);
        // 0x5000_1000 is in no host mapping: the explicit list is the whole data mapping
        assertThat(walker.translate(GVA + 0x1000, Access.USER, as.guestMode(), r)).isFalse();
        assertThat(r.fault).isEqualTo(WalkResult.EPT_VIOLATION);
        assertThat(r.faultGpa).isEqualTo(0x5000_1000L);
    }

    @Test
    void nptHostPermissionsAreOrdinaryEntryFlags() {
        AddressSpace as = new AddressSpaceSpec("npt", null, null, null,
                List.of(guest("0x7f00_0040_1000", "0x5000_0000", "4K", "rw,user")),
                List.of(new AddressSpaceSpec.HostMap("0x5000_0000", "0x3_0000_0000", "4K", "user,nx"))).build();
        long leaf = as.nestedTables().leafEntryAddress(0x5000_0000L);
        assertThat(as.hostMemory().readLong(leaf)).isEqualTo(0x3_0000_0000L | Pte.P | Pte.US | Pte.XD);
    }

    @Test
    void nativeSpaceMapsNoHostPagesAndRefusesHostMappings() {
        AddressSpace as = new AddressSpaceSpec("native", null, null, null,
                List.of(guest("0x7f00_0040_1000", "0x5000_0000", "4K", "rw")), null).build();
        assertThat(as.nestedTables()).isNull();
        assertThat(as.coldWalker(null).translate(GVA, Access.WRITE, as.guestMode(), r)).isTrue();
        assertThat(r.pa).isEqualTo(0x5000_0000L);
        assertThatThrownBy(() -> new AddressSpaceSpec("native", null, null, null, null,
                List.of(new AddressSpaceSpec.HostMap("0", "0", "4K", "rw"))).build())
                .isInstanceOf(X86Exception.class).hasMessage("host mappings need --mmu ept or npt");
    }

    @Test
    void addressesAreHexOrDecimal() {
        assertThat(AddressSpaceSpec.parseAddress("0x1000", "gva")).isEqualTo(0x1000L);
        assertThat(AddressSpaceSpec.parseAddress(" 0X7F00_0040_1000 ", "gva")).isEqualTo(0x7f00_0040_1000L);
        assertThat(AddressSpaceSpec.parseAddress("4096", "gpa")).isEqualTo(4096L);
        assertThat(AddressSpaceSpec.parseAddress("0xffff_ffff_ffff_f000", "gva")).isEqualTo(0xffff_ffff_ffff_f000L);
        assertThat(AddressSpaceSpec.parseAddress("0", "gpa")).isZero();
    }

    @Test
    void badAddressesAreNamedErrors() {
        assertThatThrownBy(() -> AddressSpaceSpec.parseAddress(null, "gva")).hasMessage("missing gva");
        assertThatThrownBy(() -> AddressSpaceSpec.parseAddress("-1", "gpa")).hasMessage("bad gpa '-1'");
        assertThatThrownBy(() -> AddressSpaceSpec.parseAddress("+4096", "hpa")).hasMessage("bad hpa '+4096'");
        assertThatThrownBy(() -> AddressSpaceSpec.parseAddress("0xzz", "gpa")).hasMessage("bad gpa '0xzz'");
        assertThatThrownBy(() -> AddressSpaceSpec.parseAddress("12k", "gpa")).hasMessage("bad gpa '12k'");
    }

    @Test
    void guestFlagWordsSetTheirSdmBits() {
        // SDM Vol 3A §4.5, Table 4-20: P bit 0, R/W 1, U/S 2, PWT 3, PCD 4, G 8, PK 62:59, XD 63
        assertThat(AddressSpaceSpec.guestFlags(null)).isEqualTo(Pte.P | Pte.RW | Pte.US);
        assertThat(AddressSpaceSpec.guestFlags(" ")).isEqualTo(0x7L);
        assertThat(AddressSpaceSpec.guestFlags("ro")).isEqualTo(0x1L);
        assertThat(AddressSpaceSpec.guestFlags("r,supervisor")).isEqualTo(0x1L);
        assertThat(AddressSpaceSpec.guestFlags("rw")).isEqualTo(0x3L);
        assertThat(AddressSpaceSpec.guestFlags("w+u")).isEqualTo(0x7L);
        assertThat(AddressSpaceSpec.guestFlags("user")).isEqualTo(0x5L);
        assertThat(AddressSpaceSpec.guestFlags("pwt")).isEqualTo(0x9L);
        assertThat(AddressSpaceSpec.guestFlags("PCD")).isEqualTo(0x11L);
        assertThat(AddressSpaceSpec.guestFlags("global")).isEqualTo(0x101L);
        assertThat(AddressSpaceSpec.guestFlags("xd")).isEqualTo(0x8000_0000_0000_0001L);
        assertThat(AddressSpaceSpec.guestFlags("rw,user,nx,global,pk=3"))
                .isEqualTo(0x8000_0000_0000_0107L | (3L << 59));
        assertThat(AddressSpaceSpec.guestFlags("np,rw")).isEqualTo(0x2L);
    }

    @Test
    void protectionKeyIsFourBits() {
        assertThat(AddressSpaceSpec.guestFlags("pk=0")).isEqualTo(0x1L);
        assertThat(AddressSpaceSpec.guestFlags("pk=15")).isEqualTo(0x1L | (15L << 59));
        for (String bad : new String[] {"pk=16", "pk=-1", "pk=x"}) {
            assertThatThrownBy(() -> AddressSpaceSpec.guestFlags(bad)).isInstanceOf(X86Exception.class)
                    .hasMessage("protection key must be 0..15, not '" + bad + "'");
        }
        assertThatThrownBy(() -> AddressSpaceSpec.guestFlags("rw,dirty")).hasMessage("unknown page flag 'dirty'");
    }

    @Test
    void eptPermissionLettersAndMemoryType() {
        // SDM Vol 3C §29.3.2 (Table 29-6): R bit 0, W 1, X 2, memory type 5:3, user-execute 10; WB = 6, UC = 0
        assertThat(AddressSpaceSpec.eptPerms(null)).isEqualTo(0x7L | 0x400L | (6L << 3));
        assertThat(AddressSpaceSpec.eptPerms("r")).isEqualTo(0x1L | (6L << 3));
        assertThat(AddressSpaceSpec.eptPerms("RW,wb")).isEqualTo(0x3L | (6L << 3));
        assertThat(AddressSpaceSpec.eptPerms("x,uc")).isEqualTo(0x404L);
        assertThat(AddressSpaceSpec.eptPerms("w,wc")).isEqualTo(0x2L | (1L << 3));
        assertThat(AddressSpaceSpec.eptPerms("r,wt")).isEqualTo(0x1L | (4L << 3));
        assertThat(AddressSpaceSpec.eptPerms("r,wp")).isEqualTo(0x1L | (5L << 3));
        assertThat(AddressSpaceSpec.eptPerms("-")).isEqualTo(6L << 3);
        assertThat(AddressSpaceSpec.eptPerms(",uc")).as("no letters before the comma: no access, UC").isZero();
        assertThatThrownBy(() -> AddressSpaceSpec.eptPerms("rw,xx")).hasMessage("unknown EPT memory type 'xx'");
        assertThatThrownBy(() -> AddressSpaceSpec.eptPerms("rq"))
                .hasMessage("EPT permissions are letters of 'rwx', not 'rq'");
    }
}
