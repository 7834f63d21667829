package org.memvirt.kvm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.memvirt.kvm.GuestLayout.*;
import static org.memvirt.kvm.Machines.MIB;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The VMM's virtio-balloon device without /dev/kvm: register accesses arrive as KVM's MMIO exits would, the queues are
 * split virtqueues in plain-mmap guest RAM (virtio 1.2 §2.7, §4.2.2 virtio-mmio, §5.5 balloon; linux
 * include/uapi/linux/virtio_balloon.h).
 */
class BalloonHostTest {
    private static final long PID = 7;
    private static final long INFLATEQ = 0x20000, DEFLATEQ = 0x21000, STATSQ = 0x22000, PFNS = 0x30000, STATS_BUF = 0x31000;
    private static final long DATA_PFN = 0x100;   // pages 0x100.. hold the test's data (1 MiB on)
    private static final long F_MUST_TELL_HOST = 1, F_STATS_VQ = 2, F_VERSION_1 = 1L << 32;   // virtio_balloon.h, virtio 1.2 §6

    private GuestRam ram;
    private BalloonHost device;
    private VirtioDriver driver;
    private final List<long[]> reclaimed = new ArrayList<>();

    @BeforeEach
    void plugIn() {
        ram = GuestRam.map(Machines.ram(8 * MIB));
        device = new BalloonHost(ram, null);
        device.setListener((pid, page) -> reclaimed.add(new long[] {pid, page}));
        driver = new VirtioDriver(ram, device, PID);
    }

    @AfterEach
    void unplug() {
        driver.close();
        ram.close();
    }

    /** The guest runtime's bring-up: features, then inflateq, deflateq and statsq, then DRIVER_OK. */
    private void bringUp() {
        driver.negotiate(F_VERSION_1 | F_STATS_VQ | F_MUST_TELL_HOST);
        driver.setupQueue(0, INFLATEQ, 8);
        driver.setupQueue(1, DEFLATEQ, 8);
        driver.setupQueue(2, STATSQ, 2);
        driver.write(VIO_STATUS, 1 | 2 | 8 | 4);
    }

    private void fill(long pfn, long value) {
        for (long q = 0; q < 512; q++) ram.writeLong(pfn * 4096 + 8 * q, value + q);
    }

    private boolean holds(long pfn, long value) {
        for (long q = 0; q < 512; q++) if (ram.readLong(pfn * 4096 + 8 * q) != value + q) return false;
        return true;
    }

    private boolean zero(long pfn) {
        for (long q = 0; q < 512; q++) if (ram.readLong(pfn * 4096 + 8 * q) != 0) return false;
        return true;
    }

    @Test
    void identifiesItselfAsVirtioMmioVersion2BalloonWithItsFeatures() {
        assertThat(driver.read(VIO_MAGIC)).isEqualTo(0x7472_6976);            // "virt", virtio 1.2 §4.2.2
        assertThat(driver.read(VIO_VERSION)).isEqualTo(2);
        assertThat(driver.read(VIO_DEVICE_ID)).isEqualTo(5);                    // §5.5.1 device ID 5
        driver.write(VIO_DEV_FEAT_SEL, 0);
        assertThat(driver.read(VIO_DEV_FEAT)).isEqualTo(0b11);                  // MUST_TELL_HOST | STATS_VQ
        driver.write(VIO_DEV_FEAT_SEL, 1);
        assertThat(driver.read(VIO_DEV_FEAT)).isEqualTo(1);                     // VERSION_1 (bit 32)
        driver.write(VIO_DEV_FEAT_SEL, 2);
        assertThat(driver.read(VIO_DEV_FEAT)).isZero();
        for (int q = 0; q < 3; q++) {
            driver.write(VIO_QUEUE_SEL, q);
            assertThat(driver.read(VIO_QUEUE_NUM_MAX)).as("queue %d", q).isEqualTo(128);
        }
        driver.write(VIO_QUEUE_SEL, 3);
        assertThat(driver.read(VIO_QUEUE_NUM_MAX)).isZero();                    // §4.2.2: no such queue
        assertThat(driver.read(VIO_INT_STATUS)).isZero();
        assertThat(driver.read(VIO_CONFIG_GEN)).isZero();
        assertThat(device.mmioExits()).isEqualTo(19);                           // 12 reads, 7 writes
    }

