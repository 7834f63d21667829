package org.memvirt.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.memvirt.engine.HostSpec;
import org.memvirt.engine.SwapKind;
import org.memvirt.host.MmuMode;
import org.memvirt.workload.Op;

class ScenarioLoaderTest {
    private static final String HOST = "host: {ram: 8G, reserve: 1G, swap: 2G}\n";

    private static void fails(String yaml, String message) {
        assertThatThrownBy(() -> ScenarioLoader.parse(yaml, "t")).isInstanceOf(ScenarioException.class).hasMessage(message);
    }

    @Test
    void aVmsGuestIsTheEnginesOwnUnlessNamedAndABadOneIsRefusedNamingTheField() {
        HostSpec s = ScenarioLoader.parse(HOST + "vms: [{name: a, memory: 1G}, {name: b, memory: 1G, "
                + "guest: 'linux,free-page-reporting=on'}]", "t");
        assertThat(s.vms().get(0).guest()).isNull();
        assertThat(s.vms().get(1).guest()).isEqualTo(new org.memvirt.engine.GuestProfile(
                org.memvirt.engine.GuestProfile.Kind.LINUX, org.memvirt.engine.GuestProfile.Thp.NEVER, true,
                org.memvirt.engine.GuestProfile.BALLOON_PACE_KVM));
        fails(HOST + "vms: [{memory: 1G, guest: bsd}]", "vms[0].guest must be micro or linux (with options), not 'bsd'");
        fails(HOST + "vms: [{memory: 1G, guest: [linux]}]", "vms[0].guest: expected micro or linux[,OPTIONS], got '[\"linux\"]'");
    }

    @Test
    void anAliasGivesTheAnchoredQemuLineNotItsName() {
        HostSpec s = ScenarioLoader.parse(HOST + """
                vms:
                  - {name: a, qemu: &q "-m 1G"}
                  - {name: b, qemu: *q}
                """, "t");
        assertThat(s.vms()).extracting(HostSpec.Vm::ramBytes).containsExactly(1L << 30, 1L << 30);
    }

    @Test
    void aVmKeepsItsWholeMachineRamSplitBackendMemMergeAndSmp() {
        HostSpec s = ScenarioLoader.parse(HOST + """
                vms:
                  - {name: big, qemu: "-m 4G -smp 2 -enable-kvm -drive file=disk.img"}
                  - {name: obj, qemu: "-object memory-backend-ram,id=m,size=1G,merge=on -machine memory-backend=m -m 1G",
                     mem_merge: false}
                  - {name: small, qemu: "-m 4G -smp 2", memory: 512M}
                """, "t");
        HostSpec.Vm big = s.vms().get(0), obj = s.vms().get(1), small = s.vms().get(2);
        assertThat(big.machine().layout().belowFourG()).isEqualTo(3L << 30);   // the pc machine's split at 3 GiB
        assertThat(big.machine().layout().aboveFourG()).isEqualTo(1L << 30);
        assertThat(big.machine().smp()).isEqualTo(2);
        assertThat(obj.machine().backend().id()).isEqualTo("m");
        assertThat(obj.machine().backend().merge()).isFalse();               // mem_merge overrides the backend's merge
        assertThat(obj.memMerge()).isFalse();
        assertThat(small.ramBytes()).isEqualTo(512L << 20);                  // memory: is a last -m
        assertThat(small.machine().layout().aboveFourG()).isZero();
        assertThat(small.machine().smp()).isEqualTo(2);
    }

    @Test
    void readsHostVmsCountsAndQemuOptions() {
        HostSpec s = ScenarioLoader.parse("""
                name: demo
                duration: 10m
                host:
                  ram: 32G
                  reserve: 4G
                  swap: 40G
                  swap_kind: nvme
                  ksm: {run: 1, pages_to_scan: 1250, sleep_millisecs: 10, use_zero_pages: true}
                  balloon_policy: {kind: mom, interval: 5s}
                vms:
                  - name: g
                    count: 3
                    qemu: "-m 1G -machine q35,mem-merge=off"
                    mmu: shadow
                    oom_score_adj: 100
                    start: 1s
                    start_stagger: 500ms
                    balloon: {deflate_on_oom: true, min: 256M, target: 512M, at: 30s}
                    workload: ["touch 512M", "repeat 2 { sleep 1s; read 4K at 8K }", "verify"]
                """, "x");
        assertThat(s.name()).isEqualTo("demo");
        assertThat(s.durationNanos()).isEqualTo(600_000_000_000L);
        assertThat(s.host().ramBytes()).isEqualTo(32L << 30);
        assertThat(s.host().swapKind()).isEqualTo(SwapKind.NVME);
        assertThat(s.host().ksm().pagesToScan()).isEqualTo(1250);
        assertThat(s.host().ksm().useZeroPages()).isTrue();
        assertThat(s.policy().kind()).isEqualTo(HostSpec.PolicyKind.MOM);
        assertThat(s.vms()).extracting(HostSpec.Vm::name).containsExactly("g-0", "g-1", "g-2");
        HostSpec.Vm g2 = s.vms().get(2);
        assertThat(g2.ramBytes()).isEqualTo(1L << 30);
        assertThat(g2.memMerge()).isFalse();
        assertThat(g2.mmu()).isEqualTo(MmuMode.SHADOW);
        assertThat(g2.startNanos()).isEqualTo(2_000_000_000L);
        assertThat(g2.balloon()).isEqualTo(new HostSpec.Balloon(true, 256L << 20, 1000, 512L << 20, 30_000_000_000L));
        assertThat(g2.workload()).containsExactly(new Op.Touch(512L << 20, 0),
                new Op.Repeat(2, java.util.List.of(new Op.Sleep(1_000_000_000L), new Op.Read(4096, 8192))), new Op.Verify());
    }

