package org.memvirt.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import org.memvirt.engine.HostSpec;
import org.memvirt.engine.RunListener;
import org.memvirt.sim.SimEngine;

class ScenarioRunnerProgressTest {
    /** Records what a progress bar would be told. */
    static final class Recorder implements RunListener {
        final List<String> steps = new ArrayList<>();
        final List<Double> done = new ArrayList<>();

        @Override
        public void stepStarted(int index, int total, String text) {
            steps.add(index + "/" + total + " " + text);
        }

        @Override
        public void stepProgress(double d) {
            done.add(d);
        }
    }

    @Test
    void progressIsVirtualTimeDoneOfTheDurationOncePerSample() {
        HostSpec s = ScenarioLoader.parse("""
                duration: 10s
                host: {ram: 1G, reserve: 128M, swap: 0}
                vms:
                  - {name: a, memory: 256M, workload: [touch 64M, sleep 5s]}
                """, "tiny");
        Recorder r = new Recorder();
        new SimEngine().run(s, r);
        assertThat(r.steps).containsExactly("0/1 tiny");
        assertThat(r.done).hasSize(101);                      // default sample: duration / 100, then done
        assertThat(r.done).isSorted();
        assertThat(r.done.getFirst()).isEqualTo(0.01);
        assertThat(r.done.getLast()).isEqualTo(1.0);
    }

    @Test
    void openEndedScenariosReportTheShareOfVmsThatHaveFinished() {
        HostSpec s = ScenarioLoader.parse("""
                host: {ram: 1G, reserve: 128M, swap: 0}
                vms:
                  - {name: short, memory: 128M, workload: [sleep 2s]}
                  - {name: long, memory: 128M, workload: [sleep 4s]}
                """, "open");
        Recorder r = new Recorder();
        new SimEngine().run(s, r);
        assertThat(r.done).isSorted().contains(0.0, 0.5, 1.0);
    }
}
