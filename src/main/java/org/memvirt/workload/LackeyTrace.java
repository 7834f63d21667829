package org.memvirt.workload;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Reads the data accesses of a {@code valgrind --tool=lackey --trace-mem=yes} log and maps them into the workload
 * region, in the form {@link Op.Trace} stores.
 *
 * <p>Mapping rule: the traced address space is cut into 2 MiB chunks (the reach of one guest page table). Chunks that
 * hold no data access are dropped, and the others are packed in ascending address order: the k-th lowest used chunk
 * becomes region bytes {@code [k * 2M, (k + 1) * 2M)}, keeping each address's offset within its chunk. For a
 * program whose data accesses leave no empty 2 MiB chunk this is simply "address minus the lowest address seen,
 * rounded down to 2 MiB"; the packing keeps a typical process (heap near the binary, stack near 128 TiB) within a
 * few MiB of region. Each access is then rounded down to its qword; an access that straddles a qword or page
 * boundary counts as one access to its first qword.
 */
public final class LackeyTrace {
    /** Chunk size of the mapping rule: one page table maps 512 × 4 KiB. */
    public static final int CHUNK_SHIFT = 21;                       // SDM Vol 3A §4.5: a PDE maps 2 MiB
    private static final long CHUNK_MASK = (1L << CHUNK_SHIFT) - 1;

    /**
     * The accesses of {@code file}: region offset with bit 0 set for a store ({@code S}) or modify ({@code M}).
     * Instruction fetches ({@code I}), valgrind's own {@code ==pid==} lines and blank lines are skipped.
     *
     * @throws WorkloadException naming the file and line of a malformed entry, or if there is no data access
     */
    public static long[] read(Path file) {
        checkReadable(file);
        long[] packed = new long[1024];   // (address << 1) | write
        int count = 0;
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.ISO_8859_1)) {
            int lineNumber = 0;
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                lineNumber++;
                long access = parseLine(line, file, lineNumber);
                if (access < 0) continue;
                if (count == packed.length) packed = Arrays.copyOf(packed, count * 2);
                packed[count++] = access;
            }
        } catch (NoSuchFileException e) {
            throw new WorkloadException("cannot read trace " + file + ": no such file", e);
        } catch (IOException e) {
            throw new WorkloadException("cannot read trace " + file + ": " + e.getMessage(), e);
        }
        if (count == 0) throw new WorkloadException(file + ": no data accesses (' L', ' S' or ' M' lines) in the trace");
        return toRegion(packed, count);
    }

    /** The shortest data-access line, {@code " L 0,1"} and its line break: a file of N bytes holds at most N/7. */
    static final int MIN_LINE_BYTES = 7;

    /**
     * Refuses, before opening it, a trace that is not a regular file (a FIFO would block, a device never end) or
     * whose accesses (8 bytes each while read, twice that while the array grows) could not fit half of this JVM's heap.
     */
    private static void checkReadable(Path file) {
        String kind = org.memvirt.FileKind.of(file);
        if (kind == null) throw new WorkloadException("cannot read trace " + file + ": no such file");
        if (!kind.equals(org.memvirt.FileKind.REGULAR)) {
            throw new WorkloadException("cannot read trace " + file + ": it is " + kind + ", not a regular file");
        }
        try {
            long most = Files.size(file) / MIN_LINE_BYTES * 16;
            long heap = Runtime.getRuntime().maxMemory();
            if (most > heap / 2) {
                throw new WorkloadException(String.format(java.util.Locale.ROOT, "cannot read trace %s: its %,d bytes may"
                        + " hold %,d accesses, more than half of this JVM's %,d MiB heap; set MEMVIRT_JAVA_OPTS=-Xmx...",
                        file, Files.size(file), Files.size(file) / MIN_LINE_BYTES, heap >> 20));
            }
        } catch (IOException e) {
            throw new WorkloadException("cannot read trace " + file + ": " + org.memvirt.FileKind.reason(e), e);
        }
    }

    /** {@code (address << 1) | write} of one log line, or -1 for a line that is not a data access. */
    static long parseLine(String line, Path file, int lineNumber) {
        if (line.isBlank() || line.startsWith("==") || line.startsWith("I ")) return -1;
        if (line.length() < 4 || line.charAt(0) != ' ' || "LSM".indexOf(line.charAt(1)) < 0 || line.charAt(2) != ' ') {
            throw malformed(file, lineNumber, line);
        }
        int comma = line.indexOf(',', 3);
        if (comma < 0) throw malformed(file, lineNumber, line);
        long address;
        try {
            address = Long.parseUnsignedLong(line.substring(3, comma).strip(), 16);
            Integer.parseInt(line.substring(comma + 1).strip());
        } catch (NumberFormatException e) {
            throw malformed(file, lineNumber, line);
        }
        if (address < 0 || address >= 1L << 62) throw malformed(file, lineNumber, line);
        return address << 1 | (line.charAt(1) == 'L' ? 0 : 1);
    }

    private static long[] toRegion(long[] packed, int count) {
        long[] chunks = new long[count];
        for (int i = 0; i < count; i++) chunks[i] = (packed[i] >>> 1) >>> CHUNK_SHIFT;
        Arrays.sort(chunks);
        int used = 0;
        for (int i = 0; i < count; i++) {
            if (i == 0 || chunks[i] != chunks[i - 1]) chunks[used++] = chunks[i];
        }
        long[] accesses = new long[count];
        for (int i = 0; i < count; i++) {
            long address = packed[i] >>> 1;
            long rank = Arrays.binarySearch(chunks, 0, used, address >>> CHUNK_SHIFT);
            long offset = rank << CHUNK_SHIFT | (address & CHUNK_MASK);
            accesses[i] = (offset & ~7L) | (packed[i] & 1);
        }
        return accesses;
    }

    private static WorkloadException malformed(Path file, int lineNumber, String line) {
        return new WorkloadException(file + ":" + lineNumber + ": expected a lackey line 'I|L|S|M ADDR,SIZE', found '"
                + line.strip() + "'");
    }

    private LackeyTrace() {}
}
