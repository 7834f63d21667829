package org.memvirt.workload;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;

import com.fasterxml.jackson.databind.JsonNode;

import org.memvirt.TextFile;

/**
 * Parses workloads (docs/workload.md): CLI shorthand, YAML/JSON files, and workloads embedded in another document.
 * Every error is a {@link WorkloadException} naming source, line, column and the op as written.
 */
public final class WorkloadParser {
    /** The source name of shorthand given on the command line. */
    public static final String SHORTHAND_SOURCE = "workload";

    /** The key a workload step map names its op with, and the key that pins it to a vCPU. */
    private static final String OP_KEY = "op", VCPU_KEY = "vcpu";

    /** The map key whose value follows the op name directly ({@code {op: touch, size: 1G}} is {@code touch 1G}). */
    private static final Map<String, String> POSITIONAL_KEY = Map.ofEntries(Map.entry("touch", "size"),
            Map.entry("read", "size"), Map.entry("fill", "size"), Map.entry("unmap", "size"), Map.entry("remap", "size"),
            Map.entry("free", "size"),
            Map.entry("random", "count"), Map.entry("processes", "count"), Map.entry("switch", "count"),
            Map.entry("demand", "mode"), Map.entry("pages", "size"), Map.entry("sleep", "duration"), Map.entry("repeat", "times"),
            Map.entry("trace", "file"));

    /** {@code --workload "touch 1G; sleep 10s"}; trace files are resolved against the current directory. */
    public static Workload parseShorthand(String text) {
        return parseShorthand(text, Path.of(""));
    }

    /**
     * The value of {@code --workload}. It names a file when it starts with {@code @} (the rest is the path), or when
     * it is one word that contains a {@code /} or ends in {@code .yaml}, {@code .yml}, {@code .json} or {@code .txt};
     * such a file must exist and be readable text. Anything else is shorthand. A workload without ops is refused.
     */
    public static Workload parseArgument(String value) {
        String word = value.strip();
        boolean explicit = word.startsWith("@");
        String name = explicit ? word.substring(1) : word;
        boolean file = explicit || !name.isEmpty() && name.chars().noneMatch(Character::isWhitespace) && name.indexOf(';') < 0
                && (name.indexOf('/') >= 0 || FILE_SUFFIX.matcher(name.toLowerCase(Locale.ROOT)).find());
        Workload workload;
        if (file) {
            Path path;
            try {
                path = Path.of(name);
            } catch (java.nio.file.InvalidPathException e) {
                throw new WorkloadException("--workload: not a file name: '" + name + "'");
            }
            if (name.isEmpty()) throw new WorkloadException("--workload @: give a file name after '@'");
            workload = parseFile(path);
        } else {
            workload = parseShorthand(value);
        }
        if (workload.steps().isEmpty()) {
            throw new WorkloadException((file ? name : "--workload") + ": no ops; give at least one, e.g. \"touch 1G\"");
        }
        return workload;
    }

    private static final java.util.regex.Pattern FILE_SUFFIX = java.util.regex.Pattern.compile("\\.(ya?ml|json|txt)$");

    /** Shorthand whose trace files are resolved against {@code baseDir}. */
    public static Workload parseShorthand(String text, Path baseDir) {
        return new Workload(ShorthandParser.steps(text, Place.command(SHORTHAND_SOURCE), baseDir), text);
    }

    /**
     * A workload file: {@code .yaml}/{@code .yml} as YAML, {@code .json} as JSON, anything else as shorthand text.
     * A YAML/JSON document is a list of steps, a single shorthand string, or a map with a {@code workload} key holding
     * either; a step is an op string or a map such as {@code {op: touch, size: 1G, at: 512M, vcpu: 1}}.
     * Trace files are resolved against the file's directory.
     */
    public static Workload parseFile(Path file) {
        String text = TextFile.read(file, "workload file");
        String source = file.toString();
        Path baseDir = file.toAbsolutePath().getParent();
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        boolean json = name.endsWith(".json");
        if (json || name.endsWith(".yaml") || name.endsWith(".yml")) {
            return fromTree(DocumentLoader.parse(text, source, json), source, baseDir);
        }
        return new Workload(ShorthandParser.steps(text, Place.text(source), baseDir), source);
    }

    /**
     * A workload embedded in another document (e.g. a VM of a scenario file): a list of steps or one shorthand
     * string, as in {@link #parseFile}. Errors name {@code source} and the step number, since a tree node carries no
     * line numbers.
     *
     * @param node the workload's node
     * @param source how errors name the place, e.g. {@code "scenario.yaml: vm 'a': workload"}
     * @param baseDir where trace files are resolved
     */
    public static Workload parseNode(JsonNode node, String source, Path baseDir) {
        return fromTree(LocatedTree.of(node), source, baseDir);
    }

    private static Workload fromTree(LocatedTree root, String source, Path baseDir) {
        if (root instanceof LocatedTree.Mapping(Map<String, LocatedTree> entries, int line, int column)
                && entries.containsKey("workload") && !entries.containsKey(OP_KEY)) {
            return fromTree(entries.get("workload"), source, baseDir);
        }
        List<Workload.Step> steps = new ArrayList<>();
        switch (root) {
            case LocatedTree.Scalar scalar -> steps.addAll(ShorthandParser.steps(scalar.text(), place(source, scalar, 0), baseDir));
            case LocatedTree.Sequence(List<LocatedTree> items, int line, int column) -> {
                for (int i = 0; i < items.size(); i++) steps.addAll(step(items.get(i), source, i + 1, baseDir));
            }
            case LocatedTree.Mapping mapping -> steps.addAll(step(mapping, source, 1, baseDir));
        }
        return new Workload(steps, source);
    }

