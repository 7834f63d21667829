package org.memvirt.sweep;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.memvirt.engine.Engines;
import org.memvirt.engine.HostSpec;
import org.memvirt.engine.RunListener;

class SweepTest {
    static final long MIB = 1L << 20;
    static final Path EXAMPLE = Path.of("examples/sweep-64x16m.yaml");

    /** The 512 MiB base host of the example with a study that fixes every VM's figures, so counts are exact. */
    static Path study(Path dir, String body) throws Exception {
        Files.copy(Path.of("examples/sweep-small-host.yaml"), dir.resolve("sweep-small-host.yaml"));
        return Files.writeString(dir.resolve("study.yaml"), "scenario: sweep-small-host.yaml\n" + body);
    }

    @Test
    void theExampleIsTheGridOfTheIssue() {
        Study s = StudyLoader.load(EXAMPLE);
        assertThat(s.parameters()).containsExactly("overcommit", "swap", "ksm");
        assertThat(s.points()).hasSize(5 * 2 * 2);
        assertThat(s.points().getFirst().label()).isEqualTo("overcommit 1, swap plan, ksm on");
        assertThat(s.points().get(1).label()).isEqualTo("overcommit 1, swap plan, ksm off");
        assertThat(s.points().get(2).label()).isEqualTo("overcommit 1, swap plan/2, ksm on");
        assertThat(s.points().getLast().label()).isEqualTo("overcommit 3, swap plan/2, ksm off");
        assertThat(s.hostsPerPoint()).isEqualTo(2);
        assertThat(s.hosts()).isEqualTo(40);
    }

    @Test
    void aKsmPolicyParameterSetsTheHostsKsmManager(@TempDir Path dir) throws Exception {
        // the host model of the example's base scenario runs ksmtuned; the parameter replaces it per point (it did
        // not: every point ran the base scenario's manager), and ksm off runs none
        Study s = StudyLoader.load(study(dir, """
                parameters:
                  ksm_policy: [none, ksmtuned, mom]
                  ksm: [on, off]
                mix: {memory: 16M, count: 1}
                """));
        HostBuilder b = new HostBuilder(s);
        assertThat(b.build(0, 0).ksmPolicy()).isEqualTo(HostSpec.KsmPolicy.NONE);
        assertThat(b.build(2, 0).ksmPolicy()).isEqualTo(HostSpec.KsmPolicy.KSMTUNED);
        assertThat(b.build(4, 0).ksmPolicy()).isEqualTo(HostSpec.KsmPolicy.MOM);
        assertThat(b.build(5, 0).ksmPolicy()).isEqualTo(HostSpec.KsmPolicy.NONE);
        assertThat(b.build(4, 0).host().ksm().run()).isTrue();
        assertThat(b.build(5, 0).host().ksm().run()).isFalse();
    }

    @Test
    void vmsAreAddedUntilTheNextWouldPassTheRatioAndSwapIsWhatPlanAsks(@TempDir Path dir) throws Exception {
        Study s = StudyLoader.load(study(dir, """
                seed: 7
                parameters:
                  overcommit: [1.0, 2.5]
                  swap: [plan, plan/2, 100M]
                mix: {memory: 16M, working_set: 0.5, identical: 0.25, idle: 10s}
                """));
        HostBuilder b = new HostBuilder(s);
        // overcommit 1: 512 MiB / 16 MiB = 32 VMs; plan: RAM + swap covers the guests (512 MiB) and the reserve
        // (64 MiB), 64 MiB, plus the RHEL 7 table's swap for a host under 2 GiB, twice its RAM: 1 GiB -> 1088 MiB
        HostSpec one = b.build(0, 0);
        assertThat(one.vms()).hasSize(32);
        assertThat(one.host().swapBytes()).isEqualTo(1088 * MIB);
        assertThat(b.build(1, 0).host().swapBytes()).isEqualTo(544 * MIB);
        assertThat(b.build(2, 0).host().swapBytes()).isEqualTo(100 * MIB);
        // overcommit 2.5: 80 VMs, 1280 MiB; plan: 1280 + 64 - 512 = 832 MiB, plus 1 GiB -> 1856 MiB
        HostSpec dense = b.build(3, 0);
        assertThat(dense.vms()).hasSize(80);
        assertThat(dense.host().swapBytes()).isEqualTo(1856 * MIB);
        assertThat(b.build(4, 0).host().swapBytes()).isEqualTo(928 * MIB);
        assertThat(dense.vms().get(3).startNanos()).isEqualTo(0);
    }

