package org.memvirt.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.memvirt.config.QemuArgs;
import org.memvirt.engine.EngineException;
import org.memvirt.engine.GuestProfile;
import org.memvirt.engine.ResidentSplit;
import org.memvirt.engine.RunListener;
import org.memvirt.engine.RunResult;
import org.memvirt.engine.RunSpec;
import org.memvirt.host.MmuMode;
import org.memvirt.workload.WorkloadParser;

/** The sim's "linux" guest profile against the figures issue acceptance states for a real Linux guest under QEMU. */
class LinuxGuestProfileTest {
    private static final long MIB = 1L << 20;
    private static final long GIB = 1L << 30;

    private static RunResult run(String ram, String guest, String workload) {
        RunSpec spec = new RunSpec(QemuArgs.parse(List.of("-m", ram)), WorkloadParser.parseShorthand(workload),
                MmuMode.EPT, true, "zen5", Duration.ofMinutes(1), 1, false, 0, null, GuestProfile.parse(guest, "--guest"));
        return new SimEngine().run(spec, RunListener.NONE);
    }

    @Test
    void theBootFootprintFollowsTheKernelsRules() {
        LinuxGuestProfile p = new LinuxGuestProfile(GuestProfile.LINUX, QemuArgs.parse(List.of("-m", "4G")).layout());
        assertThat(p.structPagePages()).isEqualTo(16_384);                  // 64 MiB: 64 B x 1,048,576 pages
        // (4 GiB - 64 MiB) / 4 KiB = 1,032,192 kernel pages: 524,288 dentry + 262,144 inode buckets of 8 B
        assertThat(LinuxGuestProfile.hashTableBytes(4 * GIB, 64 * MIB)).isEqualTo(6 * MIB);
        // pc puts 1 GiB of -m 4G above 4 GiB: the swiotlb's 64 MiB and its slot array
        assertThat(LinuxGuestProfile.swiotlbBytes(QemuArgs.parse(List.of("-m", "4G")).layout())).isEqualTo(64 * MIB + 768 * 1024);
        assertThat(LinuxGuestProfile.swiotlbBytes(QemuArgs.parse(List.of("-m", "2G")).layout())).isZero();
        // 65,536 + 6,144 + 66,304 kB (struct pages, hash tables, swiotlb) + 46,912 kB + 4 x 4 kB = 184,912 kB reserved
        assertThat(p.reservedPages()).isEqualTo(184_912 / 4);
        assertThat(p.memTotalPages() * 4).isEqualTo(4 * 1024 * 1024 - 184_912);
        assertThat(p.idleUsedPages() * 4).isEqualTo(58_804);               // measured at -m 4G
    }

    @Test
    void residentIsTheTouchedGibPlusTheKernelAndGrowsWithRamByTheStructPagesOnly() {
        RunResult idle = run("4G", "linux", "touch 4K");
        RunResult r = run("4G", "linux", "touch 1G");
        long resident = r.memory().residentBytes();
        assertThat(resident).isBetween(GIB, GIB * 14 / 10);                // the qemu engine's acceptance band
        assertThat(resident - idle.memory().residentBytes()).isGreaterThanOrEqualTo(GIB - 4096);
        ResidentSplit a = r.memory().accounting();
        assertThat(a.structPagesBytes()).isEqualTo(64 * MIB);
        assertThat(a.workloadBytes()).isEqualTo(GIB);
        assertThat(a.totalBytes()).isEqualTo(resident);
        // -m 16G to -m 64G: 48 GiB more RAM costs 1.5625 % of it (768 MiB) in struct pages; within 25 % of that all told
        long growth = run("64G", "linux", "touch 1G").memory().residentBytes()
                - run("16G", "linux", "touch 1G").memory().residentBytes();
        assertThat(growth).isBetween(768 * MIB * 3 / 4, 768 * MIB * 5 / 4);
    }

    @Test
    void freedMemoryStaysResidentUntilFreePageReportingReturnsItTwoSecondsLater() {
        String freed = "touch 1G; free 1G; sleep 1s";
        long touched = run("4G", "linux", "touch 1G").memory().residentBytes();
        assertThat(run("4G", "linux", freed + "; sleep 19s").memory().residentBytes()).isEqualTo(touched);
        // the first pass runs PAGE_REPORTING_DELAY (2 s) after the first free: not within the free's 263 ms and 1 s
        assertThat(run("4G", "linux,free-page-reporting=on", freed).memory().residentBytes()).isEqualTo(touched);
        long reported = run("4G", "linux,free-page-reporting=on", freed + "; sleep 19s").memory().residentBytes();
        assertThat(touched - reported).isGreaterThanOrEqualTo(7 * GIB / 10);
    }

    @Test
    void theBalloonDriverInflatesAtTheGuestsPace() {
        RunResult kvm = run("4G", "linux", "touch 1G; free 1G; balloon to 1G");
        RunResult tcg = run("4G", "linux,balloon-pace=tcg", "touch 1G; free 1G; balloon to 1G");
        // 1,024 round trips of 256 pages: 575,619 ns each at 444,742 pages/s, 8,724,100 ns at 29,344 pages/s; on top,
        // the cost model's time for the 1,024 I/O exits and the page moves, about 1 ms (bounded here by 2 ms)
        long kvmNanos = kvm.ops().get(2).nanos();
        long tcgNanos = tcg.ops().get(2).nanos();
        assertThat(kvmNanos).isBetween(1_024L * 575_619, 1_024L * 575_619 + 2_000_000);
        assertThat(tcgNanos).isBetween(1_024L * 8_724_100, 1_024L * 8_724_100 + 2_000_000);
        assertThat(kvm.memory().balloonedBytes()).isEqualTo(GIB);
    }

    @Test
    void aGuestTooSmallForTheKernelIsRefusedBeforeItRuns() {
        RunSpec spec = new RunSpec(QemuArgs.parse(List.of("-m", "64M")), WorkloadParser.parseShorthand("touch 4K"),
                MmuMode.EPT, true, "zen5", Duration.ofMinutes(1), 1, false, 0, null, GuestProfile.LINUX);
        assertThatThrownBy(() -> new SimEngine().check(spec, "")).isInstanceOf(EngineException.class)
                .hasMessageStartingWith("a Linux guest of 64 MiB cannot boot: its kernel alone holds ");
    }

    @Test
    void aLinuxGuestsFramesComeFromTheTopOfRamDown() {
        FrameAllocator f = new FrameAllocator(QemuArgs.parse(List.of("-m", "4G")).layout().ramRegions(), true);
        long top = (5 * GIB) >>> 12;                                        // pc: 1 GiB above 4 GiB
        assertThat(f.allocate()).isEqualTo(top - 1);
        assertThat(f.allocateLarge()).isEqualTo(top - 1024);               // the next 2 MiB run below, aligned
        assertThat(f.allocate()).isBetween(top - 512, top - 2);            // a frame skipped for the alignment
        assertThat(f.freeFrames()).isEqualTo((4 * GIB - 2 * MIB) / 4096 - 514);
    }
}
