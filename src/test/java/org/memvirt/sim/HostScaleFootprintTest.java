package org.memvirt.sim;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import org.memvirt.engine.HostSpec;
import org.memvirt.scenario.ScenarioLoader;

/**
 * The host-scale example (examples/host-1t-256x4g.yaml, 2^28 guest pages; its run is a command in
 * docs/PERFORMANCE.md) at 1/128 of its size: the same guests' workload shape on 8 guests of 1 GiB (2^21 pages), RAM,
 * reserve and swap scaled alike. Its model, measured as live heap, stays within 12 bytes per guest page, and within
 * what {@link ModelFootprint} estimates before the run.
 */
class HostScaleFootprintTest {
    static final String SCALED = """
            name: host-8g-8x1g
            duration: 2m
            host:
              ram: 8G
              reserve: 256M
              swap: 288M
              swap_kind: nvme
              ksm: {run: 1}
              ksm_policy: ksmtuned
            vms:
              - name: guest
                count: 8
                qemu: "-m 1G"
                start_stagger: 250ms
                workload:
                  - fill 256M content=same:4096
                  - touch 766M at 256M
                  - sleep 60s
                  - random 250000 over 1022M writes 20%
                  - verify
            """;

    /**
     * Live heap after full collections at the end of the run, while the model is referenced, minus before it; a
     * warm-up run of the same code keeps class loading and compiled code out (a few hundred KiB beside the
     * 12 B x 2,097,152 = 24 MiB bound).
     */
    @Test
    void theScaledHostScaleExampleHoldsAtMost12BytesPerGuestPage() {
        measure(SCALED.replace("count: 8", "count: 1").replace("ram: 8G", "ram: 1G"));   // warm-up
        HostSpec spec = ScenarioLoader.parse(SCALED, "scaled");
        long live = measure(SCALED);
        long pages = 8L << 18;
        // at least the two bytes every page of a mergeable VM gets up front (state and flags, KSM age and skips)
        assertThat((double) live / pages).as("live model bytes per guest page").isBetween(2.0, 12.0);
        assertThat(live).as("live model bytes").isLessThanOrEqualTo(ModelFootprint.hostBytes(spec));
    }

    private static long measure(String yaml) {
        HostSpec spec = ScenarioLoader.parse(yaml, "scaled");
        return ModelFootprintTest.liveHeapOf(listener -> new SimEngine().run(spec, listener));
    }
}
