package org.memvirt.sweep;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import org.memvirt.workload.WorkloadUnits;

/**
 * VMs a user exported from their own fleet, one CSV row each (docs/commands/sweep.md, "A fleet's own VMs"): a host's
 * VMs are drawn from the rows with replacement, a row as often as its {@code weight} says.
 *
 * <p>The first line names the columns, in any order: {@code memory} (required; a size, a bare number is MiB),
 * {@code working_set} (a size, or a percentage of memory less the runtime's 2 MiB; default all of that),
 * {@code identical} (a size or a percentage of memory; default 0), {@code freed} (a size or a percentage of the working
 * set; default 0), {@code idle} (a duration such as {@code 6h}; default 0), {@code weight} (a number; default 1),
 * {@code name} (ignored). Fields
 * may be double-quoted; blank lines and lines starting with {@code #} are skipped.
 *
 * @param rows the VMs, in file order
 * @param weights each row's weight
 */
public record FleetCsv(List<VmProfile> rows, double[] weights) {
    static final Set<String> COLUMNS = Set.of("name", "memory", "working_set", "identical", "freed", "idle", "weight");
    /** More rows than a fleet export needs to describe its kinds of VM; keeps a wrong file from filling the heap. */
    static final int MAX_ROWS = 1_000_000;

    public FleetCsv {
        rows = List.copyOf(rows);
        weights = weights.clone();
    }

    /** One VM: one draw picks a row, each with probability weight / total weight. */
    VmProfile draw(Draws draws) {
        double total = 0;
        for (double w : weights) total += w;
        double at = draws.nextDouble() * total;
        for (int i = 0; i < rows.size(); i++) {
            at -= weights[i];
            if (at < 0) return rows.get(i);
        }
        return rows.getLast();
    }

    /**
     * Parses {@code text}; {@code source} names the file in errors, which read {@code FILE:LINE:COLUMN: PROBLEM}.
     *
     * @throws SweepException on the first problem
     */
    public static FleetCsv parse(String text, String source) {
        String[] lines = text.split("\r?\n", -1);
        Map<String, Integer> header = null;
        List<VmProfile> rows = new ArrayList<>();
        List<Double> weights = new ArrayList<>();
        for (int l = 0; l < lines.length; l++) {
            String line = lines[l];
            if (line.isBlank() || line.stripLeading().startsWith("#")) continue;
            List<Field> fields = fields(line, source, l + 1);
            if (header == null) {
                header = header(fields, source, l + 1);
                continue;
            }
            if (rows.size() == MAX_ROWS) throw new SweepException(source + ":" + (l + 1) + ": more than " + MAX_ROWS + " VMs");
            if (fields.size() != header.size()) {
                throw new SweepException(source + ":" + (l + 1) + ": " + fields.size() + " fields, the header has " + header.size());
            }
            Row row = new Row(fields, header, source, l + 1);
            rows.add(row.profile());
            weights.add(row.weight());
        }
        if (header == null) throw new SweepException(source + ": no header line (memory, working_set, ...)");
        if (rows.isEmpty()) throw new SweepException(source + ": no VMs below the header");
        double[] w = new double[weights.size()];
        for (int i = 0; i < w.length; i++) w[i] = weights.get(i);
        if (!(java.util.Arrays.stream(w).sum() > 0)) throw new SweepException(source + ": every weight is 0");
        return new FleetCsv(rows, w);
    }

    /** One field and the 1-based column it starts at. */
    private record Field(String text, int column) {}

    private static Map<String, Integer> header(List<Field> fields, String source, int line) {
        Map<String, Integer> header = new LinkedHashMap<>();
        for (int i = 0; i < fields.size(); i++) {
            Field f = fields.get(i);
            String name = f.text().toLowerCase(Locale.ROOT);
            if (!COLUMNS.contains(name)) {
                throw new SweepException(source + ":" + line + ":" + f.column() + ": unknown column '" + f.text()
                        + "' (expected " + String.join(", ", new java.util.TreeSet<>(COLUMNS)) + ")");
            }
            if (header.put(name, i) != null) throw new SweepException(source + ":" + line + ":" + f.column() + ": column '" + name + "' twice");
        }
        if (!header.containsKey("memory")) throw new SweepException(source + ":" + line + ": no 'memory' column");
        return header;
    }

