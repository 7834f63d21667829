package org.memvirt.scenario;

import java.util.Locale;

import org.memvirt.workload.Op;

/**
 * Reads one workload op written as text in a scenario file ({@code touch 1G}, {@code fill 512M with same},
 * {@code random 1000000 over 1G writes 30%}, {@code sleep 10s}, {@code balloon to 2G}, ...).
 * A compact reader for scenario files; the workload package's parser is the reference grammar.
 */
final class OpText {
    private OpText() {}

    static Op parse(String text, String field) {
        String[] w = text.trim().toLowerCase(Locale.ROOT).split("\\s+");
        try {
            return switch (w[0]) {
                case "touch" -> new Op.Touch(size(w, 1, field), at(w, field));
                case "read" -> new Op.Read(size(w, 1, field), at(w, field));
                case "fill" -> new Op.Fill(size(w, 1, field), at(w, field), content(w, field));
                case "random" -> random(w, field);
                case "sleep" -> new Op.Sleep(duration(w, 1, field));
                case "verify" -> new Op.Verify();
                case "balloon" -> balloon(w, field);
                case "processes" -> new Op.Processes(Integer.parseInt(w[1]));
                case "switch" -> new Op.Switch(Long.parseLong(w[1]), w.length > 2 && w[2].equals("pcid"));
                case "unmap" -> new Op.Unmap(size(w, 1, field), at(w, field));
                case "remap" -> new Op.Remap(size(w, 1, field), at(w, field));
                case "demand" -> new Op.Demand(w.length > 1 && w[1].equals("on"));
                default -> throw new ScenarioException(field + ": unknown op '" + w[0] + "' in '" + text + "'");
            };
        } catch (ArrayIndexOutOfBoundsException | NumberFormatException e) {
            throw new ScenarioException(field + ": cannot read op '" + text + "'");
        }
    }

    private static long size(String[] w, int i, String field) {
        long v = Units.size(w[i]);
        if (v < 0) throw new ScenarioException(field + ": invalid size '" + w[i] + "'");
        return v;
    }

    private static long duration(String[] w, int i, String field) {
        long v = Units.duration(w[i]);
        if (v < 0) throw new ScenarioException(field + ": invalid duration '" + w[i] + "'");
        return v;
    }

    private static int indexOf(String[] w, String word) {
        for (int i = 1; i < w.length - 1; i++) if (w[i].equals(word)) return i;
        return -1;
    }

    private static long at(String[] w, String field) {
        int i = indexOf(w, "at");
        return i < 0 ? 0 : size(w, i + 1, field);
    }

    private static Op.Content content(String[] w, String field) {
        String c = w[w.length - 1];
        if (w.length < 3 || Units.size(c) >= 0) return new Op.Content.Unique();
        String[] kv = c.split(":");
        return switch (kv[0]) {
            case "zero" -> new Op.Content.Zero();
            case "same" -> new Op.Content.Same(kv.length > 1 ? Integer.parseInt(kv[1]) : 1);
            case "unique" -> new Op.Content.Unique();
            case "random" -> new Op.Content.RandomBytes(kv.length > 1 ? Long.parseLong(kv[1]) : 1);
            default -> throw new ScenarioException(field + ": unknown fill content '" + c + "' (zero, same[:N], unique, random[:SEED])");
        };
    }

    private static Op random(String[] w, String field) {
        long count = Long.parseLong(w[1].replace("_", ""));
        int over = indexOf(w, "over");
        if (over < 0) throw new ScenarioException(field + ": random needs 'over SIZE'");
        int writes = indexOf(w, "writes");
        int zipf = indexOf(w, "zipf");
        int seed = indexOf(w, "seed");
        int percent = writes < 0 ? 0 : Integer.parseInt(w[writes + 1].replace("%", ""));
        if (percent < 0 || percent > 100) throw new ScenarioException(field + ": writes must be 0..100%");
        Op.Distribution d = zipf < 0 ? new Op.Distribution.Uniform() : new Op.Distribution.Zipf(Double.parseDouble(w[zipf + 1]));
        return new Op.Random(count, size(w, over + 1, field), percent, d, seed < 0 ? 1 : Long.parseLong(w[seed + 1]));
    }

    private static Op balloon(String[] w, String field) {
        Op.BalloonAction a = switch (w[1]) {
            case "inflate" -> Op.BalloonAction.INFLATE;
            case "deflate" -> Op.BalloonAction.DEFLATE;
            case "to" -> Op.BalloonAction.TO;
            default -> throw new ScenarioException(field + ": balloon inflate|deflate|to SIZE");
        };
        return new Op.Balloon(a, size(w, 2, field));
    }
}
