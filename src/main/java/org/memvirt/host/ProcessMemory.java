package org.memvirt.host;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One process's memory as the kernel reports it under /proc/PID (linux Documentation/filesystems/proc.rst): one
 * mapping's smaps entry, the memory lines of status and ksm_stat. The kvm engine reads its own process ("self"), an
 * engine that runs QEMU reads the QEMU child's PID with the same readers. All sizes are bytes.
 */
public final class ProcessMemory {
    private static final long KIB = 1024;        // smaps and status "kB" are KiB (fs/proc/task_mmu.c SEQ_PUT_DEC)

    private final HostRoot root;
    private final String dir;

    private ProcessMemory(HostRoot root, String pid) {
        if (!pid.equals("self") && !pid.matches("[1-9][0-9]{0,9}")) {
            throw new IllegalArgumentException("not a process id: '" + pid + "'");
        }
        this.root = root;
        this.dir = "/proc/" + pid;
    }

    /** This JVM's own process on the real host. */
    public static ProcessMemory self() {
        return new ProcessMemory(HostRoot.REAL, "self");
    }

    /** Process {@code pid} on the real host. */
    public static ProcessMemory of(long pid) {
        return new ProcessMemory(HostRoot.REAL, Long.toString(pid));
    }

    /** Process {@code pid} ("self" or a number) under {@code root} (a fixture tree in tests). */
    public static ProcessMemory of(HostRoot root, String pid) {
        return new ProcessMemory(root, pid);
    }

    /** One smaps entry: the mapping [start, end) and its fields in KiB, as smaps prints them. */
    public record Mapping(long start, long end, Map<String, Long> fieldsKib) {
        public Mapping {
            fieldsKib = Map.copyOf(fieldsKib);
        }

        /** A field in bytes, 0 when smaps does not print it (older kernels lack KSM, for one). */
        public long bytes(String field) {
            return fieldsKib.getOrDefault(field, 0L) * KIB;
        }

        public long rss()           { return bytes("Rss"); }
        public long pss()           { return bytes("Pss"); }
        public long anonHugePages() { return bytes("AnonHugePages"); }
        public long swap()          { return bytes("Swap"); }
        public long ksm()           { return bytes("KSM"); }

        /** hugetlbfs pages mapped here: proc.rst counts them in Shared_Hugetlb and Private_Hugetlb, not in Rss. */
        public long hugetlb() {
            return bytes("Shared_Hugetlb") + bytes("Private_Hugetlb");
        }

        /** Memory resident for this mapping: Rss plus its hugetlbfs pages. */
        public long resident() {
            return rss() + hugetlb();
        }
    }

    /** The memory lines of /proc/PID/status (VmRSS, RssAnon, VmSwap, ...), in KiB as status prints them. */
    public record Status(Map<String, Long> fieldsKib) {
        public Status {
            fieldsKib = Map.copyOf(fieldsKib);
        }

        /** A field in bytes, 0 when status does not print it. */
        public long bytes(String field) {
            return fieldsKib.getOrDefault(field, 0L) * KIB;
        }

        public long vmRss()   { return bytes("VmRSS"); }
        public long rssAnon() { return bytes("RssAnon"); }
        public long vmSwap()  { return bytes("VmSwap"); }
    }

    /**
     * /proc/PID/ksm_stat (Linux 6.1+; fs/proc/base.c proc_pid_ksm_stat): the numeric lines, in pages except
     * ksm_process_profit (bytes); empty on kernels without the file. The yes/no lines (ksm_merge_any, ...) are left out.
     */
    public record KsmStat(Map<String, Long> fields) {
        public KsmStat {
            fields = Map.copyOf(fields);
        }
    }

    /**
     * One line of /proc/PID/maps: the mapping [start, end), its permissions ({@code rw-p}) and its pathname column
     * (empty for anonymous memory, a file, {@code [heap]}, {@code /memfd:NAME (deleted)}).
     */
    public record Region(long start, long end, String perms, String name) {
        public long size() {
            return end - start;
        }
    }