    @Test
    void featuresOkStaysSetOnlyForFeaturesTheDeviceOffers() {
        driver.negotiate(F_VERSION_1 | F_STATS_VQ);
        assertThat(driver.read(VIO_STATUS)).isEqualTo(1 | 2 | 8);
        driver.negotiate(F_VERSION_1 | 1L << 2);                                  // DEFLATE_ON_OOM: not offered
        assertThat(driver.read(VIO_STATUS)).isEqualTo(1 | 2);
        driver.negotiate(F_VERSION_1 | 1L << 33);                                 // a high bit not offered
        assertThat(driver.read(VIO_STATUS)).isEqualTo(1 | 2);
    }

    @Test
    void configHoldsTheHostsTargetAndTheDriversActual() {
        device.setNumPages(70_000);
        assertThat(driver.read(VIO_CFG_NUM_PAGES)).isEqualTo(70_000);
        driver.write(VIO_CFG_ACTUAL, 1234);
        assertThat(driver.read(VIO_CFG_ACTUAL)).isEqualTo(1234);
        assertThat(device.actualPages()).isEqualTo(1234);
    }

    @Test
    void aRegisterWriteTakesOnlyTheBytesOfItsLength() {
        driver.exit(VIO_CFG_ACTUAL, 2, true, 0xFFFF_FFFF_FFFF_0102L);             // a 2-byte write of 0x0102
        assertThat(device.actualPages()).isEqualTo(0x0102);
        driver.exit(VIO_CFG_ACTUAL, 4, true, 0x1234_5678_9ABC_DEF0L);
        assertThat(device.actualPages()).isEqualTo(0x9ABC_DEF0L);
    }

    @Test
    void theQueueRegistersHoldWhatTheDriverWrote() {
        bringUp();
        for (int q = 0; q < 3; q++) {
            driver.write(VIO_QUEUE_SEL, q);
            assertThat(driver.read(VIO_QUEUE_READY)).as("queue %d", q).isEqualTo(1);
        }
        driver.write(VIO_STATUS, 0);                                              // reset: every queue unready
        for (int q = 0; q < 3; q++) {
            driver.write(VIO_QUEUE_SEL, q);
            assertThat(driver.read(VIO_QUEUE_READY)).as("queue %d", q).isZero();
        }
        assertThat(driver.read(VIO_STATUS)).isZero();
    }

    @Test
    void aQueueSelectorPastTheLastQueueSelectsNoQueue() {
        bringUp();
        for (int sel : new int[] {3, 1000, -1}) {                                 // -1: QueueSel = 0xFFFFFFFF
            driver.write(VIO_QUEUE_SEL, sel);
            assertThat(driver.read(VIO_QUEUE_NUM_MAX)).as("QueueSel %d", sel).isZero();
            assertThat(driver.read(VIO_QUEUE_READY)).as("QueueSel %d", sel).isZero();
            driver.write(VIO_QUEUE_NUM, 4);                                       // no queue: ignored
            driver.write(VIO_QUEUE_DESC, 0x1234);
            driver.write(VIO_QUEUE_READY, 0);
            assertThat(driver.read(VIO_MAGIC)).isEqualTo(0x7472_6976);
        }
        driver.write(VIO_QUEUE_SEL, 2);                                           // statsq is as it was
        assertThat(driver.read(VIO_QUEUE_READY)).isEqualTo(1);
        putStats(STATS_BUF, new long[][] {{4, 99}});
        driver.offer(2, STATS_BUF, 10);
        driver.notifyQueue(2);
        assertThat(device.stats()[4]).isEqualTo(99);
    }

