package org.memvirt.workload;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A YAML or JSON document as a tree whose nodes remember their line and column, so errors can point into the file.
 * {@link DocumentLoader} builds one; {@link #toJson()} gives the same tree as Jackson nodes.
 */
public sealed interface LocatedTree {
    /** 1-based line and column of the node's first character; 0 when the node came without a location. */
    int line();

    int column();

    /** What a scalar stands for: YAML's core schema for plain scalars, JSON's token types. */
    enum Type { STRING, INTEGER, BOOLEAN, NULL }

    /** A scalar; {@code column} is of its first character inside any quotes; a null's text is empty. */
    record Scalar(String text, int line, int column, Type type) implements LocatedTree {}

    record Sequence(List<LocatedTree> items, int line, int column) implements LocatedTree {}

    record Mapping(Map<String, LocatedTree> entries, int line, int column) implements LocatedTree {}

    /** {@code file:line:column} of this node, or just {@code source} for a node without a location. */
    default String where(String source) {
        return line() > 0 ? source + ":" + line() + ":" + column() : source;
    }

    /** The tree as Jackson nodes: integers as numbers, {@code true}/{@code false} as booleans, other scalars as text. */
    default JsonNode toJson() {
        JsonNodeFactory f = JsonNodeFactory.instance;
        return switch (this) {
            case Scalar s -> switch (s.type()) {
                case NULL -> f.nullNode();
                case BOOLEAN -> f.booleanNode(Boolean.parseBoolean(s.text().toLowerCase(java.util.Locale.ROOT)));
                case INTEGER -> integer(new java.math.BigInteger(s.text()));
                case STRING -> f.textNode(s.text());
            };
            case Sequence q -> {
                ArrayNode a = f.arrayNode();
                for (LocatedTree item : q.items()) a.add(item.toJson());
                yield a;
            }
            case Mapping m -> {
                ObjectNode o = f.objectNode();
                for (Map.Entry<String, LocatedTree> e : m.entries().entrySet()) o.set(e.getKey(), e.getValue().toJson());
                yield o;
            }
        };
    }

    private static JsonNode integer(java.math.BigInteger v) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        if (v.bitLength() < 32) return f.numberNode(v.intValue());
        return v.bitLength() < 64 ? f.numberNode(v.longValue()) : f.numberNode(v);
    }

    /**
     * The deepest node on a field path such as {@code vms[1].workload[0]} or {@code host.ksm.run}: as far as the path
     * leads into this tree (a missing field gives its parent).
     */
    default LocatedTree at(String path) {
        LocatedTree node = this;
        for (String part : path.split("\\.|(?=\\[)")) {
            if (part.isEmpty()) continue;
            LocatedTree next = null;
            if (part.startsWith("[") && part.endsWith("]") && node instanceof Sequence q) {
                String index = part.substring(1, part.length() - 1);
                if (index.matches("\\d{1,9}") && Integer.parseInt(index) < q.items().size()) {
                    next = q.items().get(Integer.parseInt(index));
                }
            } else if (node instanceof Mapping m) {
                next = m.entries().get(part);
            }
            if (next == null) return node;
            node = next;
        }
        return node;
    }

    /** A tree without locations from a Jackson node (for workloads embedded in another document). */
    static LocatedTree of(JsonNode node) {
        if (node.isArray()) {
            List<LocatedTree> items = new ArrayList<>();
            for (JsonNode item : node) items.add(of(item));
            return new Sequence(items, 0, 0);
        }
        if (node.isObject()) {
            Map<String, LocatedTree> entries = new LinkedHashMap<>();
            for (Map.Entry<String, JsonNode> entry : node.properties()) entries.put(entry.getKey(), of(entry.getValue()));
            return new Mapping(entries, 0, 0);
        }
        Type type = node.isNull() ? Type.NULL : node.isBoolean() ? Type.BOOLEAN : node.isIntegralNumber() ? Type.INTEGER
                : Type.STRING;
        return new Scalar(node.isNull() ? "" : node.asText(), 0, 0, type);
    }
}