    @Test
    void hostIOfEveryPointDrawsTheSameVmsAndOtherHostsOthers() {
        Study s = StudyLoader.load(EXAMPLE);
        HostBuilder b = new HostBuilder(s);
        HostSpec p1 = b.build(0, 0);
        HostSpec p2 = b.build(1, 0);                       // ksm off: the same VMs, the host differs
        assertThat(p2.vms()).isEqualTo(p1.vms());
        assertThat(p2.host().ksm().run()).isFalse();
        assertThat(p1.host().ksm().run()).isTrue();
        assertThat(b.build(0, 1).vms()).isNotEqualTo(p1.vms());
        assertThat(new HostBuilder(StudyLoader.load(EXAMPLE)).build(0, 1)).isEqualTo(b.build(0, 1));
    }

    @Test
    void oneThreadAndTwoGiveTheSameResult(@TempDir Path dir) throws Exception {
        Study s = StudyLoader.load(study(dir, """
                seed: 3
                hosts: 3
                parameters:
                  overcommit: [1.0, 2.0]
                  swap: [plan/2]
                mix: {memory: 16M, working_set: {uniform: [0.5, 1.0]}, identical: {uniform: [0.2, 0.4]}, idle: 20s, accesses: 500}
                """));
        Engines.Choice c = Sweep.check(s);
        SweepResult one = Sweep.run(s, c, new LocalRunner(1), RunListener.NONE);
        SweepResult two = Sweep.run(s, c, new LocalRunner(2), RunListener.NONE);
        assertThat(two.hosts()).isEqualTo(one.hosts());
        assertThat(two.points()).isEqualTo(one.points());
        assertThat(one.hosts()).hasSize(6);
        assertThat(one.points().get(0).vms()).isEqualTo(32);
        assertThat(one.points().get(1).vms()).isEqualTo(64);
        assertThat(one.run().cores()).isEqualTo(1);
        assertThat(two.run().runner()).isEqualTo("2 local threads");
    }

    @Test
    void progressRisesToOneAsHostsFinish(@TempDir Path dir) throws Exception {
        Study s = StudyLoader.load(study(dir, "hosts: 4\nmix: {count: 2, memory: 16M, working_set: 0.5, idle: 1s}\n"));
        List<Double> seen = new ArrayList<>();
        RunListener l = new RunListener() {
            @Override
            public void stepProgress(double fraction) {
                seen.add(fraction);
            }
        };
        Sweep.run(s, Sweep.check(s), new LocalRunner(2), l);
        assertThat(seen).containsExactly(0.25, 0.5, 0.75, 1.0);
    }

    @Test
    void aStudyErrorNamesFileLineColumnAndField(@TempDir Path dir) throws Exception {
        Path f = study(dir, "parameters:\n  overcommit: [1.0, 0]\nmix: {memory: 16M}\n");
        assertThatThrownBy(() -> StudyLoader.load(f)).isInstanceOf(SweepException.class)
                .hasMessage(f + ":3:21: parameters.overcommit[1]: an overcommit ratio must be above 0 and at most 100, not 0");
        Path g = study(Files.createDirectory(dir.resolve("g")), "parameters:\n  ksm: [on, on]\nmix: {memory: 16M, count: 1}\n");
        assertThatThrownBy(() -> StudyLoader.load(g)).isInstanceOf(SweepException.class)
                .hasMessage(g + ":3:13: parameters.ksm[1]: 'on' is in the list twice");
    }
    @Test
    void aFleetCsvGivesItsRowsAsOftenAsTheirWeights(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("fleet.csv"), """
                # exported from a fleet
                name,memory,working_set,identical,idle,weight
                "web, small",32,50%,8M,1m,3
                db,64M,48M,0,2h,1
                never,128,100%,0,0s,0
                """);
        Study s = StudyLoader.load(study(dir, "seed: 11\nmix: {csv: fleet.csv, count: 400}\n"));
        HostSpec h = new HostBuilder(s).build(0, 0);
        int small = 0, big = 0;
        for (HostSpec.Vm vm : h.vms()) {
            long m = vm.ramBytes();
            if (m == 32 * MIB) small++;
            else if (m == 64 * MIB) big++;
        }
        assertThat(small + big).as("no VM of the weight-0 row").isEqualTo(400);
        // 400 draws with p = 3/4: the count of small VMs has mean 300 and sd sqrt(400 * 3/4 * 1/4) = 8.66; the seed
        // is fixed, so this is exact for it, and the bound (4.5 sd) is what any seed would meet but once in 10^5
        assertThat(small).isBetween(300 - 39, 300 + 39);
        FleetCsv f = s.mixes().get("default").fleet();
        assertThat(f.rows().getFirst()).isEqualTo(new VmProfile(32 * MIB, 15 * MIB, 8 * MIB, 0, 60_000_000_000L));
        assertThatThrownBy(() -> FleetCsv.parse("memory,ram\n1G,1G\n", "f.csv")).isInstanceOf(SweepException.class)
                .hasMessage("f.csv:1:8: unknown column 'ram' (expected freed, identical, idle, memory, name, weight, working_set)");
    }
}