    /** Every mapping of the process, in address order (/proc/PID/maps). */
    public java.util.List<Region> maps() {
        java.util.List<Region> out = new java.util.ArrayList<>();
        for (String line : lines("/maps")) {
            if (!isHeader(line)) continue;
            // start-end perms offset dev inode [pathname] (fs/proc/task_mmu.c show_map_vma)
            String[] f = line.split("\\s+", 6);
            int dash = f[0].indexOf('-');
            out.add(new Region(Long.parseUnsignedLong(f[0].substring(0, dash), 16),
                    Long.parseUnsignedLong(f[0].substring(dash + 1), 16), f[1], f.length == 6 ? f[5].trim() : ""));
        }
        return out;
    }

    /** The smaps entry of the mapping that starts at {@code start}; a HostException when there is none. */
    public Mapping mapping(long start) {
        String file = dir + "/smaps";
        String head = Long.toHexString(start) + "-";
        try (BufferedReader in = Files.newBufferedReader(root.resolve(file), StandardCharsets.ISO_8859_1)) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                if (line.startsWith(head) && isHeader(line)) return mappingFrom(line, in);
            }
        } catch (NoSuchFileException e) {
            throw new HostException("cannot read " + root.resolve(file) + ": no such file");
        } catch (IOException e) {
            throw new HostException("cannot read " + root.resolve(file) + ": " + e.getMessage(), e);
        }
        throw new HostException("no mapping starts at 0x" + Long.toHexString(start) + " in " + root.resolve(file));
    }

    /** The fields after {@code header}, up to the next header or the end. */
    private static Mapping mappingFrom(String header, BufferedReader in) throws IOException {
        int dash = header.indexOf('-');
        long start = Long.parseUnsignedLong(header.substring(0, dash), 16);
        long end = Long.parseUnsignedLong(header.substring(dash + 1, header.indexOf(' ')), 16);
        Map<String, Long> fields = new LinkedHashMap<>();
        for (String line = in.readLine(); line != null && !isHeader(line); line = in.readLine()) putKib(fields, line);
        return new Mapping(start, end, fields);
    }

    /** An smaps header ("7f1c2a000000-7f1c2a200000 rw-p ..."): hex start, '-', hex end, then a space. */
    static boolean isHeader(String line) {
        int space = line.indexOf(' ');
        int dash = line.indexOf('-');
        if (dash <= 0 || space <= dash + 1) return false;
        for (int i = 0; i < space; i++) {
            if (i != dash && Character.digit(line.charAt(i), 16) < 0) return false;
        }
        return true;
    }

    public Status status() {
        Map<String, Long> fields = new LinkedHashMap<>();
        for (String line : lines("/status")) putKib(fields, line);
        return new Status(fields);
    }

    public KsmStat ksmStat() {
        Map<String, Long> fields = new LinkedHashMap<>();
        String text = root.read(dir + "/ksm_stat").orElse("");
        for (String line : text.split("\n")) {
            String[] kv = line.trim().split("\\s+");
            if (kv.length == 2 && isNumber(kv[1])) fields.put(kv[0], parse(kv[1], line));
        }
        return new KsmStat(fields);
    }

    /** "Name:   123 kB" into {@code fields} as Name=123; lines without a number (VmFlags, Name) are skipped. */
    private static void putKib(Map<String, Long> fields, String line) {
        int colon = line.indexOf(':');
        if (colon <= 0) return;
        String[] value = line.substring(colon + 1).trim().split("\\s+");
        if (!isNumber(value[0])) return;
        fields.put(line.substring(0, colon), parse(value[0], line));
    }

    private static boolean isNumber(String word) {
        return !word.isEmpty() && word.chars().allMatch(c -> c >= '0' && c <= '9');
    }

    private static long parse(String number, String line) {
        try {
            return Long.parseLong(number);
        } catch (NumberFormatException e) {
            throw new HostException("number out of range in /proc line '" + line + "'");
        }
    }

    private String[] lines(String file) {
        return root.read(dir + file).orElseThrow(
                () -> new HostException("cannot read " + root.resolve(dir + file) + ": no such file")).split("\n");
    }
}