    /** The fields of one line: comma-separated, trimmed, each optionally in double quotes ("" is a quote). */
    private static List<Field> fields(String line, String source, int lineNo) {
        List<Field> out = new ArrayList<>();
        int i = 0;
        while (true) {
            while (i < line.length() && line.charAt(i) == ' ') i++;
            int start = i;
            StringBuilder sb = new StringBuilder();
            if (i < line.length() && line.charAt(i) == '"') {
                i++;
                while (true) {
                    if (i >= line.length()) throw new SweepException(source + ":" + lineNo + ":" + (start + 1) + ": unterminated quote");
                    char c = line.charAt(i++);
                    if (c != '"') sb.append(c);
                    else if (i < line.length() && line.charAt(i) == '"') sb.append(line.charAt(i++));
                    else break;
                }
                while (i < line.length() && line.charAt(i) == ' ') i++;
                if (i < line.length() && line.charAt(i) != ',') {
                    throw new SweepException(source + ":" + lineNo + ":" + (i + 1) + ": text after a closing quote");
                }
            } else {
                while (i < line.length() && line.charAt(i) != ',') sb.append(line.charAt(i++));
            }
            out.add(new Field(sb.toString().strip(), start + 1));
            if (i >= line.length()) return out;
            i++;                                               // the comma
        }
    }

    /** One data line read against the header. */
    private record Row(List<Field> fields, Map<String, Integer> header, String source, int line) {
        VmProfile profile() {
            long memory = Math.round(size("memory", null) / VmProfile.MIB) * VmProfile.MIB;
            if (memory < VmProfile.MIN_MEMORY_BYTES) throw error("memory", "at least 4 MiB");
            long room = memory - VmProfile.RUNTIME_BYTES;
            // a percentage is of what the guest runtime leaves, as a mix's working_set share is (VmProfile.of)
            long workingSet = header.containsKey("working_set") ? VmProfile.pages(size("working_set", (double) room)) : room;
            if (workingSet > room) throw error("working_set", "more than memory less the runtime's 2 MiB");
            long identical = header.containsKey("identical") ? VmProfile.pages(size("identical", (double) memory)) : 0;
            if (identical > workingSet) throw error("identical", "more than the working set");
            long freed = header.containsKey("freed") ? VmProfile.pages(size("freed", (double) workingSet)) : 0;
            if (freed > workingSet) throw error("freed", "more than the working set");
            long idle = 0;
            if (header.containsKey("idle")) {
                String t = text("idle");
                try {
                    idle = t.isEmpty() ? 0 : WorkloadUnits.parseDuration(t);
                } catch (IllegalArgumentException e) {
                    throw error("idle", "invalid duration '" + t + "' (e.g. 30m, 6h)");
                }
            }
            return new VmProfile(memory, workingSet, identical, freed, idle);
        }

        double weight() {
            if (!header.containsKey("weight")) return 1;
            String t = text("weight");
            try {
                double w = Double.parseDouble(t);
                if (w >= 0 && Double.isFinite(w)) return w;
            } catch (NumberFormatException e) {
                // refused below
            }
            throw error("weight", "expected a number >= 0, got '" + t + "'");
        }

        /** A size, or with {@code of} given, a percentage of it ({@code 60%}). */
        private double size(String column, Double of) {
            String t = text(column);
            if (of != null && t.endsWith("%")) {
                try {
                    double p = Double.parseDouble(t.substring(0, t.length() - 1));
                    if (p >= 0 && p <= 100) return p / 100 * of;
                } catch (NumberFormatException e) {
                    // refused below
                }
                throw error(column, "expected a percentage 0..100%, got '" + t + "'");
            }
            try {
                return WorkloadUnits.parseSize(t);
            } catch (IllegalArgumentException e) {
                throw error(column, "invalid size '" + t + "' (e.g. 4G, 1536M" + (of != null ? ", 60%" : "") + ")");
            }
        }

        private String text(String column) {
            return fields.get(header.get(column)).text();
        }

        private SweepException error(String column, String problem) {
            return new SweepException(source + ":" + line + ":" + fields.get(header.get(column)).column() + ": " + column + ": " + problem);
        }
    }
}
