package org.memvirt.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.Test;
import org.memvirt.engine.HostResult;
import org.memvirt.engine.RunListener;
import org.memvirt.report.Json;
import org.memvirt.sim.SimEngine;

class ScenarioRunnerTest {
    private static final long GIB = 1L << 30;

    private static HostResult run(String yaml) {
        return new SimEngine().run(ScenarioLoader.parse(yaml, "t"), RunListener.NONE);
    }

    /** The classic sizing example at full size, its use phase only: 64 guests each touching (almost) all of their 1 GiB. */
    private static String seed(String swap) throws Exception {
        return Files.readString(Path.of("examples/seed-64x1g-40g-swap.yaml"))
                .replace("swap: 40G", "swap: " + swap)
                .replace("duration: 10m", "duration: 40s")
                .replace("start_stagger: 2s", "start_stagger: 100ms")
                .replace("ksm: {run: 1}\n  ksm_policy: ksmtuned\n", "ksm: {run: 0}\n")
                .replace("      - sleep 60s\n      - random 200000 over 1022M writes 20%\n", "");
    }

    @Test
    void seed64GuestsOf1GiBWith40GiBSwapKillNoGuest() throws Exception {
        org.memvirt.config.SwapPlan plan = new org.memvirt.config.SwapPlan(
                List.of(new org.memvirt.config.SwapPlan.Guests(64, GIB)), 32 * GIB, 4 * GIB, -1);
        assertThat(plan.totalSwap()).isEqualTo(40 * GIB);                      // 36 + Red Hat's 4 GiB, as config plans it
        HostResult r = run(seed("40G"));
        assertThat(r.vms()).hasSize(64).allSatisfy(v -> {
            assertThat(v.killed()).isFalse();
            assertThat(v.status()).isEqualTo("finished");
            assertThat(v.verifyMismatches()).isZero();
        });
        long used = r.vms().stream().mapToLong(v -> v.residentBytes() + v.swappedBytes()).sum();
        assertThat(used).isEqualTo(64 * GIB);                                   // every guest page is backed
        assertThat(r.host().peakSwapUsedBytes()).isBetween(36 * GIB, 37 * GIB);  // 64 + 4 - 32 = 36 GiB, plus watermarks
        assertThat(r.events()).noneMatch(e -> e.kind().equals("oom_kill"));
    }

    @Test
    void seed64GuestsWithTooLittleSwapKillGuestsAndSayWhen() throws Exception {
        HostResult r = run(seed("16G"));
        List<HostResult.Vm> killed = r.vms().stream().filter(HostResult.Vm::killed).toList();
        // 64 GiB of guests + 4 GiB for the host need 68 GiB; 32 GiB RAM + 16 GiB swap hold 48: about 20 guests must go
        assertThat(killed).hasSizeBetween(20, 22);
        assertThat(killed).allSatisfy(v -> assertThat(v.killedAt()).isNotNull().isPositive());
        assertThat(r.events().stream().filter(e -> e.kind().equals("oom_kill")).count()).isEqualTo(killed.size());
        assertThat(r.vms().stream().filter(v -> !v.killed())).allSatisfy(v -> assertThat(v.verifyMismatches()).isZero());
        assertThat(r.host().vmstat().get("oom_kill")).isEqualTo(killed.size());
    }

    @Test
    void redHatRuleFiftyGuestsOn32GiBNeed26GiBOfSwap() throws Exception {
        // swap >= guests + 4 GB host + 4 GB host swap - RAM = 50 + 4 + 4 - 32 = 26 GiB (overcommit reference §4.1)
        HostResult r = run(seed("26G").replace("count: 64", "count: 50"));
        assertThat(r.vms()).hasSize(50).noneMatch(HostResult.Vm::killed);
        assertThat(r.host().peakSwapUsedBytes()).isBetween(22 * GIB, 23 * GIB);   // 50 + 4 - 32 = 22 GiB really used
    }

