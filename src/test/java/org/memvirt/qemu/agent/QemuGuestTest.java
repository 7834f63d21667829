package org.memvirt.qemu.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.memvirt.engine.RunListener;
import org.memvirt.image.GuestImage;
import org.memvirt.image.ImageBuilder;
import org.memvirt.workload.Op;

/**
 * memvirt's guest image booted for real under QEMU (TCG, {@code -M microvm}, 1 GiB, one vCPU): one guest for the
 * whole class, its ops checked against the counters the guest kernel keeps. The image is built once per user and
 * cached ({@code memvirt image build}); the last test kills the agent to see the panic diagnosed.
 *
 * <p>Exact page-fault counts, derived: the agent's processes lock everything they use before the first op
 * (mlockall), so an op faults only on the workload region and on the agent's page-state map (one byte per region page,
 * written as pages are written: one more fault for each state-map page first written, i.e. per 4,096 region pages).
 * With THP {@code never} each first-touched 4 KiB page is one fault (mm/memory.c handle_mm_fault counts PGFAULT once
 * per fault, MADV_POPULATE_WRITE included, which faults through the same path).
 */
@Tag("qemu")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class QemuGuestTest {
    private static final Duration T = Duration.ofMinutes(2);
    private static final long M = 1 << 20;
    private static GuestImage image;
    private static TestQemu guest;

    @BeforeAll
    static void boot() throws Exception {
        var noQemu = TestQemu.whyNot();
        if (noQemu.isPresent()) System.out.println("QemuGuestTest skipped: " + noQemu.get());
        Assumptions.assumeTrue(noQemu.isEmpty(), () -> noQemu.get());
        ImageBuilder builder = ImageBuilder.forThisUser();
        var noImage = builder.whyUnavailable();
        if (noImage.isPresent()) System.out.println("QemuGuestTest skipped: " + noImage.get());
        Assumptions.assumeTrue(noImage.isEmpty(), () -> noImage.get());
        image = builder.obtain(RunListener.NONE);
        System.out.printf("guest image %s (%s in %d ms)%n", image.manifest().key(), image.cached() ? "cached" : "built",
                image.buildMillis());
        guest = TestQemu.boot(image, "microvm", "1G");
        System.out.printf("microvm under TCG: agent ready %d ms after QEMU started (guest uptime %d ms)%n",
                guest.readyMillis, guest.session.ready().uptimeNanos() / 1_000_000);
        guest.session.region(1024 * M, T);
    }

    @AfterAll
    static void shutDown() {
        if (guest != null) guest.close();
    }

    private static AgentOpResult run(Op op, String text) {
        AgentOpResult r = guest.session.run(op, text, T);
        System.out.printf("%-28s pgfault %6d  thp_fault_alloc %d  ctxt %d  guest %.1f ms  result %s%n", text,
                r.vmstat("pgfault"), r.vmstat("thp_fault_alloc"), r.stat().getOrDefault("ctxt", 0L), r.guestNanos() / 1e6, r.result());
        return r;
    }

    @Test
    @Order(1)
    void theAgentRunsInDebiansKernelWithThpNever() {
        AgentReply.Ready ready = guest.session.ready();
        assertThat(ready.kernel()).isEqualTo(image.manifest().kernelRelease());
        assertThat(ready.thp()).isEqualTo("never");
        assertThat(ready.cpus()).isEqualTo(1);
    }

    @Test
    @Order(2)
    void touch64MFaultsOncePerPagePlusTheStateMapAndVerifies() {
        AgentOpResult touch = run(new Op.Touch(64 * M, 0), "touch 64M");
        // 16,384 data pages + 16,384 state bytes = 4 state-map pages, each faulted by its first write
        assertThat(touch.vmstat("pgfault")).isEqualTo(16_384 + 4);
        assertThat(touch.vmstat("pgmajfault")).isZero();
        assertThat(touch.vmstat("thp_fault_alloc")).isZero();
        AgentOpResult verify = run(new Op.Verify(), "verify");
        assertThat(verify.result("pages")).isEqualTo(16_384);
        assertThat(verify.result("mismatches")).isZero();
        assertThat(verify.vmstat("pgfault")).isZero();                     // reading what is mapped faults nothing
        assertThat(touch.meminfo()).containsKey("MemTotal");
    }

    @Test
    @Order(3)
    void freedPagesComeBackZeroedAndFaultAgain() {
        AgentOpResult first = run(new Op.Touch(16 * M, 512 * M), "touch 16M at 512M");
        assertThat(first.vmstat("pgfault")).isEqualTo(4_096 + 1);         // its state bytes share one new state-map page
        AgentOpResult free = run(new Op.Free(16 * M, 512 * M), "free 16M at 512M");
        assertThat(free.result("pages")).isEqualTo(4_096);
        assertThat(free.vmstat("pgfree")).isGreaterThanOrEqualTo(4_096);  // the guest's allocator has them back
        AgentOpResult again = run(new Op.Touch(16 * M, 512 * M), "touch 16M at 512M");
        assertThat(again.vmstat("pgfault")).isEqualTo(4_096);             // the state-map page is still there
        assertThat(run(new Op.Verify(), "verify").result("mismatches")).isZero();
    }

    @Test
    @Order(4)
    void unmappedPagesKeepTheirContentAndReadWithoutFaultAfterRemap() {
        run(new Op.Touch(4 * M, 128 * M), "touch 4M at 128M");
        assertThat(run(new Op.Unmap(4 * M, 128 * M), "unmap 4M at 128M").result("pages")).isEqualTo(1_024);
        AgentOpResult verify = run(new Op.Verify(), "verify");
        assertThat(verify.result("mismatches")).isZero();
        assertThat(run(new Op.Remap(4 * M, 128 * M), "remap 4M at 128M").result("pages")).isEqualTo(1_024);
        assertThat(run(new Op.Read(4 * M, 128 * M), "read 4M at 128M").vmstat("pgfault")).isZero();
    }

    @Test
    @Order(5)
    void pages2MTakesHugePagesThroughMadvHugepage() {
        run(new Op.PageSize(Op.PageSize.SHIFT_2M), "pages 2M");
        AgentOpResult touch = run(new Op.Touch(8 * M, 256 * M), "touch 8M at 256M");
        assertThat(touch.vmstat("thp_fault_alloc")).isEqualTo(4);         // the region is 2 MiB-aligned
        assertThat(touch.vmstat("pgfault")).isEqualTo(4 + 1);             // one fault per huge page + one state-map page
        run(new Op.PageSize(Op.PageSize.SHIFT_4K), "pages 4K");
        assertThat(run(new Op.Verify(), "verify").result("mismatches")).isZero();
    }

    @Test
    @Order(6)
    void switchesAreContextSwitchesRoundTheProcesses() {
        run(new Op.Processes(3), "processes 3");
        AgentOpResult sw = run(new Op.Switch(100, false), "switch 100");
        assertThat(sw.running()).isEqualTo(1);                            // 100 handoffs from process 0 over 3
        assertThat(sw.stat().get("ctxt")).isGreaterThanOrEqualTo(100);     // each handoff blocks one process: one vCPU
        assertThat(run(new Op.Switch(2, false), "switch 2").running()).isZero();
    }

    @Test
    @Order(100)
    void aDeadAgentIsAKernelPanicAndQemuIsGone() throws Exception {
        assertThatThrownBy(() -> guest.session.raw("crash", T)).isInstanceOf(AgentException.class)
                .hasMessage("the guest died during 'crash': guest kernel panic: Kernel panic - not syncing: Attempted to"
                        + " kill init! exitcode=0x00004600");               // exit status 70 << 8 (kernel/exit.c)
        for (int i = 0; i < 300 && guest.qemu.alive(); i++) Thread.sleep(100);
        assertThat(guest.qemu.alive()).isFalse();                         // panic=-1 with -no-reboot: QEMU exits
        java.nio.file.Path dir = guest.qemu.command().qmpSocket().getParent();
        guest.close();
        assertThat(dir).doesNotExist();                                   // sockets and console log gone with it
        guest = null;
    }
}