    @Test
    void inflateDiscardsEveryPfnOfAChainAndUsesTheBuffer() {
        bringUp();
        for (long p = 0; p < 8; p++) fill(DATA_PFN + p, 1000 * p + 1);
        driver.putPfns(PFNS, DATA_PFN + 1, DATA_PFN + 2, DATA_PFN + 4);   // a run of two and a single page
        driver.putPfns(PFNS + 0x100, DATA_PFN + 5);                        // the chain's second descriptor
        ram.writeLong(buffer(0) + BUF_DROPPED_OFF, 40);                    // the harness's record: region pages dropped
        ram.writeLong(buffer(0) + BUF_DROPPED_OFF + 8, -1);
        ram.writeLong(buffer(0) + BUF_DROPPED_OFF + 16, 41);
        ram.writeLong(buffer(0) + BUF_DROPPED_OFF + 24, -1);
        int head = driver.offer(0, PFNS, 12, PFNS + 0x100, 4);
        driver.notifyQueue(0);
        assertThat(driver.usedIdx(0)).isEqualTo(1);
        assertThat(driver.usedElem(0, 0)).containsExactly(head, 0);        // nothing written into the buffer
        assertThat(zero(DATA_PFN + 1) && zero(DATA_PFN + 2) && zero(DATA_PFN + 4) && zero(DATA_PFN + 5)).isTrue();
        assertThat(holds(DATA_PFN, 1) && holds(DATA_PFN + 3, 3001) && holds(DATA_PFN + 6, 6001)).isTrue();
        assertThat(device.inflatedPages()).isEqualTo(4);
        assertThat(device.batches()).isEqualTo(1);
        assertThat(device.reclaimedPages()).isEqualTo(2);
        assertThat(reclaimed).containsExactly(new long[] {PID, 40}, new long[] {PID, 41});
        assertThat(device.discardErrors()).isZero();
    }

    @Test
    void deflateOnlyAcknowledgesThePages() {
        bringUp();
        fill(DATA_PFN, 77);
        driver.putPfns(PFNS, DATA_PFN);
        int head = driver.offer(1, PFNS, 4);
        driver.notifyQueue(1);
        assertThat(driver.usedElem(1, 0)).containsExactly(head, 0);
        assertThat(driver.usedIdx(1)).isEqualTo(1);
        assertThat(holds(DATA_PFN, 77)).isTrue();
        assertThat(device.deflatedPages()).isEqualTo(1);
        assertThat(device.inflatedPages()).isZero();
        assertThat(reclaimed).isEmpty();
    }

    @Test
    void oneNotifyCompletesEveryAvailableBufferInRingOrder() {
        bringUp();
        for (int i = 0; i < 3; i++) driver.putPfns(PFNS + 0x10L * i, DATA_PFN + i);
        int a = driver.offer(1, PFNS, 4), b = driver.offer(1, PFNS + 0x10, 4), c = driver.offer(1, PFNS + 0x20, 4);
        driver.notifyQueue(1);
        assertThat(driver.usedIdx(1)).isEqualTo(3);
        assertThat(new long[] {driver.usedElem(1, 0)[0], driver.usedElem(1, 1)[0], driver.usedElem(1, 2)[0]})
                .containsExactly(a, b, c);
        assertThat(device.batches()).isEqualTo(3);
        driver.notifyQueue(1);                                                    // nothing new: nothing used
        assertThat(driver.usedIdx(1)).isEqualTo(3);
    }

    @Test
    void theFreeRunningIndicesWrapAt65536() {
        bringUp();
        driver.putPfns(PFNS, DATA_PFN);
        for (int i = 0; i < 65_536 + 5; i++) {
            driver.offer(1, PFNS, 4);
            driver.notifyQueue(1);
        }
        assertThat(driver.usedIdx(1)).isEqualTo(5);                               // (65,536 + 5) mod 2^16
        assertThat(device.deflatedPages()).isEqualTo(65_541);
        assertThat(device.batches()).isEqualTo(65_541);
    }

