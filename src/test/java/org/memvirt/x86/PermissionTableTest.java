package org.memvirt.x86;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * Every combination a hardware test suite would enumerate, walked through real tables: U/S x R/W x XD x CR0.WP x
 * CR4.SMEP x CR4.SMAP x RFLAGS.AC x EFER.NXE x user/supervisor x read/write/fetch, with the restrictive bits in the
 * leaf or in the PML4E. The expected outcome is written out from the lists of SDM Vol 3A §4.6.1 ("Determination of
 * Access Rights"), address type first, not from the implementation.
 */
class PermissionTableTest {
    static final long LA = 0x0000_1234_5678_9000L;
    static final int READ = 0, WRITE = 1, FETCH = 2;

    /** SDM §4.6.1, transcribed: may this access proceed? */
    static boolean sdmAllows(boolean userPage, boolean rw, boolean xd, boolean wp, boolean smep, boolean smap,
                             boolean ac, boolean nxe, boolean implicit, boolean userMode, int kind) {
        if (userMode) {
            if (!userPage) return false;                       // user accesses reach only user-mode addresses
            return switch (kind) {
                case READ -> true;
                case WRITE -> rw;                              // regardless of CR0.WP
                default -> !(nxe && xd);
            };
        }
        if (!userPage) {                                       // supervisor-mode address
            return switch (kind) {
                case READ -> true;
                case WRITE -> !wp || rw;
                default -> !(nxe && xd);
            };
        }
        return switch (kind) {                                 // supervisor access to a user-mode address
            case READ -> !smap || (ac && !implicit);
            case WRITE -> (!smap || (ac && !implicit)) && (!wp || rw);
            default -> !smep && !(nxe && xd);
        };
    }

    /** SDM §4.7: P=1 for a protection fault, W/R, U/S, I/D only with SMEP or (PAE and NXE). */
    static long sdmErrorCode(boolean userMode, int kind, boolean smep, boolean nxe) {
        long code = 1;
        if (kind == WRITE) code |= 2;
        if (userMode) code |= 4;
        if (kind == FETCH && (smep || nxe)) code |= 16;
        return code;
    }

    @Test
    void everyCombinationMatchesSdm_4_6_1() {
        List<String> mismatches = new ArrayList<>();
        int cases = 0;
        for (int bits = 0; bits < 1 << 9; bits++) {
            boolean userPage = (bits & 1) != 0, rw = (bits & 2) != 0, xd = (bits & 4) != 0, wp = (bits & 8) != 0;
            boolean smep = (bits & 16) != 0, smap = (bits & 32) != 0, ac = (bits & 64) != 0, nxe = (bits & 128) != 0;
            boolean inPml4 = (bits & 256) != 0;
            if (xd && !nxe) continue;                          // XD is a reserved bit without NXE (tested apart)
            for (int who = 0; who < 3; who++) {                 // 0 user, 1 supervisor explicit, 2 supervisor implicit
                for (int kind = READ; kind <= FETCH; kind++) {
                    if (who == 2 && kind == FETCH) continue;   // fetches are never implicit supervisor accesses
                    boolean userMode = who == 0, implicit = who == 2;
                    cases++;
                    boolean allowed = sdmAllows(userPage, rw, xd, wp, smep, smap, ac, nxe, implicit, userMode, kind);
                    long expected = allowed ? 0 : sdmErrorCode(userMode, kind, smep, nxe);
                    long got = walk(userPage, rw, xd, wp, smep, smap, ac, nxe, inPml4, userMode, implicit, kind);
                    if (got != expected) {
                        mismatches.add(String.format("us=%b rw=%b xd=%b wp=%b smep=%b smap=%b ac=%b nxe=%b pml4=%b "
                                + "who=%d kind=%d: expected %s got %s", userPage, rw, xd, wp, smep, smap, ac, nxe,
                                inPml4, who, kind, expected, got));
                    }
                }
            }
        }
        assertThat(cases).isEqualTo(384 * 8);
        assertThat(mismatches).isEmpty();
    }

    /** Walks LA in a fresh 4-level tree; returns -1 for success, else the #PF error code. */
    static long walk(boolean userPage, boolean rw, boolean xd, boolean wp, boolean smep, boolean smap, boolean ac,
                     boolean nxe, boolean inPml4, boolean userMode, boolean implicit, int kind) {
        SparsePhysMemory mem = new SparsePhysMemory();
        PageTableBuilder b = new PageTableBuilder(mem, FrameAllocator.bump(0x1000, 1 << 30), PageTableBuilder.Format.X86, 4);
        b.map(LA, 0x4000_0000L, Paging.SHIFT_4K, Pte.P | Pte.RW | Pte.US);
        long restrict = (userPage ? 0 : Pte.US) | (rw ? 0 : Pte.RW);
        long at = b.entryAddress(LA, inPml4 ? 4 : 1);
        mem.writeLong(at, (mem.readLong(at) & ~restrict) | (xd ? Pte.XD : 0));
        CpuMode mode = CpuMode.longMode(b.root());
        mode.cr0 = ControlRegs.CR0_PG | (wp ? ControlRegs.CR0_WP : 0);
        mode.cr4 = ControlRegs.CR4_PAE | (smep ? ControlRegs.CR4_SMEP : 0) | (smap ? ControlRegs.CR4_SMAP : 0);
        mode.efer = ControlRegs.EFER_LMA | ControlRegs.EFER_LME | (nxe ? ControlRegs.EFER_NXE : 0);
        mode.rflags = ac ? ControlRegs.RFLAGS_AC : 0;
        int access = (kind == WRITE ? Access.WRITE : kind == FETCH ? Access.FETCH : 0)
                | (userMode ? Access.USER : 0) | (implicit ? Access.IMPLICIT : 0);
        WalkResult r = new WalkResult();
        boolean ok = new Walker(mem).translate(LA, access, mode, r);
        if (ok) {
            assertThat(r.pa).isEqualTo(0x4000_0000L);
            return 0;
        }
        assertThat(r.fault).isEqualTo(WalkResult.PAGE_FAULT);
        return r.errorCode;
    }

    /** SDM §4.6.2, transcribed: protection keys govern data accesses to user-mode addresses only. */
    @Test
    void protectionKeysMatchSdm_4_6_2() {
        List<String> mismatches = new ArrayList<>();
        for (int bits = 0; bits < 1 << 5; bits++) {
            boolean pke = (bits & 1) != 0, adBit = (bits & 2) != 0, wdBit = (bits & 4) != 0, wp = (bits & 8) != 0;
            boolean userPage = (bits & 16) != 0;
            for (int who = 0; who < 2; who++) {
                for (int kind = READ; kind <= FETCH; kind++) {
                    boolean userMode = who == 0;
                    boolean pagingAllows = sdmAllows(userPage, true, false, wp, false, false, false, true, false,
                            userMode, kind);
                    boolean pkDenies = pke && userPage && kind != FETCH
                            && (adBit || (kind == WRITE && wdBit && (userMode || wp)));
                    long expected = pagingAllows && !pkDenies ? 0
                            : sdmErrorCode(userMode, kind, false, true) | (pkDenies ? 32 : 0);
                    long got = walkWithKey(pke, adBit, wdBit, wp, userPage, userMode, kind);
                    if (got != expected) {
                        mismatches.add(String.format("pke=%b ad=%b wd=%b wp=%b userPage=%b user=%b kind=%d: "
                                + "expected %d got %d", pke, adBit, wdBit, wp, userPage, userMode, kind, expected, got));
                    }
                }
            }
        }
        assertThat(mismatches).isEmpty();
    }

    static long walkWithKey(boolean pke, boolean adBit, boolean wdBit, boolean wp, boolean userPage, boolean userMode,
                            int kind) {
        final int key = 5;
        SparsePhysMemory mem = new SparsePhysMemory();
        PageTableBuilder b = new PageTableBuilder(mem, FrameAllocator.bump(0x1000, 1 << 30), PageTableBuilder.Format.X86, 4);
        b.map(LA, 0x4000_0000L, Paging.SHIFT_4K,
                Pte.withProtectionKey(Pte.P | Pte.RW | (userPage ? Pte.US : 0), key));
        CpuMode mode = CpuMode.longMode(b.root());
        mode.cr0 = ControlRegs.CR0_PG | (wp ? ControlRegs.CR0_WP : 0);
        mode.cr4 = ControlRegs.CR4_PAE | (pke ? ControlRegs.CR4_PKE : 0);
        mode.pkru = ((adBit ? 1 : 0) | (wdBit ? 2 : 0)) << (2 * key) | 0b11;   // key 0 fully denied: must not matter
        int access = (kind == WRITE ? Access.WRITE : kind == FETCH ? Access.FETCH : 0) | (userMode ? Access.USER : 0);
        WalkResult r = new WalkResult();
        return new Walker(mem).translate(LA, access, mode, r) ? 0 : r.errorCode;
    }
}
