package org.memvirt.workload;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.memvirt.workload.Lexer.Kind;
import org.memvirt.workload.Lexer.Token;

/** Recursive-descent parser of workload shorthand ({@code touch 1G; repeat 3 { sleep 1s }}) into steps. */
final class ShorthandParser {
    static final List<String> OPS = List.of("touch", "read", "fill", "random", "processes", "switch", "unmap", "remap",
            "free", "demand", "pages", "balloon", "sleep", "verify", "repeat", "trace");
    private static final String CONTENT_FORMS = "content=zero|same[:K]|unique|random[:SEED]";

    private final String text;
    private final Place place;
    private final Path baseDir;
    private final List<Token> tokens;
    private int next;
    private int opStart;

    private ShorthandParser(String text, Place place, Path baseDir, List<Token> tokens) {
        this.text = text;
        this.place = place;
        this.baseDir = baseDir;
        this.tokens = tokens;
    }

    /** The top-level steps of {@code text}; trace files are resolved against {@code baseDir}. */
    static List<Workload.Step> steps(String text, Place place, Path baseDir) {
        List<Token> tokens;
        try {
            tokens = Lexer.tokens(text);
        } catch (Lexer.LexError e) {
            throw new WorkloadException(place.at(e.line, e.column) + ": " + e.getMessage()
                    + " (in '" + oneLine(text.substring(lineStart(text, e.start))) + "')");
        }
        ShorthandParser parser = new ShorthandParser(text, place, baseDir, tokens);
        List<Workload.Step> steps = parser.stepList(true);
        Token extra = parser.peek();
        if (extra.kind() != Kind.END) {
            parser.opStart = parser.next;
            parser.fail(extra, "unexpected '}' without a 'repeat N {'");
        }
        return steps;
    }

    private List<Workload.Step> stepList(boolean top) {
        List<Workload.Step> steps = new ArrayList<>();
        skipSeparators();
        while (peek().kind() != Kind.END && peek().kind() != Kind.RBRACE) {
            int start = next;
            opStart = start;
            Op op = op();
            int vcpu = Workload.Step.SPREAD;
            if (peek().isWord("vcpu")) {
                if (!top) fail(peek(), "'vcpu' pins top-level steps only, not ops inside 'repeat'");
                take();
                vcpu = (int) count("vcpu", 0, Integer.MAX_VALUE);
            }
            String opText = text.substring(tokens.get(start).start(), tokens.get(next - 1).end());
            steps.add(new Workload.Step(op, opText, vcpu));
            Token after = peek();
            if (!after.separates() && after.kind() != Kind.END && after.kind() != Kind.RBRACE) {
                fail(after, "expected ';' or a new line after '" + oneLine(opText) + "', found " + after.shown());
            }
            skipSeparators();
        }
        return steps;
    }

    private Op op() {
        Token name = take();
        if (name.kind() != Kind.WORD) fail(name, "expected an op, found " + name.shown());
        return switch (name.value()) {
            case "touch" -> { long[] r = range("touch"); yield new Op.Touch(r[0], r[1]); }
            case "read" -> { long[] r = range("read"); yield new Op.Read(r[0], r[1]); }
            case "unmap" -> { long[] r = range("unmap"); yield new Op.Unmap(r[0], r[1]); }
            case "remap" -> { long[] r = range("remap"); yield new Op.Remap(r[0], r[1]); }
            case "free" -> { long[] r = range("free"); yield new Op.Free(r[0], r[1]); }
            case "fill" -> fill();
            case "random" -> random();
            case "processes" -> new Op.Processes((int) count("processes", 1, Integer.MAX_VALUE));
            case "switch" -> new Op.Switch(count("switch", 1, Long.MAX_VALUE), optionalWord("pcid"));
            case "demand" -> new Op.Demand(onOff());
            case "pages" -> pageSize();
            case "balloon" -> balloon();
            case "sleep" -> new Op.Sleep(duration());
            case "verify" -> new Op.Verify();
            case "repeat" -> repeat();
            case "trace" -> trace();
            default -> throw fail(name, "unknown op '" + name.value() + "'; expected one of " + String.join(", ", OPS));
        };
    }

    /** {@code SIZE [at OFF]}: returns {bytes, offset}. */
    private long[] range(String name) {
        long bytes = size(name, false);
        long offset = 0;
        if (optionalWord("at")) offset = size("at", true);
        checkEnd(bytes, offset);
        return new long[] {bytes, offset};
    }

    private Op fill() {
        long bytes = size("fill", false);
        long offset = 0;
        Op.Content content = null;
        Set<String> seen = new HashSet<>();
        while (peek().kind() == Kind.WORD) {
            Token clause = peek();
            if (clause.isWord("at")) {
                once(seen, "at");
                take();
                offset = size("at", true);
            } else if (clause.value().startsWith("content=")) {
                once(seen, "content=");
                take();
                content = content(clause);
            } else {
                break;
            }
        }
        if (content == null) fail(peek(), "expected '" + CONTENT_FORMS + "' in 'fill', found " + peek().shown());
        checkEnd(bytes, offset);
        return new Op.Fill(bytes, offset, content);
    }

