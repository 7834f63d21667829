package org.memvirt.hostctl;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.memvirt.host.HostRoot;

/**
 * For the exit-path tests: a memvirt run in miniature. Creates a memory cgroup (64 MiB + 32 MiB swap) and a 32 MiB
 * swap file in the directory given as the first argument, starts {@code sleep 600} inside the group, prints
 * {@code group=DIR swap=FILE sleeper=PID}, and then, by the second argument: {@code wait} until a signal ends the JVM
 * (Ctrl-C, kill -9), or {@code return} from main without closing anything once a line arrives on stdin (so the test
 * sees what it made before the hooks undo it).
 */
public final class HostLimitsChild {
    public static void main(String[] args) throws Exception {
        MemoryCgroup group = MemoryCgroup.create(MemoryHierarchy.find(HostRoot.REAL), MemoryLimits.of(64 << 20, 32 << 20));
        SwapFile swap = SwapFile.create(HostRoot.REAL, Path.of(args[0]), 32 << 20, 5);
        Process sleeper = new ProcessBuilder(group.command(List.of("sleep", "600"))).start();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!group.processes().contains(sleeper.pid()) && System.nanoTime() < deadline) Thread.sleep(5);
        System.out.println("group=" + group.dir() + " swap=" + swap.path() + " sleeper=" + sleeper.pid());
        System.out.flush();
        if (args[1].equals("wait")) Thread.sleep(Long.MAX_VALUE);
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
    }

    private HostLimitsChild() {}
}
