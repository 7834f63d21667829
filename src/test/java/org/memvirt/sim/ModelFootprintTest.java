package org.memvirt.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import org.memvirt.config.QemuArgs;
import org.memvirt.host.MmuMode;
import org.memvirt.engine.RunListener;
import org.memvirt.engine.RunSpec;
import org.memvirt.workload.WorkloadParser;

class ModelFootprintTest {
    static final long GIB = 1L << 30, PAGES_PER_GIB = 262_144;

    private static long run(String workload, long ramPages, MmuMode mode) {
        return ModelFootprint.runBytes(ramPages, WorkloadParser.parseShorthand(workload), mode);
    }

    @Test
    void touchedPagesAreTheRegionOfEveryProcessAndItsTablesAtMostRam() {
        // 1 GiB of data: 262,144 pages, 512 PTs + 1 PD + 1 PDPT (262,144 / 512 * (1 + 1/512 + 1/512^2) = 513.0)
        // and 4 table pages per process: 262,144 + 513.0 + 4 = 262,661.0, rounded up
        assertThat(ModelFootprint.touchedPages(4 * PAGES_PER_GIB, WorkloadParser.parseShorthand("touch 1G")))
                .isEqualTo(262_662);
        assertThat(ModelFootprint.touchedPages(4 * PAGES_PER_GIB, WorkloadParser.parseShorthand("processes 3; touch 1G")))
                .isEqualTo(3 * 262_144 + 1_540 + 12);               // 786,432 / 512 * (1 + ...) = 1,539.0 -> 1,540
        assertThat(ModelFootprint.touchedPages(PAGES_PER_GIB, WorkloadParser.parseShorthand("processes 8; touch 1G")))
                .isEqualTo(PAGES_PER_GIB);                           // never more than RAM
        assertThat(ModelFootprint.touchedPages(PAGES_PER_GIB, WorkloadParser.parseShorthand("switch 10"))).isEqualTo(4);
    }

    @Test
    void runEstimatesFromTheMeasuredBytesPerPage() {
        // EPT: 64 GiB of RAM x 1/16 B + 262,662 touched x 48 B
        assertThat(run("touch 1G", 64 * PAGES_PER_GIB, MmuMode.EPT)).isEqualTo(1_048_576 + 262_662L * 48);
        assertThat(run("touch 1G", 64 * PAGES_PER_GIB, MmuMode.SHADOW)).isEqualTo(1_048_576 + 262_662L * 64);
        // a Zipf stream adds its CDF: one double per page of its range
        assertThat(run("random 10 over 1G dist zipf:0.99", 64 * PAGES_PER_GIB, MmuMode.EPT))
                .isEqualTo(1_048_576 + 262_662L * 48 + 8 * PAGES_PER_GIB);
    }

    @Test
    void scenarioVmsPayForEveryRamPageUpFront() {
        // per RAM page: flags 1 + two extent tables 2 x 96 / 512; KSM 1 + 3 x 8 / 512; verify 96 / 512: 2.609375 B
        assertThat(ModelFootprint.scenarioVmBytes(PAGES_PER_GIB, 0, 0, true, true)).isEqualTo(684_032);
        // and 16 B per touched page of a mergeable VM
        assertThat(ModelFootprint.scenarioVmBytes(PAGES_PER_GIB, PAGES_PER_GIB, 0, true, true))
                .isEqualTo(684_032 + 16 * PAGES_PER_GIB);
        // mem-merge=off, no verify: 1.375 B per RAM page, 8 per touched page (never more than RAM)
        assertThat(ModelFootprint.scenarioVmBytes(PAGES_PER_GIB, 2 * PAGES_PER_GIB, 0, false, false))
                .isEqualTo(360_448 + 8 * PAGES_PER_GIB);
        // 56 B per page holding a plain value: 2.421875 x 262,144 + 16 x 262,144 + 56 x 100,000
        assertThat(ModelFootprint.scenarioVmBytes(PAGES_PER_GIB, PAGES_PER_GIB, 100_000, true, false))
                .isEqualTo(634_880 + 16 * PAGES_PER_GIB + 5_600_000);
    }

