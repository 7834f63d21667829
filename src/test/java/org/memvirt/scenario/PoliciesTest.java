package org.memvirt.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.memvirt.engine.HostResult;
import org.memvirt.engine.RunListener;
import org.memvirt.sim.SimEngine;

/** The host-side managers: ksmtuned's KSM knobs and Proxmox's auto-ballooning (reference §7, item 9). */
class PoliciesTest {
    private static HostResult run(String yaml) {
        return new SimEngine().run(ScenarioLoader.parse(yaml, "t"), RunListener.NONE);
    }

    @Test
    void ksmtunedStopsKsmdWithoutPressureAndBoostsItBy300PerMinuteUnderPressure() {
        HostResult r = run("""
                duration: 130s
                host: {ram: 4G, swap: 2G, ksm: {run: 1}, ksm_policy: ksmtuned}
                vms: [{name: g, memory: 4G, start: 30s, workload: ["touch 3600M", "sleep 200s"]}]
                """);
        List<String> tunes = r.events().stream().filter(e -> e.kind().equals("ksm_tune")).map(HostResult.Event::message).toList();
        assertThat(tunes).hasSize(3);
        assertThat(tunes.get(0)).startsWith("ksmtuned: run=0 ");                                    // committed + thres < total
        assertThat(tunes.get(1)).startsWith("ksmtuned: run=1 pages_to_scan=300 sleep_millisecs=40"); // 10 * 16 GiB / 4 GiB
        assertThat(tunes.get(2)).startsWith("ksmtuned: run=1 pages_to_scan=600 sleep_millisecs=40");
        assertThat(r.host().ksm().get("pages_to_scan")).isEqualTo(600);
    }

    @Test
    void proxmoxConvergesOnTheTargetShareOfHostMemory() {
        HostResult r = run("""
                duration: 200s
                host: {ram: 8G, reserve: 512M, swap: 1G, balloon_policy: {kind: proxmox, target_percent: 80}}
                vms:
                  - {name: big, memory: 4G, boot_touch: 4000M, balloon: {min: 1G, shares: 3000}, workload: ["sleep 190s"]}
                  - {name: small, memory: 4G, boot_touch: 4000M, balloon: {min: 1G, shares: 1000}, workload: ["sleep 190s"]}
                """);
        long used = r.host().usedBytes();
        assertThat(used).isEqualTo((2_097_152L * 80 / 100 + 1) * 4096);   // 80% of the host pages; a 1-page goal splits to 0
        // the 1,963 MiB over the target are taken back 1:3, in inverse proportion to the shares 3000:1000
        assertThat(r.vms().get(0).balloonedBytes() / 4096).isEqualTo(125_465);
        assertThat(r.vms().get(1).balloonedBytes() / 4096).isEqualTo(376_397);   // 3.0 x 125,465
        assertThat(r.events()).anyMatch(e -> e.message().startsWith("proxmox:"));
    }
}