    /** Writes the stats buffer as the guest runtime does: {le16 tag; le64 val} packed, 10 bytes each (§5.5.6.3). */
    private void putStats(long gpa, long[][] tagValues) {
        for (int i = 0; i < tagValues.length; i++) {
            ram.write(gpa + 10L * i, 2, tagValues[i][0]);
            ram.write(gpa + 10L * i + 2, 8, tagValues[i][1]);
        }
    }

    @Test
    void theStatsBufferIsKeptUntilTheHostAsksForFreshFigures() {
        bringUp();
        assertThat(device.stats()).isNull();
        device.requestStats();                                                    // no buffer yet: nothing to return
        putStats(STATS_BUF, new long[][] {{4, 500 * MIB}, {5, 1024 * MIB}, {6, 600 * MIB}, {9, 12345}, {0, 3}});
        int head = driver.offer(2, STATS_BUF, 50);
        driver.notifyQueue(2);
        assertThat(driver.usedIdx(2)).isZero();                                   // the device holds the buffer
        // QEMU's names for tags 0..7 (hw/virtio/virtio-balloon.c balloon_stat_names); tag 9 (HTLB_PGFAIL) is ignored
        assertThat(java.util.Arrays.stream(BalloonHost.STATS).map(org.memvirt.engine.Counter::key)).containsExactly(
                "balloon_stat_swap_in", "balloon_stat_swap_out", "balloon_stat_major_faults",
                "balloon_stat_minor_faults", "balloon_stat_free_memory", "balloon_stat_total_memory",
                "balloon_stat_available_memory", "balloon_stat_disk_caches");
        assertThat(device.stats()).containsExactly(3, 0, 0, 0, 500 * MIB, 1024 * MIB, 600 * MIB, 0);
        device.requestStats();
        assertThat(driver.usedIdx(2)).isEqualTo(1);
        assertThat(driver.usedElem(2, 0)).containsExactly(head, 0);
        device.requestStats();                                                    // given back already
        assertThat(driver.usedIdx(2)).isEqualTo(1);
    }

    @Test
    void aNotifyOfAQueueThatIsNotReadyStopsTheGuest() {
        driver.negotiate(F_VERSION_1);
        assertThatThrownBy(() -> driver.notifyQueue(0)).isInstanceOf(GuestFailure.class)
                .hasMessage("balloon: notify of queue 0 that is not ready");
        assertThatThrownBy(() -> driver.notifyQueue(3)).isInstanceOf(GuestFailure.class)
                .hasMessage("balloon: notify of queue 3 that is not ready");
    }

    @Test
    void aDescriptorChainThatLoopsStopsTheGuest() {
        bringUp();
        driver.putPfns(PFNS, DATA_PFN);
        int head = driver.offer(1, PFNS, 4, PFNS, 4);
        driver.link(1, head + 1, head);                                           // the last descriptor points back
        assertThatThrownBy(() -> driver.notifyQueue(1)).isInstanceOf(GuestFailure.class)
                .hasMessage("balloon: descriptor chain loops");
    }

    @Test
    void moreThanQueueSizeTimesBatchPfnsInOneBufferStopsTheGuest() {
        bringUp();
        driver.offer(1, PFNS, 4 * (128 * 256 + 1));
        assertThatThrownBy(() -> driver.notifyQueue(1)).isInstanceOf(GuestFailure.class)
                .hasMessage("balloon: more than 32768 PFNs in one buffer");
    }

    @Test
    void aPfnOutsideGuestRamStopsTheGuest() {
        bringUp();
        driver.putPfns(PFNS, 8 * MIB / 4096);                                     // the first page past RAM
        driver.offer(0, PFNS, 4);
        assertThatThrownBy(() -> driver.notifyQueue(0)).isInstanceOf(GuestFailure.class)
                .hasMessage("balloon: guest-physical address 0x800000 (4096 bytes) is not RAM");
    }