    @Test
    void qemuDashMWithoutSuffixIsMebibytes() {
        HostSpec s = ScenarioLoader.parse(HOST + "vms: [{qemu: '-m 512'}]", "t");
        assertThat(s.vms().getFirst().ramBytes()).isEqualTo(512L << 20);
        assertThat(s.vms().getFirst().memMerge()).isTrue();
    }

    @Test
    void qemuCommandLinesGoThroughQemuArgsAndOtherOptionsAreSkipped() {
        HostSpec s = ScenarioLoader.parse(HOST + """
                vms:
                  - {name: seed, qemu: "-enable-kvm -smp 2 -m 4G rhel7.img -daemonize"}
                  - {name: backend, qemu: ["-object", "memory-backend-ram,id=m0,size=2G,merge=off", "-machine", "memory-backend=m0"]}
                """, "t");
        assertThat(s.vms().get(0).ramBytes()).isEqualTo(4L << 30);
        assertThat(s.vms().get(0).memMerge()).isTrue();
        assertThat(s.vms().get(1).ramBytes()).isEqualTo(2L << 30);
        assertThat(s.vms().get(1).memMerge()).isFalse();
    }

    @Test
    void errorsNameTheField() {
        fails("vms: [{memory: 1G}]", "host: missing");
        fails("host: {reserve: 1G}\nvms: [{memory: 1G}]", "host.ram: missing");
        fails("host: {ram: lots}\nvms: [{memory: 1G}]", "host.ram: invalid size 'lots' (e.g. 512M, 4G)");
        fails(HOST + "vms: []", "vms: expected a non-empty list of VMs");
        fails(HOST + "vms: [{memory: 1G, colour: red}]", "vms[0].colour: unknown field (expected one of name, count, memory, "
                + "qemu, mem_merge, mmu, oom_score_adj, start, start_stagger, boot_touch, balloon, workload, resident_limit, guest)");
        fails(HOST + "vms: [{memory: 1G}, {memory: 1G, oom_score_adj: 2000}]", "vms[1].oom_score_adj: 2000 is out of range [-1000, 1000]");
        fails(HOST + "vms: [{memory: 1G, workload: ['touch 2G']}]", "vms[0].workload[0] 'touch 2G': range ends at 2147483648 bytes, beyond the VM's 1073741824 bytes of memory");
        fails(HOST + "vms: [{memory: 1G, workload: ['jump 2G']}]", "vms[0].workload: step 1:1:1: unknown op 'jump'; expected one of touch, read, fill, random, processes, switch, "
                + "unmap, remap, free, demand, pages, balloon, sleep, verify, repeat, trace (in 'jump 2G')");
        fails(HOST + "vms: [{memory: 1G, mmu: tdp}]", "vms[0].mmu: unknown 'tdp' (ept, npt, shadow)");
        fails("host: {ram: 8G, swap_kind: tape}\nvms: [{memory: 1G}]", "host.swap_kind: unknown 'tape' (hdd, ssd, nvme, zram)");
        fails("host: {ram: 8G, ksm: {max_page_sharing: 1}}\nvms: [{memory: 1G}]", "host.ksm.max_page_sharing: 1 is out of range [2, 2147483647]");
        fails(HOST + "vms: [{name: a, memory: 1G}, {name: a, memory: 1G}]", "vms[1].name: duplicate VM name 'a'");
        fails(HOST + "vms: [{memory: 1G, balloon: {target: 2G}}]", "vms[0].balloon.target: larger than the VM's memory");
        fails("host: {ram: 8G, balloon_policy: magic}\nvms: [{memory: 1G}]", "host.balloon_policy.kind: unknown 'magic' (none, fixed, mom, proxmox)");
        fails(HOST + "vms: [{qemu: '-m 1G -machine mem-merge=maybe'}]", "vms[0].qemu: Parameter 'mem-merge' expects 'on' or 'off'");
        fails(HOST + "duration: soon\nvms: [{memory: 1G}]", "duration: invalid duration 'soon' (e.g. 500ms, 10s, 10m)");
    }

    private static boolean isScenario(Path p) {
        try {
            return Files.readString(p).contains("\nvms:");
        } catch (java.io.IOException e) {
            return false;
        }
    }

    @Test
    void everyShippedExampleLoads() throws Exception {
        try (Stream<Path> files = Files.list(Path.of("examples"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".yaml") && isScenario(p)).toList()) {
                assertThat(ScenarioLoader.load(f).vms()).as(f.toString()).isNotEmpty();
            }
        }
    }
}
