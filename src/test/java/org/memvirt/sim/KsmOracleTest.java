package org.memvirt.sim;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import org.memvirt.engine.KsmConfig;

/** The KSM oracles of the overcommit reference (§7, items 1-5), on the simulated host. */
class KsmOracleTest {
    private static final long GIB = 1L << 30;
    private static final long SAME = 0x1234_5678_9ABC_DEF1L;
    private static final long SCAN_NANOS = 20_000_000L;

    /** A 4 GiB host, no swap, ksmd on, with a budget big enough that every wake-up is exactly one full scan. */
    private static HostModel host(KsmConfig ksm) {
        return new HostModel(HostConfig.of(4 * GIB, 0, 0).withKsm(ksm));
    }

    private static KsmConfig fastScan() {
        return KsmConfig.defaults(true).withScan(10_000_000, 20);
    }

    private static void fill(HostModel h, int vm, long from, long n, long content) {
        for (long g = from; g < from + n; g++) h.access(vm, g, true, content);
    }

    /** Runs ksmd until {@code n} more full scans have completed. */
    private static void fullScans(HostModel h, int n) {
        long target = h.ksmCounters().fullScans() + n;
        while (h.ksmCounters().fullScans() < target) h.advance(SCAN_NANOS);
    }

    @Test
    void identicalPagesMergeOnlyAtTheEndOfTheSecondFullScan() {
        HostModel h = host(fastScan());
        int vm = h.addVm("g", 1024, true, 0);
        fill(h, vm, 0, 100, SAME);
        h.advance(0);   // first wake-up: scan 1
        KsmCounters one = h.ksmCounters();
        assertThat(one.fullScans()).isEqualTo(1);
        assertThat(one.pagesShared()).isZero();
        assertThat(one.pagesSharing()).isZero();
        assertThat(one.pagesVolatile()).isEqualTo(100);
        fullScans(h, 1);
        KsmCounters two = h.ksmCounters();
        assertThat(two.pagesShared()).isEqualTo(1);
        assertThat(two.pagesSharing()).isEqualTo(99);
        assertThat(two.pagesUnshared()).isZero();
        assertThat(two.pagesVolatile()).isZero();
        assertThat(h.vmMemory(vm).rssPages()).isEqualTo(100);  // RSS counts KSM mappings
        assertThat(h.residentPages(vm)).isEqualTo(1);          // one host frame backs them
        assertThat(h.ksmPages()).isEqualTo(1);
        assertThat(h.usedPages()).isEqualTo(1);               // 99 pages saved
        assertThat(two.generalProfit()).isEqualTo(99 * 4096L - 100 * 64L);
        h.verify();
    }

    @Test
    void pagesOfDifferentVmsMergeAcrossVms() {
        HostModel h = host(fastScan());
        int a = h.addVm("a", 256, true, 0);
        int b = h.addVm("b", 256, true, 0);
        fill(h, a, 0, 10, SAME);
        fill(h, b, 0, 10, SAME);
        h.advance(0);
        fullScans(h, 1);
        assertThat(h.ksmCounters().pagesShared()).isEqualTo(1);
        assertThat(h.ksmCounters().pagesSharing()).isEqualTo(19);
        h.verify();
    }

    @Test
    void maxPageSharingCapsEachKsmPage() {
        for (int[] c : new int[][] {{256, 1, 255, 0, 0, 0}, {257, 1, 255, 1, 0, 0}, {512, 2, 510, 0, 1, 2}}) {
            HostModel h = host(fastScan());
            int vm = h.addVm("g", 1024, true, 0);
            fill(h, vm, 0, c[0], SAME);
            h.advance(0);
            fullScans(h, 1);
            KsmCounters k = h.ksmCounters();
            assertThat(new long[] {k.pagesShared(), k.pagesSharing(), k.pagesUnshared(), k.stableNodeChains(),
                    k.stableNodeDups()}).as("N=%d", c[0]).containsExactly(c[1], c[2], c[3], c[4], c[5]);
            assertThat(c[0] - h.usedPages()).as("saving N - ceil(N/256)").isEqualTo(c[0] - (c[0] + 255) / 256);
            h.verify();
        }
    }

    @Test
    void savingIsNMinusCeilNOver256() {
        for (int n : new int[] {2, 100, 256, 300, 512, 700}) {
            HostModel h = host(fastScan());
            int vm = h.addVm("g", 1024, true, 0);
            fill(h, vm, 0, n, SAME);
            h.advance(0);
            fullScans(h, 2);   // a third scan merges leftovers that had no partner in scan 2
            assertThat(h.ksmCounters().pagesSharing()).as("N=%d", n).isEqualTo(n - (n + 255) / 256);
            h.verify();
        }
    }

