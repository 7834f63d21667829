package org.memvirt.sim;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Balloon arithmetic and driver behaviour (overcommit reference §7, items 7 and 8). */
class BalloonDeviceTest {
    private static final long MIB = 1L << 20;

    /** A guest with {@code free} free frames, handed out from gfn 1000 up, taken back LIFO. */
    private static final class Frames implements BalloonDevice.GuestFrames {
        long next = 1000;
        long free;
        final java.util.ArrayDeque<Long> back = new java.util.ArrayDeque<>();

        Frames(long free) {
            this.free = free;
        }

        @Override public long allocate() {
            if (!back.isEmpty()) return back.pop();
            if (free == 0) return -1;
            free--;
            return next++;
        }

        @Override public void release(long gfn) {
            back.push(gfn);
        }
    }

    private static HostModel host() {
        return new HostModel(HostConfig.of(1024 * MIB, 0, 0));
    }

    @Test
    void qemuTargetIsTheLogicalVmSize() {
        HostModel h = host();
        BalloonDevice b = new BalloonDevice(h, h.addVm("g", 4096 * 256, false, 0), 4096 * 256, false);   // 4 GiB
        b.setTargetBytes(3L << 30);
        assertThat(b.numPages()).isEqualTo((4L << 30) - (3L << 30) >> 12);
        b.setTargetBytes(0);                                  // ignored
        assertThat(b.numPages()).isEqualTo(262_144);
        b.setTargetBytes(8L << 30);                           // clamped to RAM
        assertThat(b.numPages()).isZero();
        assertThat(b.logicalSizeBytes()).isEqualTo(4L << 30);
    }

    @Test
    void inflateMovesAtMost256PagesPerRoundTripAndWritesActual() {
        HostModel h = host();
        int vm = h.addVm("g", 8192, false, 0);
        for (long g = 1000; g < 2000; g++) h.access(vm, g, true, 7);
        BalloonDevice b = new BalloonDevice(h, vm, 8192, false);
        Frames f = new Frames(4000);
        b.setNumPages(600);                                   // firecracker: amount_mib 600/256 -> here pages directly
        assertThat(b.work(f)).isEqualTo(BalloonDevice.ROUND_TRIP_NANOS);
        assertThat(b.actual()).isEqualTo(256);
        b.work(f);
        assertThat(b.actual()).isEqualTo(512);
        assertThat(b.work(f)).isEqualTo(-1);
        assertThat(b.actual()).isEqualTo(600);
        assertThat(b.logicalSizeBytes()).isEqualTo((8192 - 600) * 4096L);
        assertThat(h.vmMemory(vm).balloonedPages()).isEqualTo(600);
        assertThat(h.residentPages(vm)).isEqualTo(400);       // 1000 touched, 600 of them given to the balloon
        assertThat(b.guestTotalPages(8192)).isEqualTo(8192 - 600);   // no DEFLATE_ON_OOM: MemTotal shrinks
        b.setNumPages(100);
        b.work(f);
        assertThat(b.actual()).isEqualTo(344);
        b.work(f);
        assertThat(b.actual()).isEqualTo(100);
        h.verify();
    }

    @Test
    void anUnreachableTargetRunsOutOfPuffAndRetriesEvery200ms() {
        HostModel h = host();
        int vm = h.addVm("g", 8192, false, 0);
        BalloonDevice b = new BalloonDevice(h, vm, 8192, false);
        Frames f = new Frames(300);
        b.setNumPages(1000);
        assertThat(b.work(f)).isEqualTo(BalloonDevice.ROUND_TRIP_NANOS);
        assertThat(b.work(f)).isEqualTo(200_000_000L);
        assertThat(b.work(f)).isEqualTo(200_000_000L);
        assertThat(b.actual()).isEqualTo(300);
        assertThat(b.outOfPuffCount()).isEqualTo(2);
        assertThat(b.towardsTarget()).isEqualTo(700);
    }

    @Test
    void deflateOnOomLeaks256PagesPerNotificationAndKeepsMemTotal() {
        HostModel h = host();
        int vm = h.addVm("g", 8192, false, 0);
        BalloonDevice b = new BalloonDevice(h, vm, 8192, true);
        Frames f = new Frames(5000);
        b.setNumPages(1000);
        while (b.work(f) >= 0) { }
        assertThat(b.guestTotalPages(8192)).isEqualTo(8192);
        assertThat(b.oomNotify(f)).isEqualTo(256);
        assertThat(b.actual()).isEqualTo(744);
        assertThat(b.numPages()).isEqualTo(1000);
        BalloonDevice plain = new BalloonDevice(h, vm, 8192, false);
        assertThat(plain.oomNotify(f)).isZero();
    }

    @Test
    void aDiscardedPageReadsZeroAndCostsAFrameAgainWhenTouched() {
        HostModel h = host();
        int vm = h.addVm("g", 8192, false, 0);
        h.access(vm, 1000, true, 99);
        long used = h.usedPages();
        BalloonDevice b = new BalloonDevice(h, vm, 8192, false);
        Frames f = new Frames(1);
        b.setNumPages(1);
        b.work(f);
        assertThat(h.usedPages()).isEqualTo(used - 1);
        b.setNumPages(0);
        b.work(f);
        assertThat(h.access(vm, 1000, false, 0)).isEqualTo(HostMemory.DEFLATED_TOUCH);
        assertThat(h.content(vm, 1000)).isZero();
        assertThat(h.usedPages()).isEqualTo(used);
    }

    @Test
    void statsUseTheVirtioTagOrderAndQemuNames() {
        var s = BalloonDevice.stats(1, 2, 3, 4, 5, 6, 7, 8, 9);
        assertThat(s.keySet()).containsExactly("stat-swap-in", "stat-swap-out", "stat-major-faults", "stat-minor-faults",
                "stat-free-memory", "stat-total-memory", "stat-available-memory", "stat-disk-caches", "stat-oom-kills");
        assertThat(s.values()).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L);
    }
}
