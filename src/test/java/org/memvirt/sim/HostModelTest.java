package org.memvirt.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import org.memvirt.engine.KsmConfig;

class HostModelTest {
    private static final long MIB = 1L << 20;

    private static void touch(HostModel h, int vm, long pages) {
        for (long g = 0; g < pages; g++) h.access(vm, g, true, 1000 + g);
    }

    @Test
    void lazyAllocationBacksOnlyTouchedPages() {
        HostModel h = new HostModel(HostConfig.of(1024 * MIB, 0, 0));
        int vm = h.addVm("g", 4 * 256 * 256, true, 0);   // 1 GiB guest
        touch(h, vm, 1000);
        assertThat(h.residentPages(vm)).isEqualTo(1000);
        assertThat(h.vmMemory(vm).untouchedPages()).isEqualTo(4 * 256 * 256 - 1000);
        assertThat(h.access(vm, 5, false, 0)).isEqualTo(HostMemory.RESIDENT);
        assertThat(h.content(vm, 5)).isEqualTo(1005);
        h.verify();
    }

    @Test
    void watermarksFollowPageAllocC() {
        Watermarks w = Watermarks.of(4_194_304, 10);   // 16 GiB zone
        assertThat(w.low() - w.min()).isEqualTo(4_194);
        assertThat(w.high() - w.min()).isEqualTo(8_388);
        assertThat(w.min()).isEqualTo(16_384 / 4);   // min_free_kbytes = sqrt(16 GiB in kB * 16) = 16384 kB
    }

    @Test
    void memoryBeyondRamGoesToSwapAndComesBackIntact() {
        HostModel h = new HostModel(HostConfig.of(64 * MIB, 0, 64 * MIB));
        int vm = h.addVm("g", 24_000, true, 0);
        touch(h, vm, 24_000);                        // 94 MiB on a 64 MiB host
        assertThat(h.swappedPages(vm)).isPositive();
        assertThat(h.residentPages(vm) + h.swappedPages(vm)).isEqualTo(24_000);
        assertThat(h.freePages()).isGreaterThanOrEqualTo(h.watermarks().min());
        h.verify();
        int swapIns = 0;
        for (long g = 0; g < 24_000; g++) {
            if (h.access(vm, g, false, 0) == HostMemory.SWAPPED_IN) swapIns++;
            assertThat(h.content(vm, g)).isEqualTo(1000 + g);
        }
        assertThat(swapIns).isPositive();
        assertThat(h.vmstat().get("pswpin")).isEqualTo(swapIns);
        h.verify();
    }

    @Test
    void oomKillsTheVmWithTheHighestScoreAndKeepsTheOthers() {
        HostModel h = new HostModel(HostConfig.of(64 * MIB, 0, 16 * MIB));
        List<HostListener.OomKill> kills = new ArrayList<>();
        h.setListener(new HostListener() {
            @Override public void oomKilled(OomKill kill) { kills.add(kill); }
        });
        int small = h.addVm("small", 8_000, false, 0);
        int big = h.addVm("big", 20_000, false, 0);
        int third = h.addVm("third", 20_000, false, 0);
        touch(h, small, 8_000);
        touch(h, big, 14_000);
        touch(h, third, 4_000);   // 26,000 pages = 101 MiB > 64 + 16 MiB: someone must go
        assertThat(kills).hasSize(1);
        assertThat(kills.getFirst().name()).isEqualTo("big");
        assertThat(h.killed(big)).isTrue();
        assertThat(h.killed(small)).isFalse();
        assertThat(h.killed(third)).isFalse();
        assertThat(h.residentPages(big) + h.swappedPages(big)).isZero();
        assertThat(h.access(big, 0, false, 0)).isEqualTo(HostMemory.KILLED);
        assertThat(h.residentPages(third) + h.swappedPages(third)).isEqualTo(4_000);
        h.verify();
    }

    @Test
    void oomScoreAdjShiftsTheChoiceAndMinus1000Protects() {
        HostModel h = new HostModel(HostConfig.of(64 * MIB, 0, 0));
        int protectedBig = h.addVm("protected", 20_000, false, -1000);
        int favoured = h.addVm("favoured", 20_000, false, 500);
        touch(h, protectedBig, 10_000);
        touch(h, favoured, 4_000);
        touch(h, favoured, 20_000);
        assertThat(h.killed(protectedBig)).isFalse();
        assertThat(h.killed(favoured)).isTrue();
        h.verify();
    }

