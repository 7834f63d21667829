package org.memvirt.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;

import org.memvirt.qemu.agent.AgentConnection;
import org.memvirt.qemu.agent.AgentSession;
import org.memvirt.report.Json;
import org.memvirt.workload.Op;

/**
 * The qemu engine against native runs, in one run on one host (docs/PERFORMANCE.md, "qemu engine"):
 * <ol>
 * <li>the guest agent's {@code touch 1G} run natively on this host ({@code agent --stdio}, the same static binary the
 *     guest runs) ROUNDS times before and ROUNDS times after the guest run, median of all;</li>
 * <li>{@code ./memvirt run -M microvm -m 4G --engine qemu --workload "touch 1G; free 1G; balloon to 3G" --json}, as a
 *     user runs it, while this process samples the memvirt JVM's VmRSS and QEMU's VmRSS every 100 ms.</li>
 * </ol>
 * Printed: boot to agent ready, the guest's touch against the native median (both the host's wall time around the
 * agent's op), the balloon's inflate rate against the published ~445k pages/s under KVM, and the JVM's peak VmRSS
 * against QEMU's.
 *
 * <pre>scripts/bench '^$'; ./memvirt --help &gt;/dev/null   # test classes, target/bench.cp, the jar
 * java -cp target/test-classes:target/classes:$(cat target/bench.cp) org.memvirt.bench.QemuEngineBench [ROUNDS]</pre>
 */
public final class QemuEngineBench {
    private static final long GIB = 1L << 30, MIB = 1L << 20;
    private static final Duration T = Duration.ofMinutes(5);

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        List<Long> nativeNanos = new ArrayList<>();
        for (int r = 0; r < rounds; r++) nativeNanos.add(nativeTouch());
        Guest g = guestRun();
        for (int r = 0; r < rounds; r++) nativeNanos.add(nativeTouch());
        Collections.sort(nativeNanos);
        long nativeMedian = nativeNanos.get(nativeNanos.size() / 2);
        JsonNode j = g.json;
        long touch = j.at("/ops/0/nanos").asLong();
        long balloon = j.at("/ops/2/nanos").asLong();
        long pages = j.at("/memory/ballooned_bytes").asLong() / 4096;   // the balloon started empty
        System.out.printf(Locale.ROOT, "accel %s, machine microvm, -m 4G; load average %s%n", j.get("accel").asText(),
                Files.readString(Path.of("/proc/loadavg")).trim());
        System.out.printf(Locale.ROOT, "boot to agent ready: %d ms%n", j.get("boot_ms").asLong());
        System.out.printf(Locale.ROOT, "touch 1G native: %s ms (median of %d: %s)%n", nativeMedian / 1_000_000,
                nativeNanos.size(), millis(nativeNanos));
        System.out.printf(Locale.ROOT, "touch 1G in the guest: %d ms; guest/native %.1fx%n", touch / 1_000_000,
                (double) touch / nativeMedian);
        System.out.printf(Locale.ROOT, "balloon to 3G: %d pages in %d ms: %.0f pages/s; against 445,000 pages/s: %.4f%n",
                pages, balloon / 1_000_000, pages / (balloon / 1e9), pages / (balloon / 1e9) / 445_000);
        System.out.printf(Locale.ROOT, "VmRSS peak: memvirt's JVM %d MiB, QEMU %d MiB (guest RAM Rss at the end %d MiB); "
                + "JVM/QEMU %.2f%n", g.jvmPeak / MIB, g.qemuPeak / MIB, j.at("/memory/resident_bytes").asLong() / MIB,
                (double) g.jvmPeak / g.qemuPeak);
    }

    /** The agent's {@code touch 1G} on this host: wall time around the op, as the engine times an op. */
    private static long nativeTouch() throws Exception {
        Process agent = new ProcessBuilder(Path.of("target/classes/guest/agent").toString(), "--stdio")
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try (AgentSession s = AgentSession.open(AgentConnection.of(agent.getInputStream(), agent.getOutputStream()),
                () -> agent.isAlive() ? Optional.empty() : Optional.of("the agent exited"), T)) {
            s.region(GIB, T);
            long t0 = System.nanoTime();
            s.run(new Op.Touch(GIB, 0), "touch 1G", T);
            return System.nanoTime() - t0;
        } finally {
            agent.waitFor();
        }
    }

    private record Guest(JsonNode json, long jvmPeak, long qemuPeak) {}

    /** The engine's run as a user starts it, its JVM and its QEMU sampled meanwhile. */
    private static Guest guestRun() throws Exception {
        Process p = new ProcessBuilder("./memvirt", "run", "-M", "microvm", "-m", "4G", "--engine", "qemu", "--workload",
                "touch 1G; free 1G; balloon to 3G", "--json").redirectError(ProcessBuilder.Redirect.INHERIT).start();
        long jvmPeak = 0, qemuPeak = 0;
        var out = new java.io.ByteArrayOutputStream();
        Thread reader = Thread.ofVirtual().start(() -> {
            try {
                p.getInputStream().transferTo(out);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        while (p.isAlive()) {
            jvmPeak = Math.max(jvmPeak, vmRss(p.toHandle()));   // ./memvirt execs the JVM: same PID
            Optional<ProcessHandle> qemu = p.descendants()
                    .filter(d -> d.info().command().orElse("").endsWith("qemu-system-x86_64")).findFirst();
            if (qemu.isPresent()) qemuPeak = Math.max(qemuPeak, vmRss(qemu.get()));
            Thread.sleep(100);
        }
        reader.join();
        if (p.exitValue() != 0) throw new IllegalStateException("memvirt run exited with " + p.exitValue());
        return new Guest(Json.mapper().readTree(out.toByteArray()), jvmPeak, qemuPeak);
    }

    /** {@code VmRSS} of /proc/PID/status in bytes, 0 once the process is gone. */
    private static long vmRss(ProcessHandle h) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + h.pid() + "/status"))) {
                if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        } catch (IOException | RuntimeException gone) {
            return 0;
        }
        return 0;
    }

    private static String millis(List<Long> nanos) {
        List<String> ms = new ArrayList<>();
        for (long n : nanos) ms.add(Long.toString(n / 1_000_000));
        return String.join(", ", ms);
    }

    private QemuEngineBench() {}
}
