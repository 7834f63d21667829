package org.memvirt.qemu;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.memvirt.qemu.GuestRamMapping.Mapping;

/** A minimal /proc/PID/smaps reader for tests (the host package owns the real one): headers and VmFlags. */
final class TestSmaps {
    private static final Pattern HEADER = Pattern.compile("^([0-9a-f]+)-([0-9a-f]+) (\\S{4}) \\S+ \\S+ \\S+ *(.*)$");

    static List<Mapping> mappings(long pid) throws IOException {
        List<Mapping> out = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/smaps"))) {
            Matcher m = HEADER.matcher(line);
            if (!m.matches()) continue;
            long start = Long.parseUnsignedLong(m.group(1), 16), end = Long.parseUnsignedLong(m.group(2), 16);
            out.add(new Mapping(start, end, end - start, m.group(3), m.group(4)));
        }
        return out;
    }

    /** The VmFlags of the mapping starting at {@code start} ({@code rd wr mr mw me dc ac nr hg mg}). */
    static List<String> vmFlags(long pid, long start) throws IOException {
        boolean inside = false;
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/smaps"))) {
            Matcher m = HEADER.matcher(line);
            if (m.matches()) inside = Long.parseUnsignedLong(m.group(1), 16) == start;
            else if (inside && line.startsWith("VmFlags:")) return List.of(line.substring(8).trim().split(" "));
        }
        return List.of();
    }

    private TestSmaps() {}
}
