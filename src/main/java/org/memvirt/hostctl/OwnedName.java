package org.memvirt.hostctl;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.memvirt.host.HostRoot;
import org.memvirt.host.ProcessIdentity;

/**
 * The name of something memvirt creates on the host (a memory cgroup, a swap file): {@code memvirt-PID-START-N}, the
 * owning memvirt process's PID and start tick (/proc/PID/stat field 22) and a serial number within that process. The
 * name is the marker: a later run removes a thing so named only when its owner (that PID with that start tick) is gone.
 *
 * @param ownerPid the PID of the memvirt process that created the thing
 * @param ownerStartTicks that process's start time in clock ticks after boot
 * @param serial which of that process's things this is, from 1
 */
public record OwnedName(long ownerPid, long ownerStartTicks, long serial) {
    public static final String PREFIX = "memvirt-";
    private static final Pattern NAME = Pattern.compile("memvirt-([1-9][0-9]{0,9})-([0-9]{1,19})-([1-9][0-9]{0,9})");
    private static final AtomicLong SERIAL = new AtomicLong();

    /** A new name owned by {@code owner}, its serial one more than the last this JVM handed out. */
    static OwnedName next(ProcessIdentity owner) {
        return new OwnedName(owner.pid(), owner.startTicks(), SERIAL.incrementAndGet());
    }

    /** The name {@code text} minus {@code suffix} stands for, or empty when it is not a name memvirt gives. */
    static Optional<OwnedName> parse(String text, String suffix) {
        if (!text.endsWith(suffix)) return Optional.empty();
        Matcher m = NAME.matcher(text.substring(0, text.length() - suffix.length()));
        if (!m.matches()) return Optional.empty();
        try {
            return Optional.of(new OwnedName(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)),
                    Long.parseLong(m.group(3))));
        } catch (NumberFormatException e) {                       // 19 digits past Long.MAX_VALUE: not one of ours
            return Optional.empty();
        }
    }

    /** Whether the process that created the thing still runs under {@code root}. */
    boolean ownerAlive(HostRoot root) {
        return new ProcessIdentity(ownerPid, ownerStartTicks, -1, 0).alive(root);
    }

    @Override
    public String toString() {
        return PREFIX + ownerPid + "-" + ownerStartTicks + "-" + serial;
    }
}
