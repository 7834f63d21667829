package org.memvirt.hostctl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.memvirt.ExitCoded;

/**
 * {@link KsmSession} over a fixture KSM sysfs directory (the files of linux Documentation/admin-guide/mm/ksm.rst, as
 * this kind of host has them): every knob it writes comes back on close, on a failed start and at JVM exit. No KSM,
 * root or /dev/kvm needed, and the host's KSM is never touched.
 */
class KsmSessionTest {
    /** A Linux 6.x KSM directory: the knobs and counters of ksm.rst with the values of an idle host, ksmd stopped. */
    private static final Map<String, String> IDLE = new LinkedHashMap<>();

    static {
        IDLE.put("run", "0");
        IDLE.put("pages_to_scan", "100");
        IDLE.put("sleep_millisecs", "20");
        IDLE.put("use_zero_pages", "0");
        IDLE.put("merge_across_nodes", "1");
        IDLE.put("max_page_sharing", "256");
        IDLE.put("stable_node_chains_prune_millisecs", "2000");
        IDLE.put("advisor_mode", "[none] scan-time");
        IDLE.put("smart_scan", "1");
        for (String c : KsmSession.COUNTERS) IDLE.put(c, "0");
        IDLE.put("full_scans", "17");
    }

    /** Fast settings whose settle waits are bounded by 1 ms (the fixture's ksmd never scans). */
    private static final KsmSettings FAST = new KsmSettings(5000, 20, true, 3, Duration.ofMillis(1));

    @TempDir
    Path dir;

    @BeforeEach
    void idleHost() throws IOException {
        for (var e : IDLE.entrySet()) Files.writeString(dir.resolve(e.getKey()), e.getValue() + "\n");   // as sysfs shows them
    }

    /** Every file of the fixture, trimmed (sysfs ends each value with a newline; memvirt writes them without). */
    private Map<String, String> files() {
        Map<String, String> m = new LinkedHashMap<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.sorted().filter(Files::isRegularFile).toList()) {
                m.put(p.getFileName().toString(), Files.readString(p).trim());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return m;
    }

    private Map<String, String> idleFiles() {
        Map<String, String> m = new LinkedHashMap<>();
        IDLE.keySet().stream().sorted().forEach(k -> m.put(k, IDLE.get(k)));
        return m;
    }

    @Test
    void startWritesTheRunsKnobsAndCloseRestoresEveryOne() {
        try (KsmSession s = KsmSession.start(dir, FAST)) {
            Map<String, String> during = new LinkedHashMap<>(idleFiles());
            during.put("run", "1");
            during.put("pages_to_scan", "5000");
            during.put("sleep_millisecs", "20");
            during.put("use_zero_pages", "1");
            assertThat(files()).isEqualTo(during);
            assertThat(s.settings()).isEqualTo(FAST);
        }
        assertThat(files()).isEqualTo(idleFiles());
    }

    @Test
    void useZeroPagesIsLeftAloneUnlessAsked() throws IOException {
        Files.writeString(dir.resolve("use_zero_pages"), "1\n");
        try (KsmSession s = KsmSession.start(dir, new KsmSettings(300, 50, null, 1, Duration.ofMillis(1)))) {
            assertThat(files()).containsEntry("use_zero_pages", "1").containsEntry("pages_to_scan", "300")
                    .containsEntry("sleep_millisecs", "50").containsEntry("run", "1");
        }
        assertThat(files()).containsEntry("use_zero_pages", "1").containsEntry("pages_to_scan", "100")
                .containsEntry("sleep_millisecs", "20").containsEntry("run", "0");
    }

    @Test
    void closeIsIdempotent() throws IOException {
        KsmSession s = KsmSession.start(dir, FAST);
        s.close();
        Files.writeString(dir.resolve("run"), "2\n");                         // someone else's change after ours
        s.close();
        assertThat(files()).containsEntry("run", "2");
    }

    @Test
    void aKnobThatCannotBeRestoredDoesNotStopTheOthers() throws IOException {
        KsmSession s = KsmSession.start(dir, FAST);
        Path knob = dir.resolve("sleep_millisecs");
        Files.delete(knob);
        Files.createDirectory(knob);                                         // writing it now fails
        s.close();
        Map<String, String> want = idleFiles();
        want.remove("sleep_millisecs");
        assertThat(files()).isEqualTo(want);
    }

    @Test
    void aStartThatFailsHalfwayRestoresWhatItWrote() throws IOException {
        Files.delete(dir.resolve("use_zero_pages"));
        Files.createDirectory(dir.resolve("use_zero_pages"));                // cannot be read: the third knob fails
        assertThatThrownBy(() -> KsmSession.start(dir, FAST)).isInstanceOf(HostctlException.class)
                .hasMessageStartingWith("cannot read " + dir.resolve("use_zero_pages") + ": ");
        Map<String, String> want = idleFiles();
        want.remove("use_zero_pages");
        assertThat(files()).isEqualTo(want);
    }