    @Test
    void useZeroPagesMergesWithTheZeroPageWithoutTouchingSharedOrSharing() {
        KsmConfig k = fastScan();
        k = new KsmConfig(true, k.pagesToScan(), k.sleepMillisecs(), k.maxPageSharing(), true, true, true);
        HostModel h = host(k);
        int vm = h.addVm("g", 1024, true, 0);
        fill(h, vm, 0, 50, HostMemory.ZERO_CONTENT);
        h.advance(0);
        fullScans(h, 1);
        KsmCounters c = h.ksmCounters();
        assertThat(c.ksmZeroPages()).isEqualTo(50);
        assertThat(c.pagesShared()).isZero();
        assertThat(c.pagesSharing()).isZero();
        assertThat(h.usedPages()).isZero();
        assertThat(c.pagesSaved()).isEqualTo(50);
        assertThat(h.access(vm, 7, true, 42)).isEqualTo(HostMemory.COW_BROKEN);
        assertThat(h.ksmCounters().ksmZeroPages()).isEqualTo(49);
        h.verify();
    }

    @Test
    void cowWriteDropsPagesSharingByOneWhenKsmdNextVisitsThePage() {
        HostModel h = host(fastScan());
        int vm = h.addVm("g", 1024, true, 0);
        fill(h, vm, 0, 5, SAME);
        h.advance(0);
        fullScans(h, 1);
        assertThat(h.ksmCounters().pagesSharing()).isEqualTo(4);
        long used = h.usedPages();
        assertThat(h.access(vm, 2, true, 77)).isEqualTo(HostMemory.COW_BROKEN);
        assertThat(h.usedPages()).isEqualTo(used + 1);
        assertThat(h.vmstat().get("cow_ksm")).isEqualTo(1);
        assertThat(h.ksmCounters().pagesSharing()).as("the rmap_item stays until ksmd visits").isEqualTo(4);
        fullScans(h, 1);
        assertThat(h.ksmCounters().pagesSharing()).isEqualTo(3);
        assertThat(h.ksmCounters().pagesShared()).isEqualTo(1);
        h.verify();
    }

    @Test
    void writingTheLastTwoMappingsEmptiesSharingThenFreesTheStableNode() {
        HostModel h = host(fastScan());
        int vm = h.addVm("g", 1024, true, 0);
        fill(h, vm, 0, 2, SAME);
        h.advance(0);
        fullScans(h, 1);
        assertThat(h.ksmCounters().pagesShared()).isEqualTo(1);
        h.access(vm, 0, true, 5);
        fullScans(h, 1);
        assertThat(h.ksmCounters().pagesSharing()).isZero();
        assertThat(h.ksmCounters().pagesShared()).isEqualTo(1);
        h.access(vm, 1, true, 6);
        assertThat(h.ksmPages()).as("the KSM page is freed with its last mapping").isZero();
        fullScans(h, 1);
        assertThat(h.ksmCounters().pagesShared()).isZero();
        assertThat(h.usedPages()).isEqualTo(2);
        h.verify();
    }

    @Test
    void aPageRewrittenBetweenEveryScanStaysVolatile() {
        HostModel h = host(fastScan());
        int vm = h.addVm("g", 64, true, 0);
        fill(h, vm, 0, 2, SAME);
        h.advance(0);
        for (int i = 0; i < 6; i++) {
            h.access(vm, 0, true, 1000 + i);
            h.access(vm, 1, true, 1000 + i);
            fullScans(h, 1);
            KsmCounters c = h.ksmCounters();
            assertThat(c.pagesShared() + c.pagesSharing() + c.pagesUnshared()).isZero();
            assertThat(c.pagesVolatile()).isEqualTo(2);
        }
        h.verify();
    }

    @Test
    void defaultScanRateVisitsAtMostFiveThousandPagesPerSecond() {
        HostModel h = host(KsmConfig.defaults(true));
        int vm = h.addVm("g", 1 << 16, true, 0);
        fill(h, vm, 0, 1 << 16, SAME);
        h.advance(999_999_999L);   // wake-ups at 0, 20 ms, ..., 980 ms: 50 of 100 pages
        assertThat(h.ksmCounters().pagesScanned()).isEqualTo(5_000);
    }

    @Test
    void mergedPagesReadTheirContentAndVmsWithMemMergeOffAreNotScanned() {
        HostModel h = host(fastScan());
        int a = h.addVm("a", 64, true, 0);
        int b = h.addVm("b", 64, false, 0);
        fill(h, a, 0, 4, SAME);
        fill(h, b, 0, 4, SAME);
        h.advance(0);
        fullScans(h, 1);
        assertThat(h.ksmCounters().ksmRmapItems()).isEqualTo(4);
        assertThat(h.ksmCounters().pagesSharing()).isEqualTo(3);
        assertThat(h.content(a, 3)).isEqualTo(SAME);
        assertThat(h.state(a, 3)).isEqualTo(HostMemory.PageState.SHARED);
        assertThat(h.state(b, 3)).isEqualTo(HostMemory.PageState.RESIDENT);
        assertThat(h.access(a, 3, false, 0)).isEqualTo(HostMemory.RESIDENT);
        h.verify();
    }
}
