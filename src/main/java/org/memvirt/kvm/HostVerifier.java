package org.memvirt.kvm;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.function.IntToLongFunction;

import org.memvirt.workload.Patterns;

/**
 * {@code verify}, done by the VMM: walks each process's guest page tables over guest RAM (SDM Vol 3A 4.5, 4-level
 * paging) and compares every written page with what the workload wrote there. An unmapped page keeps its frame
 * (docs/guest-model.md), so it is checked too.
 */
final class HostVerifier {
    private static final long ADDR = 0x000F_FFFF_FFFF_F000L;   // bits 51:12 of a paging-structure entry
    private static final long P = 1;

    private final GuestRam ram;
    private final IntToLongFunction processCr3;
    private final MemorySegment frameCopy = Arena.ofAuto().allocate(4096, 8);   // one read of guest RAM per filled page
    private long checked;
    private long mismatches;
    private String first = "";
    private WrittenPages written;

    /** Checks guest RAM {@code ram}, where process {@code pid}'s page tables are at {@code processCr3.applyAsLong(pid)}. */
    HostVerifier(GuestRam ram, IntToLongFunction processCr3) {
        this.ram = ram;
        this.processCr3 = processCr3;
    }

    /** Checks every page in {@code written}; returns this for its counts. */
    HostVerifier verify(WrittenPages pages) {
        this.written = pages;
        pages.forEach(this::check);
        return this;
    }

    long checked() {
        return checked;
    }

    long mismatches() {
        return mismatches;
    }

    String firstMismatch() {
        return first;
    }

    private void check(int pid, long page, byte state) {
        checked++;
        long gva = GuestLayout.REGION_GVA + (page << 12);
        long frame = gvaToGpa(processCr3.applyAsLong(pid), gva);
        if (frame < 0) {
            if (state != WrittenPages.TOUCH && written.fillSpec(state).equals(WrittenPages.DROPPED)) return;   // reads 0
            miss(pid, page, "no frame");
            return;
        }
        if (state == WrittenPages.TOUCH) {
            long want = Patterns.touch(pid, page), got = ram.readLong(frame);
            if (want != got) miss(pid, page, "qword 0 is 0x" + Long.toHexString(got) + ", expected 0x" + Long.toHexString(want));
            return;
        }
        WrittenPages.FillSpec spec = written.fillSpec(state);
        ram.read(frame, frameCopy);
        for (int q = 0; q < 512; q++) {
            long want = Patterns.fill(spec.kind(), spec.param(), pid, page, q), got = frameCopy.getAtIndex(ValueLayout.JAVA_LONG, q);
            if (want != got) {
                miss(pid, page, "qword " + q + " is 0x" + Long.toHexString(got) + ", expected 0x" + Long.toHexString(want));
                return;
            }
        }
    }

    private void miss(int pid, long page, String what) {
        if (mismatches++ == 0) first = "process " + pid + " region page " + page + ": " + what;
    }

    /** The frame's GPA behind {@code gva} in the tables at {@code cr3}, present or not (-1: no frame). */
    private long gvaToGpa(long cr3, long gva) {
        long table = cr3 & ADDR;
        for (int shift = 39; shift > 12; shift -= 9) {
            long entry = ram.readLong(table + 8 * ((gva >>> shift) & 511));
            if ((entry & P) == 0) return -1;
            table = entry & ADDR;
        }
        long pte = ram.readLong(table + 8 * ((gva >>> 12) & 511));
        return (pte & ADDR) == 0 ? -1 : pte & ADDR;
    }
}
