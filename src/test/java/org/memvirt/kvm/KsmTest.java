package org.memvirt.kvm;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.memvirt.config.QemuArgs;
import org.memvirt.engine.Counter;
import org.memvirt.engine.RunListener;
import org.memvirt.engine.RunResult;
import org.memvirt.engine.RunSpec;
import org.memvirt.host.MmuMode;
import org.memvirt.hostctl.KsmHookChild;
import org.memvirt.hostctl.KsmSession;
import org.memvirt.hostctl.KsmSettings;
import org.memvirt.workload.WorkloadParser;

/** Real KSM on guest RAM: identical pages merge within one VM and across VMs; every sysfs value is restored. */
@Tag("kvm")
class KsmTest {
    private static final long PAGES_64M = 16_384;
    private static final List<String> KNOBS = List.of("run", "pages_to_scan", "sleep_millisecs", "use_zero_pages");

    /** Needs KVM and a writable /sys/kernel/mm/ksm/run (root), decided from the host; the engine must agree. */
    @BeforeEach
    void needsKvmAndKsm() {
        Machines.assumeKvm();
        java.nio.file.Path run = java.nio.file.Path.of("/sys/kernel/mm/ksm/run");
        org.memvirt.Skip.unless(java.nio.file.Files.isWritable(run), run + " is not writable (KSM needs root)");
        assertThat(KsmSession.unavailableReason()).isNull();
    }

    private static RunSpec spec(String ram, String workload) {
        return new RunSpec(QemuArgs.parse(List.of("-m", ram)), WorkloadParser.parseShorthand(workload), MmuMode.SHADOW,
                false, "zen5", Duration.ofMinutes(2), 1);
    }

    private static Map<String, String> knobs() {
        Map<String, String> m = new java.util.LinkedHashMap<>();
        for (String k : KNOBS) m.put(k, KsmSession.readText(KsmSession.DIR, k));
        return m;
    }

    @Test
    void identicalPagesOfOneVmMergeAndTheSettingsComeBack() {
        Map<String, String> before = knobs();
        RunResult r = new KvmEngine(new KvmOptions(KsmSettings.fast(), 0))
                .run(spec("256M", "fill 64M content=same; sleep 60s; verify"), RunListener.NONE);
        assertThat(knobs()).isEqualTo(before);
        long merging = r.counters().get(Counter.KSM_MERGING_PAGES);
        System.out.printf("one VM, fill 64M same: ksm_merging_pages %d, ksm_process_profit %d, guest_ram_ksm_kb %d, "
                        + "settle %d ms, global deltas: shared %d sharing %d unshared %d volatile %d full_scans %d "
                        + "general_profit %d%n", merging, r.counters().get(Counter.KSM_PROCESS_PROFIT),
                r.counters().get(Counter.GUEST_RAM_KSM_KB), r.counters().get(Counter.KSM_SETTLE_MS),
                r.counters().get(Counter.KSM_GLOBAL_PAGES_SHARED), r.counters().get(Counter.KSM_GLOBAL_PAGES_SHARING),
                r.counters().get(Counter.KSM_GLOBAL_PAGES_UNSHARED), r.counters().get(Counter.KSM_GLOBAL_PAGES_VOLATILE),
                r.counters().get(Counter.KSM_GLOBAL_FULL_SCANS), r.counters().get(Counter.KSM_GLOBAL_GENERAL_PROFIT));
        assertThat(merging).isBetween(PAGES_64M, PAGES_64M + 16);   // + the runtime's few identical (zero-filled) pages
        assertThat(r.memory().sharedBytes()).isGreaterThanOrEqualTo(PAGES_64M * 4096);
        assertThat(r.counters().get(Counter.KSM_GLOBAL_FULL_SCANS)).isGreaterThanOrEqualTo(3);
        assertThat(r.counters().get(Counter.KSM_GLOBAL_PAGES_SHARING) + r.counters().get(Counter.KSM_GLOBAL_PAGES_SHARED))
                .isGreaterThanOrEqualTo(PAGES_64M);
        assertThat(r.counters().get(Counter.VERIFY_MISMATCHES)).isZero();
    }

    @Test
    void identicalGuestsMergeAcrossVms() {
        Map<String, String> before = knobs();
        RunSpec one = spec("256M", "fill 64M content=same");
        KvmScenarioRunner.Outcome o = KvmScenarioRunner.run(
                List.of(new KvmScenarioRunner.VmSpec("a", one), new KvmScenarioRunner.VmSpec("b", one)),
                KsmSettings.fast(), Duration.ofMinutes(2));
        assertThat(knobs()).isEqualTo(before);
        System.out.println("two VMs, fill 64M same each: " + o.ksm().values());
        for (KvmScenarioRunner.VmOutcome v : o.vms()) {
            System.out.printf("  vm %s: resident %d, ksm %d bytes%n", v.name(), v.residentBytes(), v.ksmBytes());
            assertThat(v.ksmBytes()).isGreaterThanOrEqualTo(PAGES_64M * 4096);
        }
        // + the runtime's pages that are identical across the two VMs (its image, identity-map tables): 43 each here
        assertThat(o.ksm().get(Counter.KSM_MERGING_PAGES)).isBetween(2 * PAGES_64M, 2 * PAGES_64M + 128);
        assertThat(o.ksm().get(Counter.KSM_GLOBAL_PAGES_SHARING) + o.ksm().get(Counter.KSM_GLOBAL_PAGES_SHARED))
                .isGreaterThanOrEqualTo(2 * PAGES_64M);
    }

    @Test
    void zeroFilledPagesMergeWithTheZeroPageWhenAsked() {
        Map<String, String> before = knobs();
        KsmSettings zero = new KsmSettings(5000, 20, true, 3, Duration.ofSeconds(60));
        RunResult r = new KvmEngine(new KvmOptions(zero, 0))
                .run(spec("256M", "fill 64M content=zero; sleep 60s"), RunListener.NONE);
        assertThat(knobs()).isEqualTo(before);
        System.out.printf("use_zero_pages, fill 64M zero: ksm_zero_pages %d, ksm_merging_pages %d, global ksm_zero_pages "
                        + "%d, pages_sharing %d%n", r.counters().get(Counter.KSM_ZERO_PAGES), r.counters().get(Counter.KSM_MERGING_PAGES),
                r.counters().get(Counter.KSM_GLOBAL_KSM_ZERO_PAGES), r.counters().get(Counter.KSM_GLOBAL_PAGES_SHARING));
        assertThat(r.counters().get(Counter.KSM_ZERO_PAGES)).isBetween(PAGES_64M, PAGES_64M + 600);
        assertThat(r.counters().get(Counter.KSM_MERGING_PAGES)).isLessThan(64);
    }

    @Test
    void aJvmThatExitsWithoutClosingTheSessionStillRestoresKsm() throws Exception {
        Map<String, String> before = knobs();
        String java = ProcessHandle.current().info().command().orElse("java");
        Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), KsmHookChild.class.getName())
                .redirectErrorStream(true).start();
        String out = new String(child.getInputStream().readAllBytes()).trim();
        assertThat(child.waitFor()).as(out).isZero();
        System.out.println("KSM child while running: " + out + "; after exit: " + knobs());
        assertThat(out).contains("run=1 pages_to_scan=4321");
        assertThat(knobs()).isEqualTo(before);
    }
}