    @Test
    void badnessIsRssPlusSwapPlusPageTablesPlusAdjustment() {
        GuestPages v = new GuestPages(0, "g", 1 << 20, false, 100);
        v.resident = 1000;
        v.swapped = 24;
        long total = 1_000_000;
        assertThat(OomKiller.pageTablePages(v)).isEqualTo(2 + 1 + 1);
        assertThat(OomKiller.badness(v, total)).isEqualTo(1000 + 24 + 4 + 100 * 1000);
    }

    @Test
    void balloonReleaseFreesTheFrameAndTheNextTouchReadsZero() {
        HostModel h = new HostModel(HostConfig.of(64 * MIB, 0, 0));
        int vm = h.addVm("g", 1000, false, 0);
        touch(h, vm, 10);
        long used = h.usedPages();
        h.balloonRelease(vm, 3);
        assertThat(h.usedPages()).isEqualTo(used - 1);
        assertThat(h.state(vm, 3)).isEqualTo(HostMemory.PageState.BALLOONED);
        assertThat(h.access(vm, 3, false, 0)).isEqualTo(HostMemory.DEFLATED_TOUCH);
        assertThat(h.content(vm, 3)).isZero();
        assertThat(h.usedPages()).isEqualTo(used);
        h.verify();
    }

    @Test
    void notifierHearsAboutSwapOutMergeAndKill() {
        HostModel h = new HostModel(HostConfig.of(64 * MIB, 0, 0).withKsm(KsmConfig.defaults(true).withScan(100_000, 20)));
        List<String> heard = new ArrayList<>();
        h.setNotifier(new MmuNotifier() {
            @Override public void invalidateGfn(int vm, long gfn) { heard.add("inv " + vm + ":" + gfn); }
            @Override public void vmKilled(int vm) { heard.add("killed " + vm); }
        });
        int vm = h.addVm("g", 100, true, 0);
        h.access(vm, 0, true, 9);
        h.access(vm, 1, true, 9);
        h.advance(0);
        h.advance(20_000_000);
        assertThat(heard).containsExactly("inv 0:0", "inv 0:1");
    }

    @Test
    void modelStateIsCompact() {
        HostModel h = new HostModel(HostConfig.of(1L << 30, 0, 0));
        h.addVm("g", 1 << 18, true, 0);
        assertThat(h.modelBytesPerGuestPage()).isLessThan(32);
    }

    @Test
    void aColdKsmPageIsSwappedOutWholeAndEachMappingGetsAPrivateCopyBack() {
        // 16 identical pages merged into one KSM page, then private memory pushes the host into reclaim
        HostModel h = new HostModel(HostConfig.of(64 * MIB, 0, 64 * MIB).withKsm(KsmConfig.defaults(true).withScan(1_000_000, 20)));
        int a = h.addVm("a", 16, true, 0);
        int b = h.addVm("b", 30_000, false, 0);
        for (long g = 0; g < 16; g++) h.access(a, g, true, 42);
        h.advance(0);
        h.advance(20_000_000L);
        assertThat(h.ksmPages()).isEqualTo(1);
        assertThat(h.vmMemory(a).ksmPages()).isEqualTo(16);
        for (int pass = 0; pass < 2; pass++) touch(h, b, 30_000);   // 117 MiB through a 64 MiB host, twice
        assertThat(h.ksmPages()).as("the KSM page went to swap").isZero();
        assertThat(h.swappedPages(a)).isEqualTo(16);                 // 16 swap entries ...
        long slots = h.swapUsedPages() - h.swappedPages(b);
        assertThat(slots).isEqualTo(1);                              // ... for one swap slot
        assertThat(h.state(a, 3)).isEqualTo(HostMemory.PageState.SWAPPED);
        h.verify();
        assertThat(h.access(a, 3, false, 0)).isEqualTo(HostMemory.SWAPPED_IN);
        assertThat(h.content(a, 3)).isEqualTo(42);
        assertThat(h.state(a, 3)).isEqualTo(HostMemory.PageState.RESIDENT);   // a private copy: sharing broken
        h.verify();
        for (long g = 0; g < 16; g++) h.access(a, g, false, 0);
        assertThat(h.swapUsedPages() - h.swappedPages(b)).as("the slot is freed with the last mapping").isZero();
        for (long g = 0; g < 16; g++) assertThat(h.content(a, g)).isEqualTo(42);
        h.verify();
    }
}
