package org.memvirt.hostctl;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

import org.memvirt.host.HostRoot;
import org.memvirt.host.SwapArea;

/**
 * For the exit-path tests: a memvirt run in miniature. Opens a {@link HostLimits} session of 64 MiB RAM and 32 MiB
 * more swap than the host's swap areas have free, so that it makes a swap file in the directory given as the first
 * argument, starts {@code sleep 600} inside the group, prints {@code group=DIR swap=FILE sleeper=PID}, and then, by the
 * second argument: {@code wait} until a signal ends the JVM (Ctrl-C, kill -9), or {@code return} from main without
 * closing anything once a line arrives on stdin (so the test sees what it made before the hook undoes it).
 */
public final class HostLimitsChild {
    private static final long MIB = 1 << 20;

    public static void main(String[] args) throws Exception {
        long free = 0;
        for (SwapArea a : SwapArea.read(HostRoot.REAL)) free += a.sizeBytes() - a.usedBytes();
        HostLimits host = HostLimits.open(HostRoot.REAL, MemoryLimits.of(64 * MIB, (free / MIB + 32) * MIB), Path.of(args[0]));
        Process sleeper = host.start(new ProcessBuilder("sleep", "600"));
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!host.processes().contains(sleeper.pid()) && System.nanoTime() < deadline) Thread.sleep(5);
        System.out.println("group=" + host.group().dir() + " swap=" + host.swapFile().orElseThrow().path() + " sleeper="
                + sleeper.pid());
        System.out.flush();
        if (args[1].equals("wait")) Thread.sleep(Long.MAX_VALUE);
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
    }

    private HostLimitsChild() {}
}
