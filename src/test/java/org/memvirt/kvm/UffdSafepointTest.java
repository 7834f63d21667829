package org.memvirt.kvm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The VMM's own accesses to userfaultfd-registered guest RAM must let safepoints through. A Java thread that touches
 * a missing page with a Java load or store waits in the kernel (handle_userfault) while in Java state, so a safepoint
 * (a GC) waits for it; the handler thread, which must come back from a native call to resolve the fault, waits for
 * the safepoint: the whole JVM hangs, and jstack gets no answer. The child JVM ({@link UffdSafepointChild}) does
 * exactly that; the test kills it and fails after {@link #WATCHDOG_SECONDS}. Before GuestRam went through the kernel,
 * 6 of 6 children hung in their first round (none printed a line); since, they finish in 4 to 14 s on a 2-core host.
 */
class UffdSafepointTest {
    /**
     * About nine times the slowest run seen (13.4 s inside the whole suite under JaCoCo, 2 cores shared with other
     * jobs; 4.3 s alone): a hang is for ever, so a generous bound costs a failing run only.
     */
    private static final long WATCHDOG_SECONDS = 120;

    @BeforeEach
    void needsUffd() {
        UffdAccess.assume();
    }

    @Test
    void javaThreadsTouchingSwappedGuestRamWhileGcRunsFinish() throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        Process child = new ProcessBuilder(java, "-Xmx64m", "--enable-native-access=ALL-UNNAMED", "-cp",
                System.getProperty("java.class.path"), UffdSafepointChild.class.getName())
                .redirectErrorStream(true).start();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Thread reader = Thread.ofPlatform().daemon().start(() -> {
            try {
                child.getInputStream().transferTo(out);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        long t0 = System.nanoTime();
        boolean exited = child.waitFor(WATCHDOG_SECONDS, TimeUnit.SECONDS);
        if (!exited) child.destroyForcibly().waitFor();
        reader.join(5_000);
        String text = out.toString().trim();
        if (!exited) fail("the child JVM hung: no exit after " + WATCHDOG_SECONDS + " s; its output: '" + text + "'");
        List<String> lines = text.lines().toList();
        System.out.printf("uffd safepoint child: %.1f s; %s%n", (System.nanoTime() - t0) / 1e9, lines.getLast());
        assertThat(child.exitValue()).as(text).isZero();
        Map<String, Long> r = HostSwapChild.parse(lines.getLast());
        // the child's 4,096 pages under a limit of 1,024, of which pages 0..511 are pinned (UffdSwapRegionTest's rules):
        // round 0's writes: 4,096 zero fills, 3,072 evicted (as UffdSwapRegionTest); its reads and every later pass
        // read back 512..3583 (384 faults of 8 pages) and then 3584..4095, evicted first meanwhile (64 faults of 8):
        // 448 faults, 3,584 pages in and 3,584 out per pass, 5 such passes: faults 4,096 + 5 x 448, swap-in 5 x 3,584,
        // swap-out 3,072 + 5 x 3,584; at the end 512 pinned + 512 resident, 3,072 in the swap file
        assertThat(r).containsExactlyEntriesOf(ordered("rounds", 3L, "mismatches", 0L, "resident_limit_pages", 1024L,
                "swap_out_pages", 20_992L, "swap_in_pages", 17_920L, "swap_file_pages", 3072L, "uffd_faults", 6336L,
                "uffd_zero_fills", 4096L, "uffd_resident_pages", 1024L));
    }

    private static Map<String, Long> ordered(Object... keyValues) {
        Map<String, Long> m = new java.util.LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) m.put((String) keyValues[i], (Long) keyValues[i + 1]);
        return m;
    }
}
