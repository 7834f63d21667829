package org.memvirt.workload;

import java.math.BigDecimal;
import java.util.List;
import java.util.StringJoiner;

import static org.memvirt.workload.WorkloadUnits.formatCount;
import static org.memvirt.workload.WorkloadUnits.formatSize;

/**
 * The canonical text of ops, as reports print them ({@code touch 1G at 512M}); parsing it gives the same op back.
 * Defaults are left out ({@code at 0}, {@code writes 0}, {@code dist uniform}, {@code seed 0}).
 */
public final class WorkloadFormat {

    /** One op, e.g. {@code random 1M over 1G writes 30 dist zipf:0.99 seed 7}. */
    public static String format(Op op) {
        return switch (op) {
            case Op.Touch(long bytes, long offset) -> range("touch", bytes, offset);
            case Op.Read(long bytes, long offset) -> range("read", bytes, offset);
            case Op.Fill(long bytes, long offset, Op.Content content) ->
                    range("fill", bytes, offset) + " content=" + content(content);
            case Op.Random random -> random(random);
            case Op.Processes(int count) -> "processes " + formatCount(count);
            case Op.Switch(long count, boolean pcid) -> "switch " + formatCount(count) + (pcid ? " pcid" : "");
            case Op.Unmap(long bytes, long offset) -> range("unmap", bytes, offset);
            case Op.Remap(long bytes, long offset) -> range("remap", bytes, offset);
            case Op.Free(long bytes, long offset) -> range("free", bytes, offset);
            case Op.Demand(boolean on) -> on ? "demand on" : "demand off";
            case Op.PageSize(int shift) -> shift == Op.PageSize.SHIFT_2M ? "pages 2M" : "pages 4K";
            case Op.Balloon(Op.BalloonAction action, long bytes) ->
                    "balloon " + action.name().toLowerCase() + " " + formatSize(bytes);
            case Op.Sleep(long nanos) -> "sleep " + WorkloadUnits.formatDuration(nanos);
            case Op.Verify() -> "verify";
            case Op.Repeat(int times, List<Op> body) -> repeat(times, body);
            case Op.Trace(String file, long[] accesses) -> "trace " + word(file);
        };
    }

    /** One step: its op, then {@code vcpu N} when pinned. */
    public static String format(Workload.Step step) {
        return format(step.op()) + (step.vcpu() == Workload.Step.SPREAD ? "" : " vcpu " + step.vcpu());
    }

    /** A whole workload as one shorthand line, steps separated by {@code "; "}. */
    public static String format(Workload workload) {
        StringJoiner line = new StringJoiner("; ");
        for (Workload.Step step : workload.steps()) line.add(format(step));
        return line.toString();
    }

    /** The text of a {@code zipf:θ} exponent: the shortest decimal that parses back to {@code theta}. */
    static String theta(double theta) {
        String plain = BigDecimal.valueOf(theta).toPlainString();
        return plain.endsWith(".0") ? plain.substring(0, plain.length() - 2) : plain;
    }

    /** A trace file name, double-quoted when it holds a blank, a quote or one of {@code ;{}#}. */
    static String word(String text) {
        boolean plain = !text.isEmpty() && text.chars().noneMatch(c -> Character.isWhitespace(c) || "\";{}#\\".indexOf(c) >= 0);
        return plain ? text : '"' + text.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }

    private static String range(String name, long bytes, long offset) {
        return name + " " + formatSize(bytes) + (offset == 0 ? "" : " at " + formatSize(offset));
    }

    private static String content(Op.Content content) {
        return switch (content) {
            case Op.Content.Zero() -> "zero";
            case Op.Content.Same(int variants) -> variants == 1 ? "same" : "same:" + variants;
            case Op.Content.Unique() -> "unique";
            case Op.Content.RandomBytes(long seed) -> seed == 0 ? "random" : "random:" + Long.toUnsignedString(seed);
        };
    }

    private static String random(Op.Random r) {
        StringBuilder text = new StringBuilder("random ").append(formatCount(r.count())).append(" over ").append(formatSize(r.over()));
        if (r.writesPercent() != 0) text.append(" writes ").append(r.writesPercent());
        if (r.distribution() instanceof Op.Distribution.Zipf(double theta)) text.append(" dist zipf:").append(theta(theta));
        if (r.seed() != 0) text.append(" seed ").append(Long.toUnsignedString(r.seed()));
        return text.toString();
    }

    private static String repeat(int times, List<Op> body) {
        StringJoiner ops = new StringJoiner("; ", "repeat " + formatCount(times) + " { ", " }");
        ops.setEmptyValue("repeat " + formatCount(times) + " { }");
        for (Op op : body) ops.add(format(op));
        return ops.toString();
    }

    private WorkloadFormat() {}
}