    @Test
    void identicalGuestsAreMergedByKsmExceptTheOptedOutOne() {
        HostResult r = run("""
                duration: 20s
                host: {ram: 4G, swap: 1G, ksm: {run: 1, pages_to_scan: 20000, sleep_millisecs: 20}}
                vms:
                  - {name: web, count: 4, memory: 256M, workload: ["fill 100M content=same:1000", "touch 20M at 100M"]}
                  - {name: private, qemu: "-m 256M -machine mem-merge=off", workload: ["fill 100M content=same:1000"]}
                """);
        var ksm = r.host().ksm();
        assertThat(ksm.get("pages_shared")).isEqualTo(1000);          // one KSM page per distinct content
        assertThat(ksm.get("pages_sharing")).isEqualTo(4 * 25_600 - 1000);
        assertThat(r.vms().getLast().sharedBytes()).isZero();
        assertThat(r.vms().getFirst().sharedBytes()).isEqualTo(100L << 20);
        assertThat(r.events()).anyMatch(e -> e.kind().equals("ksm_merge"));
    }

    @Test
    void aFixedBalloonTargetTakesFreeMemoryFromAnIdleGuest() {
        HostResult r = run("""
                duration: 20s
                host: {ram: 4G, reserve: 512M, swap: 1G, balloon_policy: fixed}
                vms:
                  - {name: idle, memory: 2G, boot_touch: 1536M, balloon: {target: 512M, at: 2s}, workload: ["sleep 15s"]}
                """);
        HostResult.Vm idle = r.vms().getFirst();
        assertThat(idle.balloonedBytes()).isEqualTo(1536L << 20);
        assertThat(idle.balloonTargetBytes()).isEqualTo(1536L << 20);
        assertThat(idle.residentBytes()).isEqualTo(2L << 20);           // only the runtime's 2 MiB stays backed
        assertThat(idle.free().total()).isEqualTo(512L << 20);          // no DEFLATE_ON_OOM: MemTotal shrinks
        assertThat(r.events()).anyMatch(e -> e.kind().equals("balloon_done"));
    }

    @Test
    void anInflateBeyondWhatTheGuestCanFreeRunsOutOfPuffAndNeverReachesTheTarget() {
        HostResult r = run("""
                duration: 5s
                host: {ram: 4G, swap: 0}
                vms:
                  - {name: full, memory: 64M, balloon: true, workload: ["touch 60M", "balloon to 32M", "sleep 4s"]}
                """);
        HostResult.Vm v = r.vms().getFirst();
        assertThat(v.balloonTargetBytes()).isEqualTo(32L << 20);
        assertThat(v.balloonedBytes()).isEqualTo(2L << 20);            // only the 2 MiB the guest had free
        assertThat(r.events()).anyMatch(e -> e.kind().equals("balloon_out_of_puff"));
    }

    @Test
    void freedPagesStayResidentUntilTheBalloonTakesThem() {
        HostResult r = run("""
                duration: 5s
                host: {ram: 4G, swap: 0}
                vms:
                  - {name: g, memory: 64M, balloon: true, workload: ["touch 60M", "free 60M", "balloon to 32M", "sleep 4s"]}
                """);
        HostResult.Vm v = r.vms().getFirst();
        // unlike the out-of-puff case above, the freed 60 MiB are free frames the driver can give: the balloon takes
        // 32 MiB of them off the LIFO free list, and only then do their host pages go (runtime 2 + 60 - 32 MiB)
        assertThat(v.balloonedBytes()).isEqualTo(32L << 20);
        assertThat(v.residentBytes()).isEqualTo(30L << 20);
        assertThat(r.events()).noneMatch(e -> e.kind().equals("balloon_out_of_puff"));
    }

    @Test
    void deflateOnOomGivesPagesBackWhenTheGuestNeedsThem() {
        HostResult r = run("""
                host: {ram: 4G, swap: 0}
                vms:
                  - {name: g, memory: 64M, balloon: {deflate_on_oom: true}, workload: ["balloon to 32M", "sleep 1s", "touch 40M", "verify"]}
                """);
        HostResult.Vm v = r.vms().getFirst();
        assertThat(v.status()).isEqualTo("finished");
        assertThat(v.balloonedBytes()).isEqualTo(22L << 20);            // 64 - 2 - 40 MiB left in the balloon
        assertThat(v.free().total()).isEqualTo(64L << 20);              // DEFLATE_ON_OOM: MemTotal unchanged
        assertThat(r.events()).anyMatch(e -> e.kind().equals("balloon_deflate_on_oom"));
    }

