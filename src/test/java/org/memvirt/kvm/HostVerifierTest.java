package org.memvirt.kvm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.memvirt.kvm.Machines.MIB;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.memvirt.workload.Patterns;

/**
 * The VMM's {@code verify} over guest RAM on plain mmap: it walks the process's 4-level page tables (SDM Vol 3A §4.5)
 * from its CR3 to each written region page and compares the frame's content with what the workload wrote, so a
 * wrong translation is caught as surely as wrong content.
 */
class HostVerifierTest {
    private static final long CR3 = 0x1000, PDPT = 0x2000, PD = 0x3000, PT = 0x4000, FRAMES = 0x100000;
    private static final long P_RW_U = 0x7;                            // present, writable, user (SDM Vol 3A Table 4-19)
    private static final int PID = 3;

    private GuestRam ram;
    private final WrittenPages written = new WrittenPages();
    private byte unique;

    @BeforeEach
    void aProcessWithFourRegionPages() {
        ram = GuestRam.map(Machines.ram(4 * MIB));
        // REGION_GVA = 2^40: PML4 index 2, PDPT index 0, PD index 0, PT index = region page
        ram.writeLong(CR3 + 8 * 2, PDPT | P_RW_U);
        ram.writeLong(PDPT, PD | P_RW_U);
        ram.writeLong(PD, PT | P_RW_U);
        for (long page = 0; page < 4; page++) ram.writeLong(PT + 8 * page, (FRAMES + 4096 * page) | P_RW_U);
        unique = written.fillState(new WrittenPages.FillSpec(2, 0));
        ram.writeLong(FRAMES, Patterns.touch(PID, 0));                  // page 0: touched
        written.markRange(PID, 0, 1, WrittenPages.TOUCH);
        for (long page = 1; page < 3; page++) {                         // pages 1, 2: fill content=unique
            for (int q = 0; q < 512; q++) ram.writeLong(FRAMES + 4096 * page + 8 * q, Patterns.fill(2, 0, PID, page, q));
        }
        written.markRange(PID, 1, 2, unique);
    }

    @AfterEach
    void unmap() {
        ram.close();
    }

    private HostVerifier verify() {
        return new HostVerifier(ram, pid -> pid == PID ? CR3 : 0x7000).verify(written);
    }

    @Test
    void pagesWithTheirContentPass() {
        HostVerifier v = verify();
        assertThat(v.checked()).isEqualTo(3);
        assertThat(v.mismatches()).isZero();
        assertThat(v.firstMismatch()).isEmpty();
    }

    @Test
    void anUnmappedPageKeepsItsFrameAndIsChecked() {
        ram.writeLong(PT + 8, (FRAMES + 4096) & ~1L);                   // the guest cleared P of page 1's PTE
        assertThat(verify().mismatches()).isZero();
        ram.writeLong(FRAMES + 4096 + 8 * 7, 0);
        HostVerifier v = verify();
        assertThat(v.mismatches()).isEqualTo(1);
        assertThat(v.firstMismatch()).isEqualTo("process 3 region page 1: qword 7 is 0x0, expected 0x"
                + Long.toHexString(Patterns.fill(2, 0, PID, 1, 7)));
    }

    @Test
    void aWrongTranslationIsCaught() {
        ram.writeLong(PT + 8 * 2, (FRAMES + 4096) | P_RW_U);            // page 2 mapped to page 1's frame
        HostVerifier v = verify();
        assertThat(v.mismatches()).isEqualTo(1);
        assertThat(v.firstMismatch()).isEqualTo("process 3 region page 2: qword 0 is 0x"
                + Long.toHexString(Patterns.fill(2, 0, PID, 1, 0)) + ", expected 0x" + Long.toHexString(Patterns.fill(2, 0, PID, 2, 0)));
    }

    @Test
    void aTouchedPageWithAnotherValueIsCaught() {
        ram.writeLong(FRAMES, Patterns.touch(PID + 1, 0));              // another process's touch value
        HostVerifier v = verify();
        assertThat(v.firstMismatch()).isEqualTo("process 3 region page 0: qword 0 is 0x"
                + Long.toHexString(Patterns.touch(PID + 1, 0)) + ", expected 0x" + Long.toHexString(Patterns.touch(PID, 0)));
    }

    @Test
    void aWrittenPageWithoutAFrameIsCaughtUnlessItWasDropped() {
        written.markRange(PID, 600, 1, WrittenPages.TOUCH);             // PT entry 600 is empty: no frame
        written.dropped(PID, 601);                                      // dropped: reads zero, needs no frame
        HostVerifier v = verify();
        assertThat(v.checked()).isEqualTo(5);
        assertThat(v.mismatches()).isEqualTo(1);
        assertThat(v.firstMismatch()).isEqualTo("process 3 region page 600: no frame");
    }

    @Test
    void aMissingTableOnTheWayIsNoFrame() {
        ram.writeLong(PD, 0);                                           // no page table at all
        HostVerifier v = verify();
        assertThat(v.mismatches()).isEqualTo(3);
        assertThat(v.firstMismatch()).isEqualTo("process 3 region page 0: no frame");
    }
}