    private static List<org.memvirt.workload.Op> ops(String shorthand) {
        return WorkloadParser.parseShorthand(shorthand).steps().stream().map(s -> s.op()).toList();
    }

    @Test
    void plainValuesComeOnlyFromWritesOverFilledPages() {
        // the host-scale example's guest: 200,000 random writes, the touch lies beside the fill
        assertThat(ModelFootprint.plainPages(ops(
                "fill 1G content=same:4096; touch 3070M at 1G; random 1000000 over 4094M writes 20%"))).isEqualTo(200_000);
        // no fill, nothing to mix with; a zero fill neither
        assertThat(ModelFootprint.plainPages(ops("touch 1G; random 1000 over 1G writes 50%")))
                .isZero();
        assertThat(ModelFootprint.plainPages(ops("fill 1G content=zero; touch 1G"))).isZero();
        // a touch over 4 MiB of a fill: its 1,024 pages (+ 1 for a range not aligned to pages), never more than filled
        assertThat(ModelFootprint.plainPages(ops("fill 8M content=unique; touch 4M at 2M")))
                .isEqualTo(1_025);
        assertThat(ModelFootprint.plainPages(ops(
                "fill 8M content=unique; repeat 3 { random 100000 over 8M writes 10% }"))).isEqualTo(2_048);
    }

    @Test
    void aModelLargerThanTheHeapIsRefusedWithTheFigures() {
        assertThatThrownBy(() -> ModelFootprint.check(9 * GIB, "this run", 4 * GIB))
                .isInstanceOf(ModelFootprint.TooLarge.class)
                .hasMessage("the sim model of this run needs about 9.1 GiB of heap, the JVM has 4.0 GiB; set"
                        + " MEMVIRT_JAVA_OPTS=-Xmx11g (./memvirt passes it to java) on a host with that much memory, or"
                        + " make the guests or the workload smaller")
                .extracting(e -> ((ModelFootprint.TooLarge) e).exitCode()).isEqualTo(3);
        assertThatThrownBy(() -> ModelFootprint.check(GIB - (64L << 20) + 1, "x", GIB))
                .hasMessageStartingWith("the sim model of x needs about 1.00 GiB of heap, the JVM has 1.00 GiB;");
        assertThatCode(() -> ModelFootprint.check(GIB - (64L << 20), "x", GIB)).doesNotThrowAnyException();
    }

    /**
     * The estimate bounds what the model really holds: the live heap (after full GCs) at the end of a run, while the
     * model is referenced, minus the live heap before it. Shadow paging with unique content is the costliest per page
     * measured; 2 GiB of it is 524,288 pages, so the classes and JIT code loaded on the way (a few hundred KiB, kept
     * out by a warm-up run of the same code) are small beside the 64 B x 524,288 = 32 MiB bound.
     */
    @Test
    void theEstimateBoundsTheLiveHeapOfARun() {
        measure("-m 64M", "fill 16M content=unique; verify");            // warm-up: load and compile the same code
        long live = measure("-m 4G", "fill 2G content=unique; verify");
        long estimate = run("fill 2G content=unique; verify", 4 * PAGES_PER_GIB, MmuMode.SHADOW);
        assertThat(live).as("live model bytes").isLessThanOrEqualTo(estimate).isGreaterThan(estimate / 2);
    }

    private static long measure(String qemu, String workload) {
        return liveHeapOf(listener -> new SimEngine().run(new RunSpec(QemuArgs.parse(List.of(qemu.split(" "))),
                WorkloadParser.parseShorthand(workload), MmuMode.SHADOW, true, "zen5", Duration.ofMinutes(5), 1), listener));
    }

    /**
     * The live heap (after full collections) when {@code run} reports its last step done, while its model is still
     * referenced, minus the live heap before it.
     */
    static long liveHeapOf(java.util.function.Consumer<RunListener> run) {
        long before = live();
        long[] peak = {0};
        run.accept(new RunListener() {
            @Override
            public void stepProgress(double done) {
                if (done >= 1.0) peak[0] = Math.max(peak[0], live());
            }
        });
        return peak[0] - before;
    }

    private static long live() {
        for (int i = 0; i < 3; i++) System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
