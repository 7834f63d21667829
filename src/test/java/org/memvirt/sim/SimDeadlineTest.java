package org.memvirt.sim;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import org.memvirt.config.QemuArgs;
import org.memvirt.host.MmuMode;
import org.memvirt.engine.RunListener;
import org.memvirt.engine.RunSpec;
import org.memvirt.workload.WorkloadParser;

class SimDeadlineTest {

    @Test
    void aWorkloadThatCannotFinishInTimeIsRefusedUpFront() {
        // 10^12 accesses x 10 ns = 10,000 s = 2.8 h > 600 s
        assertThatThrownBy(() -> SimDeadline.start(WorkloadParser.parseShorthand("random 1000000000000 over 1M"),
                Duration.ofSeconds(600), () -> 0)).isInstanceOf(SimException.class)
                .hasMessage("the workload's 1,000,000,000,000 accesses take the simulator at least 2.8 h (10 ns each at"
                        + " best), more than --timeout 600 s; make the workload smaller or raise --timeout");
        // 5 x 10^9 x 10 ns = 50 s: within 60 s, so it may start
        assertThatCode(() -> SimDeadline.start(WorkloadParser.parseShorthand("repeat 5 { random 1000000000 over 1M }"),
                Duration.ofSeconds(60), () -> 0)).doesNotThrowAnyException();
    }

    @Test
    void theDeadlineStopsTheRunInItsStep() {
        long[] now = {0};
        SimDeadline d = SimDeadline.start(WorkloadParser.parseShorthand("touch 1M"), Duration.ofSeconds(5), () -> now[0]);
        d.step("touch 1M");
        now[0] = 5_000_000_000L;
        assertThatCode(d::check).doesNotThrowAnyException();                    // at the limit: still running
        now[0]++;
        assertThatThrownBy(d::check).hasMessage("the sim run stopped after --timeout 5 s, in step 'touch 1M'")
                .extracting(e -> ((SimException) e).exitCode()).isEqualTo(4);             // docs/exit-codes.md: guest
    }

    /**
     * A walk-bound workload: 20 M random reads over 64 Ki pages, which the simulator does at 1.8–12 M/s
     * (docs/PERFORMANCE.md, tlbHostile), so 2–11 s, far past a 1 s limit; its 0.2 s lower bound lets it start.
     */
    @Test
    void aRunPastItsTimeoutStops() {
        RunSpec spec = new RunSpec(QemuArgs.parse(List.of("-m", "512M")), WorkloadParser.parseShorthand(
                "touch 1M; random 20000000 over 256M"), MmuMode.EPT, true, "zen5", Duration.ofSeconds(1), 1);
        assertThatThrownBy(() -> new SimEngine().run(spec, RunListener.NONE)).isInstanceOf(SimException.class)
                .hasMessage("the sim run stopped after --timeout 1 s, in step 'random 20000000 over 256M'");
    }
}
