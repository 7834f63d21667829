package org.memvirt.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

import org.memvirt.engine.EngineException;
import org.memvirt.engine.HostSpec;
import org.memvirt.scenario.ScenarioLoader;

class SimHostCostTest {
    /** Four VMs touching 100 MiB each under ksmd at 5,000 pages per 20 ms: the case that ran for hours unannounced. */
    static final String KSM_HOST = "host: {ram: 4G, ksm: {run: 1, pages_to_scan: 5000, sleep_millisecs: 20}}\n"
            + "vms: [{name: a, count: 4, qemu: \"-m 1G\", workload: [touch 100M]}]\n";

    private static HostSpec scenario(String yaml) {
        return ScenarioLoader.parse(yaml, "cost");
    }

    @Test
    void theEstimateAddsQuantaKsmPagesAndAccesses() {
        SimHostCost.Estimate e = SimHostCost.estimate(scenario("duration: 1h\n" + KSM_HOST));
        // 3.6e6 quanta x (150 + 3 x 10) ns = 0.648 s; 180,000 wakes x 5,000 pages x 150 ns = 135 s, plus the walk of
        // 5,000/102,400 of 1,048,576 RAM pages a wake (51,200 x 1 ns) = 9.216 s; 102,400 accesses x 30 ns = 0.003 s
        assertThat(e.seconds()).isCloseTo(0.648 + 135 + 9.216 + 0.003072, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(e.terms()).isEqualTo("4 VMs, 1 h of virtual time, ksmd at 250,000 pages/s");
    }

    @Test
    void aScenarioExpectedToOutlastItsWallLimitIsRefusedBeforeAnythingIsBuilt() {
        HostSpec s = scenario("duration: 1000h\n" + KSM_HOST);
        assertThatThrownBy(() -> new SimEngine().check(s)).isInstanceOf(EngineException.class)
                .hasMessage("scenario cost: simulating it would take about 40.2 h (4 VMs, 1000 h of virtual time, ksmd at"
                        + " 250,000 pages/s), more than --max-wall 1 h; shorten its duration or raise --max-wall");
        assertThat(SimHostCost.announcement(s)).isEmpty();                        // refused, not announced
        assertThat(SimHostCost.announcement(s.withMaxWall(100L * 3_600_000_000_000L))).contains("warning: scenario"
                + " cost: simulating it will take about 40.2 h (4 VMs, 1000 h of virtual time, ksmd at 250,000 pages/s);"
                + " --max-wall 100 h stops it");
        assertThat(SimHostCost.announcement(scenario("duration: 1m\n" + KSM_HOST))).isEmpty();   // 2.4 s: quick
    }

    @Test
    void aRunThatUsesUpItsWallTimeStopsWithoutAReport() {
        SimHost runner = new SimHost(scenario("duration: 1h\nhost: {ram: 4G}\nvms: [{name: a, qemu: \"-m 1G\","
                + " workload: [touch 1M]}]\n").withMaxWall(10_000_000_000L));
        long[] now = {0};
        runner.wallClock = () -> now[0] += 1_000_000_000L;                      // one second per look at the clock
        // the start reads 1 s; checks every 1,024 quanta read 2, 3, ... s; the check at quantum 10 x 1,024 reads 12 s
        assertThatThrownBy(() -> runner.run(org.memvirt.engine.RunListener.NONE)).isInstanceOf(SimException.class).hasMessage("scenario cost: stopped after"
                + " --max-wall 10 s of simulation, at 10.2 s of 1 h of virtual time; no report was written")
                .extracting(e -> ((SimException) e).exitCode()).isEqualTo(4);
    }
}