    private Op.Content content(Token clause) {
        String value = clause.value().substring("content=".length());
        int colon = value.indexOf(':');
        String kind = colon < 0 ? value : value.substring(0, colon);
        String param = colon < 0 ? null : value.substring(colon + 1);
        return switch (kind) {
            case "zero" -> noParam(clause, param, new Op.Content.Zero());
            case "unique" -> noParam(clause, param, new Op.Content.Unique());
            case "same" -> new Op.Content.Same(param == null ? 1 : (int) countValue(clause, param, "same:", 1, Integer.MAX_VALUE));
            case "random" -> new Op.Content.RandomBytes(param == null ? 0 : seedValue(clause, param));
            default -> throw fail(clause, "expected '" + CONTENT_FORMS + "', found '" + clause.value() + "'");
        };
    }

    private Op.Content noParam(Token clause, String param, Op.Content content) {
        if (param != null) fail(clause, "expected '" + CONTENT_FORMS + "', found '" + clause.value() + "'");
        return content;
    }

    private Op random() {
        long count = count("random", 1, Long.MAX_VALUE);
        Token over = take();
        if (!over.isWord("over")) fail(over, "expected 'over SIZE' after the count of 'random', found " + over.shown());
        long bytes = size("over", false);
        int writes = 0;
        Op.Distribution dist = new Op.Distribution.Uniform();
        long seed = 0;
        Set<String> seen = new HashSet<>();
        while (peek().kind() == Kind.WORD) {
            Token clause = peek();
            switch (clause.value()) {
                case "writes" -> { once(seen, "writes"); take(); writes = percent(); }
                case "dist" -> { once(seen, "dist"); take(); dist = distribution(); }
                case "seed" -> { once(seen, "seed"); take(); Token t = take(); seed = seedValue(t, wordOf(t, "a seed after 'seed'")); }
                default -> { return new Op.Random(count, bytes, writes, dist, seed); }
            }
        }
        return new Op.Random(count, bytes, writes, dist, seed);
    }

    private int percent() {
        Token t = take();
        String value = wordOf(t, "a percentage 0..100 after 'writes'");
        String digits = value.endsWith("%") ? value.substring(0, value.length() - 1) : value;
        if (!digits.matches("\\d{1,3}") || Integer.parseInt(digits) > 100) {
            fail(t, "expected a percentage 0..100 after 'writes', found '" + value + "'");
        }
        return Integer.parseInt(digits);
    }

    private Op.Distribution distribution() {
        Token t = take();
        String value = wordOf(t, "'uniform' or 'zipf:THETA' after 'dist'");
        if (value.equals("uniform")) return new Op.Distribution.Uniform();
        if (value.startsWith("zipf:") && value.substring(5).matches("\\d+(\\.\\d+)?|\\.\\d+")) {
            double theta = Double.parseDouble(value.substring(5));
            if (theta > 0 && Double.isFinite(theta)) return new Op.Distribution.Zipf(theta);
        }
        throw fail(t, "expected 'uniform' or 'zipf:THETA' (THETA > 0) after 'dist', found '" + value + "'");
    }

    private long seedValue(Token t, String value) {
        try {
            return value.startsWith("0x") || value.startsWith("0X")
                    ? Long.parseUnsignedLong(value.substring(2), 16) : Long.parseUnsignedLong(value);
        } catch (NumberFormatException e) {
            throw fail(t, "expected a seed (decimal or 0x hex, below 2^64), found '" + value + "'");
        }
    }

    private boolean onOff() {
        Token t = take();
        if (t.isWord("on")) return true;
        if (t.isWord("off")) return false;
        throw fail(t, "expected 'on' or 'off' after 'demand', found " + t.shown());
    }

    private Op pageSize() {
        Token t = take();
        if (t.isWord("4K") || t.isWord("4k")) return new Op.PageSize(Op.PageSize.SHIFT_4K);
        if (t.isWord("2M") || t.isWord("2m")) return new Op.PageSize(Op.PageSize.SHIFT_2M);
        throw fail(t, "expected '4K' or '2M' after 'pages', found " + t.shown());
    }

    private Op balloon() {
        Token t = take();
        Op.BalloonAction action = switch (t.kind() == Kind.WORD ? t.value() : "") {
            case "inflate" -> Op.BalloonAction.INFLATE;
            case "deflate" -> Op.BalloonAction.DEFLATE;
            case "to" -> Op.BalloonAction.TO;
            default -> throw fail(t, "expected 'inflate', 'deflate' or 'to' after 'balloon', found " + t.shown());
        };
        return new Op.Balloon(action, size(t.value(), action == Op.BalloonAction.TO));
    }

