package org.memvirt.host;

import java.util.Optional;

/**
 * A process named so that a reused PID is not taken for it: its PID and its start time in clock ticks after boot, from
 * /proc/PID/stat (proc(5): field 1 pid, field 22 starttime), with its effective UID and capabilities from
 * /proc/PID/status.
 *
 * @param pid the process ID
 * @param startTicks when the process started, in clock ticks after boot; no other process with this PID has it
 * @param effectiveUid the second value of status's {@code Uid:} line (real, effective, saved, filesystem); -1 unknown
 * @param effectiveCapabilities status's {@code CapEff:} bit mask (capabilities(7)); 0 unknown
 */
public record ProcessIdentity(long pid, long startTicks, int effectiveUid, long effectiveCapabilities) {
    private static final int STARTTIME_AFTER_COMM = 22 - 3;   // proc(5): field 3 (state) is the first after "(comm)"
    public static final int CAP_SYS_ADMIN = 21;               // linux include/uapi/linux/capability.h

    /** This process, read from /proc/self under {@code root}. */
    public static ProcessIdentity self(HostRoot root) {
        return read(root, "self").orElseThrow(() -> new HostException("cannot read " + root.resolve("/proc/self/stat")));
    }

    /** Process {@code pid} under {@code root}, or empty when no such process exists. */
    public static Optional<ProcessIdentity> of(HostRoot root, long pid) {
        return read(root, Long.toString(pid));
    }

    /** Whether this very process (the same PID, started at the same tick) still exists under {@code root}. */
    public boolean alive(HostRoot root) {
        return of(root, pid).map(p -> p.startTicks == startTicks).orElse(false);
    }

    /** Whether this process runs as root (effective UID 0). */
    public boolean root() {
        return effectiveUid == 0;
    }

    /** Whether capability number {@code cap} is in the effective set. */
    public boolean hasCapability(int cap) {
        return (effectiveCapabilities >>> cap & 1) != 0;
    }

    private static Optional<ProcessIdentity> read(HostRoot root, String pid) {
        Optional<String> stat = root.read("/proc/" + pid + "/stat");
        if (stat.isEmpty()) return Optional.empty();
        Optional<String> status = root.read("/proc/" + pid + "/status");
        return Optional.of(parse(stat.get(), status.orElse("")));
    }

    /** A stat line and a status file as proc(5) describes them. */
    static ProcessIdentity parse(String stat, String status) {
        int close = stat.lastIndexOf(')');                            // comm may hold spaces and parentheses
        String[] after = close < 0 ? new String[0] : stat.substring(close + 1).trim().split("\\s+");
        if (after.length <= STARTTIME_AFTER_COMM) throw new HostException("bad /proc/PID/stat: '" + stat.strip() + "'");
        try {
            long pid = Long.parseLong(stat.substring(0, stat.indexOf(' ')));
            long start = Long.parseLong(after[STARTTIME_AFTER_COMM]);
            return new ProcessIdentity(pid, start, effectiveUid(status), effectiveCapabilities(status));
        } catch (NumberFormatException | StringIndexOutOfBoundsException e) {
            throw new HostException("bad /proc/PID/stat: '" + stat.strip() + "'");
        }
    }

    private static int effectiveUid(String status) {
        for (String line : status.split("\n")) {
            if (!line.startsWith("Uid:")) continue;
            String[] ids = line.substring(4).trim().split("\\s+");
            if (ids.length >= 2 && ids[1].matches("[0-9]{1,10}")) return Integer.parseUnsignedInt(ids[1]);
            throw new HostException("bad /proc/PID/status line: '" + line + "'");
        }
        return -1;                                                    // no status: not known to be root
    }

    private static long effectiveCapabilities(String status) {
        for (String line : status.split("\n")) {
            if (!line.startsWith("CapEff:")) continue;
            String hex = line.substring(7).trim();
            if (hex.matches("[0-9a-f]{1,16}")) return Long.parseUnsignedLong(hex, 16);
            throw new HostException("bad /proc/PID/status line: '" + line + "'");
        }
        return 0;
    }
}