    private static List<Workload.Step> step(LocatedTree item, String source, int number, Path baseDir) {
        return switch (item) {
            case LocatedTree.Scalar scalar -> ShorthandParser.steps(scalar.text(), place(source, scalar, number), baseDir);
            case LocatedTree.Mapping mapping -> List.of(mapStep(mapping, source, number, baseDir));
            case LocatedTree.Sequence sequence -> throw new WorkloadException(
                    where(source, sequence, number) + ": expected an op string or an op map, found a list");
        };
    }

    /** {@code {op: NAME, KEY: VALUE..., vcpu: N}}: builds the shorthand text and parses that. */
    private static Workload.Step mapStep(LocatedTree.Mapping mapping, String source, int number, Path baseDir) {
        String text = mapText(mapping, source, number, true);
        LocatedTree.Scalar opNode = (LocatedTree.Scalar) mapping.entries().get(OP_KEY);
        boolean plain = mapping.entries().size() == (mapping.entries().containsKey(VCPU_KEY) ? 2 : 1);
        Place place = plain ? place(source, opNode, number) : Place.fixed(where(source, mapping, number));
        List<Workload.Step> parsed = ShorthandParser.steps(text, place, baseDir);
        if (parsed.size() != 1) {
            throw new WorkloadException(where(source, mapping, number) + ": expected one op in 'op:', found " + parsed.size()
                    + " (in '" + ShorthandParser.oneLine(text) + "')");
        }
        Workload.Step step = parsed.getFirst();
        LocatedTree vcpuNode = mapping.entries().get(VCPU_KEY);
        if (vcpuNode == null) return step;
        if (step.vcpu() != Workload.Step.SPREAD) {
            throw new WorkloadException(where(source, vcpuNode, number) + ": 'vcpu' given twice (in '" + step.text() + "')");
        }
        return new Workload.Step(step.op(), step.text(), vcpu(vcpuNode, source, number, step.text()));
    }

    /** The shorthand text of an op map: NAME, the positional value, then {@code KEY VALUE} for each other key. */
    private static String mapText(LocatedTree.Mapping mapping, String source, int number, boolean top) {
        LocatedTree opNode = mapping.entries().get(OP_KEY);
        if (!(opNode instanceof LocatedTree.Scalar(String name, int line, int column, LocatedTree.Type type)) || name.isBlank()) {
            throw new WorkloadException(where(source, mapping, number) + ": expected 'op: NAME' in a workload step map");
        }
        StringBuilder text = new StringBuilder(name);
        String positional = POSITIONAL_KEY.get(name);
        if (positional != null && mapping.entries().get(positional) instanceof LocatedTree.Scalar(String value, int l, int c, LocatedTree.Type t)) {
            text.append(' ').append(WorkloadFormat.word(value));
        }
        for (Map.Entry<String, LocatedTree> entry : mapping.entries().entrySet()) {
            String key = entry.getKey();
            if (key.equals(OP_KEY) || key.equals(positional) || key.equals(VCPU_KEY) && top) continue;
            text.append(' ').append(clause(key, entry.getValue(), source, number));
        }
        return text.toString();
    }

    private static String clause(String key, LocatedTree value, String source, int number) {
        return switch (value) {
            case LocatedTree.Scalar(String text, int line, int column, LocatedTree.Type type) when key.equals("content") -> "content=" + text;
            case LocatedTree.Scalar(String text, int line, int column, LocatedTree.Type type) when text.equals("true") -> key;
            case LocatedTree.Scalar(String text, int line, int column, LocatedTree.Type type) when text.equals("false") -> "";
            case LocatedTree.Scalar(String text, int line, int column, LocatedTree.Type type) -> key + " " + WorkloadFormat.word(text);
            case LocatedTree.Sequence(List<LocatedTree> items, int line, int column) when key.equals("body") -> body(items, source, number);
            default -> throw new WorkloadException(where(source, value, number) + ": unexpected value of '" + key + "'");
        };
    }

    /** A {@code repeat} map's {@code body:} list as {@code { op; op }}. */
    private static String body(List<LocatedTree> items, String source, int number) {
        StringJoiner text = new StringJoiner("; ", "{ ", " }");
        text.setEmptyValue("{ }");
        for (LocatedTree item : items) {
            String op = switch (item) {
                case LocatedTree.Scalar scalar -> scalar.text();
                case LocatedTree.Mapping mapping -> mapText(mapping, source, number, false);
                case LocatedTree.Sequence sequence -> throw new WorkloadException(
                        where(source, sequence, number) + ": expected an op string or an op map, found a list");
            };
            text.add(op);
        }
        return text.toString();
    }

    private static int vcpu(LocatedTree node, String source, int number, String opText) {
        if (node instanceof LocatedTree.Scalar(String text, int line, int column, LocatedTree.Type type) && text.matches("\\d{1,9}")) {
            return Integer.parseInt(text);
        }
        throw new WorkloadException(where(source, node, number) + ": expected a vCPU index after 'vcpu' (in '" + opText + "')");
    }

    /** Positions inside a scalar: exact in a file; by step number for a node without location. */
    private static Place place(String source, LocatedTree.Scalar scalar, int number) {
        if (scalar.line() > 0) return Place.embedded(source, scalar.line(), scalar.column());
        return number == 0 ? Place.text(source) : (line, column) -> source + ": step " + number + ":" + line + ":" + column;
    }

    private static String where(String source, LocatedTree node, int number) {
        return node.line() > 0 ? source + ":" + node.line() + ":" + node.column() : source + ": step " + number;
    }

    private WorkloadParser() {}
}