    @Test
    void aBufferRunningPastGuestRamStopsTheGuest() {
        bringUp();
        driver.putPfns(8 * MIB - 4, DATA_PFN);
        driver.offer(1, 8 * MIB - 4, 8);                                          // two PFNs, the second past RAM
        assertThatThrownBy(() -> driver.notifyQueue(1)).isInstanceOf(GuestFailure.class)
                .hasMessage("balloon: guest-physical address 0x800000 (4 bytes) is not RAM");
        assertThat(driver.usedIdx(1)).isZero();
    }

    @Test
    void aRingAddressPast2To63StopsTheGuest() {
        bringUp();
        driver.putPfns(PFNS, DATA_PFN);
        driver.offer(1, PFNS, 4);
        driver.write(VIO_QUEUE_SEL, 1);
        driver.write(VIO_QUEUE_DESC + 4, 0x8000_0000);                            // QueueDescHigh: bit 63
        assertThatThrownBy(() -> driver.notifyQueue(1)).isInstanceOf(GuestFailure.class)
                .hasMessage("balloon: guest-physical address 0x8000000000021000 (16 bytes) is not RAM");
    }

    @Test
    void aQueueSizeThatIsNotAPowerOfTwoUpToQueueNumMaxStopsTheGuestAtItsNotify() {
        for (int size : new int[] {0, 3, 256}) {
            driver.negotiate(F_VERSION_1);
            driver.setupQueue(1, DEFLATEQ, size);
            assertThatThrownBy(() -> driver.notifyQueue(1)).as("size %d", size).isInstanceOf(GuestFailure.class)
                    .hasMessage("balloon: queue 1 has " + size + " entries, not a power of 2 up to 128 (virtio 1.2 §2.7,"
                            + " §4.2.2 QueueNumMax)");
        }
    }

    @Test
    void aMisalignedQueuePartStopsTheGuestAtItsNotify() {
        long[][] parts = {{DEFLATEQ + 8, DEFLATEQ + 0x100, DEFLATEQ + 0x200}, {DEFLATEQ, DEFLATEQ + 0x101, DEFLATEQ + 0x200},
            {DEFLATEQ, DEFLATEQ + 0x100, DEFLATEQ + 0x202}, {DEFLATEQ + 1, DEFLATEQ + 0x100, DEFLATEQ + 0x200}};
        for (long[] p : parts) {
            driver.negotiate(F_VERSION_1);
            driver.setupQueue(1, p[0], p[1], p[2], 8);
            assertThatThrownBy(() -> driver.notifyQueue(1)).isInstanceOf(GuestFailure.class).hasMessage(String.format(
                    "balloon: queue 1 has its descriptor table at 0x%x, available ring at 0x%x, used ring at 0x%x; virtio"
                            + " 1.2 §2.7 aligns them to 16, 2 and 4 bytes", p[0], p[1], p[2]));
        }
    }

    @Test
    void buffersMayStartAtAnyByte() {
        bringUp();
        fill(DATA_PFN, 5);
        fill(DATA_PFN + 1, 6);
        driver.putPfns(PFNS + 1, DATA_PFN);                                       // the spec aligns rings, not buffers
        driver.offer(0, PFNS + 1, 4);
        driver.notifyQueue(0);
        assertThat(zero(DATA_PFN)).isTrue();
        assertThat(holds(DATA_PFN + 1, 6)).isTrue();
        putStats(STATS_BUF + 3, new long[][] {{5, 4096}, {7, 8192}});
        driver.offer(2, STATS_BUF + 3, 20);
        driver.notifyQueue(2);
        assertThat(device.stats()).containsExactly(0, 0, 0, 0, 0, 4096, 0, 8192);
    }

    @Test
    void theDeviceOwnsExactlyItsMmioWindow() {
        assertThat(BalloonHost.owns(VIRTIO_MMIO_BASE - 1)).isFalse();
        assertThat(BalloonHost.owns(VIRTIO_MMIO_BASE)).isTrue();
        assertThat(BalloonHost.owns(VIRTIO_MMIO_BASE + VIRTIO_MMIO_SIZE - 1)).isTrue();
        assertThat(BalloonHost.owns(VIRTIO_MMIO_BASE + VIRTIO_MMIO_SIZE)).isFalse();
    }
}