    private long duration() {
        Token t = take();
        String value = wordOf(t, "a duration after 'sleep'");
        try {
            return WorkloadUnits.parseDuration(value);
        } catch (IllegalArgumentException e) {
            throw fail(t, "expected a duration (a number and ns, us, ms, s, m or h) after 'sleep', found '" + value + "'");
        }
    }

    private Op repeat() {
        int times = (int) count("repeat", 1, Integer.MAX_VALUE);
        Token open = take();
        if (open.kind() != Kind.LBRACE) fail(open, "expected '{' after 'repeat " + WorkloadUnits.formatCount(times) + "', found " + open.shown());
        int outer = opStart;
        List<Workload.Step> body = stepList(false);
        opStart = outer;
        Token close = take();
        if (close.kind() != Kind.RBRACE) fail(close, "expected '}' to close 'repeat', found " + close.shown());
        List<Op> ops = new ArrayList<>(body.size());
        for (Workload.Step step : body) ops.add(step.op());
        return new Op.Repeat(times, ops);
    }

    private Op trace() {
        Token t = take();
        String file = wordOf(t, "a lackey trace file after 'trace'");
        try {
            return new Op.Trace(file, LackeyTrace.read(baseDir.resolve(file)));
        } catch (WorkloadException e) {
            throw fail(t, e.getMessage());
        }
    }

    private long size(String after, boolean zeroOk) {
        Token t = take();
        String value = wordOf(t, "a size after '" + after + "'");
        long bytes;
        try {
            bytes = WorkloadUnits.parseSize(value);
        } catch (IllegalArgumentException e) {
            throw fail(t, "expected a size after '" + after + "', found '" + value + "'");
        }
        if (bytes == 0 && !zeroOk) fail(t, "expected a non-zero size after '" + after + "', found '" + value + "'");
        if (bytes % WorkloadUnits.PAGE_SIZE != 0) {
            fail(t, "size '" + value + "' is " + bytes + " bytes, not a multiple of 4K");
        }
        return bytes;
    }

    private long count(String after, long min, long max) {
        Token t = take();
        return countValue(t, wordOf(t, "a count after '" + after + "'"), after, min, max);
    }

    private long countValue(Token t, String value, String after, long min, long max) {
        long count;
        try {
            count = WorkloadUnits.parseCount(value);
        } catch (IllegalArgumentException e) {
            throw fail(t, "expected a count after '" + after + "', found '" + value + "'");
        }
        if (count < min || count > max) {
            fail(t, "count after '" + after + "' must be " + min + ".." + max + ", found '" + value + "'");
        }
        return count;
    }

    private void checkEnd(long bytes, long offset) {
        if (bytes + offset < 0) fail(tokens.get(next - 1), "range end is at or above 2^63 bytes");
    }

    private String wordOf(Token t, String expected) {
        if (t.kind() != Kind.WORD) fail(t, "expected " + expected + ", found " + t.shown());
        return t.value();
    }

    private boolean optionalWord(String word) {
        if (!peek().isWord(word)) return false;
        take();
        return true;
    }

    private void once(Set<String> seen, String clause) {
        if (!seen.add(clause)) fail(peek(), "'" + clause + "' given twice");
    }

    private void skipSeparators() {
        while (peek().separates()) next++;
    }

    private Token peek() {
        return tokens.get(next);
    }

    private Token take() {
        Token t = tokens.get(next);
        if (t.kind() != Kind.END) next++;
        return t;
    }

    private WorkloadException fail(Token at, String detail) {
        throw new WorkloadException(place.at(at.line(), at.column()) + ": " + detail + " (in '" + opText() + "')");
    }

    /** The current top-level op as written: from its first token to the separator that ends it. */
    private String opText() {
        int depth = 0;
        int last = opStart;
        for (int i = opStart; i < tokens.size(); i++) {
            Token t = tokens.get(i);
            if (t.kind() == Kind.END || (depth == 0 && (t.separates() || t.kind() == Kind.RBRACE))) break;
            if (t.kind() == Kind.LBRACE) depth++;
            if (t.kind() == Kind.RBRACE) depth--;
            last = i;
        }
        Token first = tokens.get(opStart);
        return first.kind() == Kind.END ? "" : oneLine(text.substring(first.start(), tokens.get(last).end()));
    }

    static String oneLine(String text) {
        return text.strip().replaceAll("\\s*\\n\\s*", "; ").replace(";;", ";").replace("{;", "{").replace("; }", " }").replaceAll("[ \\t]+", " ");
    }

    private static int lineStart(String text, int offset) {
        return text.lastIndexOf('\n', offset - 1) + 1;
    }
}