    @Test
    void globalCountersAreChangesSinceTheStart() throws IOException {
        try (KsmSession s = KsmSession.start(dir, FAST)) {
            Files.writeString(dir.resolve("pages_sharing"), "16384\n");
            Files.writeString(dir.resolve("pages_shared"), "1\n");
            Files.writeString(dir.resolve("full_scans"), "20\n");
            Files.writeString(dir.resolve("general_profit"), "-4096\n");       // can be negative (ksm.rst)
            assertThat(s.fullScans()).isEqualTo(20);
            assertThat(s.globalDeltas()).containsExactly(entry("ksm_global_pages_scanned", 0L),
                    entry("ksm_global_pages_shared", 1L), entry("ksm_global_pages_sharing", 16384L),
                    entry("ksm_global_pages_unshared", 0L), entry("ksm_global_pages_volatile", 0L),
                    entry("ksm_global_full_scans", 3L), entry("ksm_global_general_profit", -4096L),
                    entry("ksm_global_ksm_zero_pages", 0L), entry("ksm_global_stable_node_chains", 0L),
                    entry("ksm_global_stable_node_dups", 0L));
        }
    }

    @Test
    void aKernelWithoutTheNewerCountersStillRunsKsmAndReportsTheCountersItHas() throws IOException {
        // ksm.rst's counters came in different releases: a 6.1 kernel has general_profit but not pages_scanned or
        // ksm_zero_pages
        Files.delete(dir.resolve("pages_scanned"));
        Files.delete(dir.resolve("ksm_zero_pages"));
        try (KsmSession s = KsmSession.start(dir, FAST)) {
            Files.writeString(dir.resolve("pages_sharing"), "10\n");
            assertThat(s.globalDeltas()).containsExactly(entry("ksm_global_pages_shared", 0L),
                    entry("ksm_global_pages_sharing", 10L), entry("ksm_global_pages_unshared", 0L),
                    entry("ksm_global_pages_volatile", 0L), entry("ksm_global_full_scans", 0L),
                    entry("ksm_global_general_profit", 0L), entry("ksm_global_stable_node_chains", 0L),
                    entry("ksm_global_stable_node_dups", 0L));
        }
        assertThat(files()).containsEntry("run", "0").containsEntry("pages_to_scan", "100");
    }

    @Test
    void settleWaitsAtMostItsBoundWhenKsmdDoesNotScan() {
        try (KsmSession s = KsmSession.start(dir, new KsmSettings(5000, 20, null, 1, Duration.ofMillis(30)))) {
            long waited = s.settle(Duration.ofSeconds(10).toNanos());
            assertThat(waited).isGreaterThanOrEqualTo(Duration.ofMillis(30).toNanos());   // the settings' bound
            assertThat(s.settle(0)).isLessThan(Duration.ofSeconds(1).toNanos());           // a zero bound: no wait
        }
    }

    @Test
    void aCounterThatIsNotANumberIsAOneLineError() throws IOException {
        try (KsmSession s = KsmSession.start(dir, FAST)) {
            Files.writeString(dir.resolve("full_scans"), "many\n");
            assertThatThrownBy(s::fullScans).isInstanceOf(HostctlException.class)
                    .hasMessage("bad value in " + dir.resolve("full_scans") + ": 'many'");
        }
    }

    @Test
    void aKernelWithoutKsmIsRefusedBeforeAnythingIsWritten() {
        Path none = dir.resolve("no-ksm");
        assertThat(KsmSession.unavailableReason(none)).isEqualTo(none + " does not exist (kernel built without CONFIG_KSM)");
        assertThatThrownBy(() -> KsmSession.start(none, FAST)).isInstanceOf(HostctlException.class)
                .hasMessage("cannot run KSM: " + none + " does not exist (kernel built without CONFIG_KSM)");
        assertThat(KsmSession.unavailableReason(dir)).isNull();
    }

    @Test
    void settingsOutOfRangeAreRefusedAsInput() {
        Duration minute = Duration.ofMinutes(1);
        assertThatThrownBy(() -> new KsmSettings(0, 20, null, 1, minute)).isInstanceOf(HostctlException.class)
                .hasMessage("bad KSM settings: pages_to_scan 0, sleep_millisecs 20, settle scans 1")
                .extracting(e -> ((HostctlException) e).exitCode()).isEqualTo(ExitCoded.INPUT);
        assertThatThrownBy(() -> new KsmSettings(100, -1, null, 1, minute)).isInstanceOf(HostctlException.class)
                .hasMessage("bad KSM settings: pages_to_scan 100, sleep_millisecs -1, settle scans 1");
        assertThatThrownBy(() -> new KsmSettings(100, 20, null, 0, minute)).isInstanceOf(HostctlException.class)
                .hasMessage("bad KSM settings: pages_to_scan 100, sleep_millisecs 20, settle scans 0");
    }

    @Test
    void aJvmThatExitsWithoutClosingTheSessionRestoresEveryKnob() throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), KsmHookChild.class.getName(),
                dir.toString()).redirectErrorStream(true).start();
        String out = new String(child.getInputStream().readAllBytes()).trim();
        assertThat(child.waitFor()).as(out).isZero();
        assertThat(out).isEqualTo("run=1 pages_to_scan=4321");
        assertThat(files()).isEqualTo(idleFiles());
    }
}
