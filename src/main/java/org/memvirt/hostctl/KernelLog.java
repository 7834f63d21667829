package org.memvirt.hostctl;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.memvirt.host.HostRoot;

/**
 * The kernel's log as dmesg(1) prints it: each line with its time in seconds after boot. Reading it needs root where
 * kernel.dmesg_restrict is 1 (Debian's default).
 */
final class KernelLog {
    private static final Pattern LINE = Pattern.compile("^\\[\\s*([0-9]+\\.[0-9]+)\\] (.*)$");
    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    /** One line of the log. */
    record Line(double seconds, String text) {}

    private final List<Line> lines;

    KernelLog(List<Line> lines) {
        this.lines = List.copyOf(lines);
    }

    List<Line> lines() {
        return lines;
    }

    /** The log now, or a HostctlException saying why it cannot be read. */
    static KernelLog read() {
        HostCommand.Result r = HostCommand.run(TIMEOUT, "dmesg");
        if (r.exitCode() != 0) throw HostctlException.host("dmesg: " + r.lastLine());
        return parse(r.output());
    }

    /** dmesg's default output: "[   12.345678] text" per line; lines without a time (continuations) are skipped. */
    static KernelLog parse(String text) {
        List<Line> out = new ArrayList<>();
        for (String l : text.split("\n")) {
            Matcher m = LINE.matcher(l);
            if (m.matches()) out.add(new Line(Double.parseDouble(m.group(1)), m.group(2)));
        }
        return new KernelLog(out);
    }

    /**
     * The last line at or after {@code notBefore} seconds in which the OOM killer reports killing {@code pid} inside
     * a memory cgroup (linux mm/oom_kill.c: out_of_memory passes "Memory cgroup out of memory" for a memcg OOM, and
     * __oom_kill_process prints "MESSAGE: Killed process PID (COMM) ..." for every victim, not rate-limited).
     */
    Optional<Line> memcgOomKill(long pid, double notBefore) {
        String marker = "Memory cgroup out of memory: Killed process " + pid + " (";
        for (int i = lines.size() - 1; i >= 0; i--) {
            Line l = lines.get(i);
            if (l.seconds() < notBefore) break;
            if (l.text().startsWith(marker)) return Optional.of(l);
        }
        return Optional.empty();
    }

    /** The command name of a "Killed process PID (COMM) ..." line. */
    static String command(String killedLine) {
        int open = killedLine.indexOf(" (");
        int close = killedLine.indexOf(") total-vm:", open);
        return open >= 0 && close > open ? killedLine.substring(open + 2, close) : "?";
    }

    /** Seconds since boot now (/proc/uptime), the kernel log's clock. */
    static double uptime(HostRoot root) {
        String text = root.read("/proc/uptime").orElseThrow(() -> HostctlException.host("cannot read /proc/uptime"));
        try {
            return Double.parseDouble(text.trim().split("\\s+")[0]);
        } catch (NumberFormatException e) {
            throw HostctlException.host("bad /proc/uptime: '" + text.trim() + "'");
        }
    }

    /**
     * The wall-clock time of a log time {@code seconds}, given that {@code uptimeNow} seconds after boot is
     * {@code now}. printk stamps lines with local_clock(), which runs with CLOCK_MONOTONIC on a host that has not
     * been suspended; /proc/uptime reads CLOCK_BOOTTIME, which adds suspended time: the two agree unless the host slept.
     */
    static Instant wallClock(double seconds, double uptimeNow, Instant now) {
        return now.minusNanos(Math.round((uptimeNow - seconds) * 1e9));
    }
}