    @Test
    void momShrinksGuestsUnderHostPressure() {
        HostResult r = run("""
                duration: 60s
                host: {ram: 4G, reserve: 512M, swap: 2G, balloon_policy: mom}
                vms:
                  - {name: idle, memory: 2G, boot_touch: 1800M, balloon: {min: 256M}, workload: ["sleep 55s"]}
                  - {name: busy, memory: 2G, workload: ["touch 1500M", "sleep 50s"]}
                """);
        HostResult.Vm idle = r.vms().getFirst();
        assertThat(idle.balloonedBytes()).isPositive();
        assertThat(r.events()).anyMatch(e -> e.kind().equals("balloon_target") && e.message().startsWith("mom:"));
    }

    @Test
    void jsonHasTheDocumentedFields() throws Exception {
        HostResult r = run("""
                duration: 2s
                host: {ram: 1G, swap: 256M, ksm: true}
                vms: [{name: a, memory: 64M, workload: ["touch 8M"]}]
                """);
        JsonNode j = Json.mapper().readTree(Json.write(r));
        JsonNode vm = j.get("vms").get(0);
        for (String f : List.of("name", "killed", "killed_at", "peak_resident_bytes", "peak_swapped_bytes")) assertThat(vm.has(f)).as(f).isTrue();
        for (String f : List.of("ram_bytes", "swap_bytes", "peak_swap_used_bytes", "ksm")) assertThat(j.get("host").has(f)).as(f).isTrue();
        for (String f : List.of("pages_shared", "pages_sharing", "pages_unshared", "pages_volatile", "full_scans",
                "general_profit", "ksm_zero_pages")) {
            assertThat(j.get("host").get("ksm").has(f)).as(f).isTrue();
        }
        assertThat(j.get("events").isArray()).isTrue();
        assertThat(vm.get("peak_resident_bytes").asLong()).isEqualTo(10L << 20);   // 2 MiB runtime + 8 MiB
    }

    @Test
    void randomAccessOverMostlySwappedMemoryIsASwapInStorm() {
        HostResult r = run("""
                duration: 30s
                sample: 1s
                host: {ram: 1G, reserve: 256M, swap: 2G, swap_kind: nvme}
                vms:
                  - {name: a, memory: 1G, workload: ["touch 1000M", "random 300000 over 1000M writes 10%"]}
                  - {name: b, memory: 1G, workload: ["touch 1000M", "random 300000 over 1000M writes 10%"]}
                """);
        assertThat(r.events()).anyMatch(e -> e.kind().equals("swap_in_storm") && e.vm().equals("a"));
        assertThat(r.vms()).allSatisfy(v -> assertThat(v.majorFaults()).isEqualTo(v.swapIns()).isPositive());
        assertThat(r.host().vmstat().get("pswpin")).isEqualTo(r.vms().get(0).swapIns() + r.vms().get(1).swapIns());
    }

    @Test
    void zramSwapKeepsItsCompressedPagesInRam() {
        HostResult r = run("""
                duration: 5s
                host: {ram: 1G, reserve: 256M, swap: 1G, swap_kind: zram}
                vms: [{name: a, memory: 1G, workload: ["touch 900M"]}]
                """);
        long swapped = r.vms().getFirst().swappedBytes();
        assertThat(swapped).isPositive();
        // RAM = reserve + guest frames + one frame per three swapped pages + free
        long zramBytes = (swapped / 4096 + 2) / 3 * 4096;
        assertThat(r.host().usedBytes()).isEqualTo((256L << 20) + r.vms().getFirst().residentBytes() + zramBytes);
        assertThat(r.events()).noneMatch(e -> e.kind().equals("oom_kill"));
    }
}
