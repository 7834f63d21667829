package org.memvirt.workload;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;

import org.memvirt.TextFile;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.events.AliasEvent;
import org.yaml.snakeyaml.events.Event;
import org.yaml.snakeyaml.events.MappingStartEvent;
import org.yaml.snakeyaml.events.NodeEvent;
import org.yaml.snakeyaml.events.ScalarEvent;
import org.yaml.snakeyaml.events.SequenceStartEvent;
import org.yaml.snakeyaml.parser.Parser;
import org.yaml.snakeyaml.parser.ParserImpl;
import org.yaml.snakeyaml.reader.StreamReader;

/**
 * The one loader of memvirt's YAML and JSON files (workloads, scenarios): one document into a {@link LocatedTree}.
 * Aliases are resolved (the anchored node is copied), with the copies bounded by {@link #MAX_ALIAS_NODES}; a key given
 * twice in a mapping, a second document, and nesting deeper than {@link #MAX_DEPTH} are refused. Every error is one
 * line, {@code FILE:LINE:COLUMN: PROBLEM}.
 */
public final class DocumentLoader {
    /** Nodes aliases may add by copying; a "billion laughs" file is refused long before it costs anything. */
    static final int MAX_ALIAS_NODES = 10_000;
    /** Nesting of mappings and sequences; memvirt's files need 6. */
    static final int MAX_DEPTH = 64;

    // YAML 1.2 core schema (yaml.org/spec/1.2.2 §10.3.2), the subset Jackson's YAML module types too: a decimal
    // integer, true/false, null/~/empty; everything else a plain scalar spells stays text.
    private static final Pattern INTEGER = Pattern.compile("[-+]?(0|[1-9][0-9]*)");
    private static final Pattern BOOLEAN = Pattern.compile("true|True|TRUE|false|False|FALSE");
    private static final Pattern NULL = Pattern.compile("|~|null|Null|NULL");

    /** Reads {@code file}: JSON when its name ends in {@code .json}, else YAML. */
    public static LocatedTree read(Path file, String what) {
        String text = TextFile.read(file, what);
        boolean json = file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".json");
        return parse(text, file.toString(), json);
    }

    /**
     * One document of {@code text}; {@code source} names it in errors.
     *
     * @throws WorkloadException {@code source:line:column: problem}, also for an empty document
     */
    public static LocatedTree parse(String text, String source, boolean json) {
        return json ? json(text, source) : yaml(text, source);
    }

    // ---------------------------------------------------------------- YAML, from SnakeYAML's events

    private static LocatedTree yaml(String text, String source) {
        LoaderOptions options = new LoaderOptions();
        options.setCodePointLimit((int) TextFile.MAX_BYTES);
        Parser parser = new ParserImpl(new StreamReader(text), options);
        try {
            expect(parser, Event.ID.StreamStart, source);
            if (parser.checkEvent(Event.ID.StreamEnd)) throw new WorkloadException(source + ": the file is empty");
            expect(parser, Event.ID.DocumentStart, source);
            LocatedTree root = new YamlTree(parser, source, text).node(0);
            expect(parser, Event.ID.DocumentEnd, source);
            if (!parser.checkEvent(Event.ID.StreamEnd)) {
                throw new WorkloadException(where(source, parser.peekEvent().getStartMark())
                        + ": a second document; the file must hold one");
            }
            return root;
        } catch (MarkedYAMLException e) {
            throw new WorkloadException(where(source, e.getProblemMark()) + ": " + oneLine(e.getProblem())
                    + (e.getContextMark() == null || e.getContext() == null ? ""
                    : " (" + oneLine(e.getContext()) + " at " + lineColumn(e.getContextMark()) + ")"), e);
        } catch (YAMLException e) {
            throw new WorkloadException(source + ": " + oneLine(e.getMessage()), e);
        }
    }

    /** Builds nodes from events, keeping anchored nodes for aliases. */
    private static final class YamlTree {
        private final Parser parser;
        private final String source;
        private final String text;
        private final Map<String, LocatedTree> anchors = new HashMap<>();
        private long aliasNodes;

        YamlTree(Parser parser, String source, String text) {
            this.parser = parser;
            this.source = source;
            this.text = text;
        }

        LocatedTree node(int depth) {
            Event e = parser.getEvent();
            Mark at = e instanceof NodeEvent n ? content(n) : e.getStartMark();
            LocatedTree node = switch (e) {
                case AliasEvent alias -> alias(alias);
                case ScalarEvent s -> scalar(s);
                case SequenceStartEvent s -> {
                    nested(depth, at);
                    List<LocatedTree> items = new ArrayList<>();
                    while (!parser.checkEvent(Event.ID.SequenceEnd)) items.add(node(depth + 1));
                    parser.getEvent();
                    yield new LocatedTree.Sequence(items, at.getLine() + 1, at.getColumn() + 1);
                }
                case MappingStartEvent m -> {
                    nested(depth, at);
                    yield mapping(depth, at);
                }
                default -> throw new WorkloadException(where(source, at) + ": unexpected " + e.getEventId());
            };
            if (e instanceof NodeEvent n && !(e instanceof AliasEvent) && n.getAnchor() != null) {
                anchors.put(n.getAnchor(), node);
            }
            return node;
        }

        private LocatedTree mapping(int depth, Mark at) {
            Map<String, LocatedTree> entries = new LinkedHashMap<>();
            Map<String, Mark> keys = new HashMap<>();
            while (!parser.checkEvent(Event.ID.MappingEnd)) {
                Event key = parser.peekEvent();
                LocatedTree keyNode = node(depth + 1);
                if (!(keyNode instanceof LocatedTree.Scalar(String name, int l, int c, LocatedTree.Type t))) {
                    throw new WorkloadException(where(source, key.getStartMark()) + ": a key must be a plain value, not "
                            + (keyNode instanceof LocatedTree.Sequence ? "a list" : "a mapping"));
                }
                Mark first = keys.putIfAbsent(name, key.getStartMark());
                if (first != null) {
                    throw new WorkloadException(where(source, key.getStartMark()) + ": duplicate key '" + name
                            + "' (first at " + lineColumn(first) + ")");
                }
                entries.put(name, node(depth + 1));
            }
            parser.getEvent();
            return new LocatedTree.Mapping(entries, at.getLine() + 1, at.getColumn() + 1);
        }

        private LocatedTree alias(AliasEvent alias) {
            LocatedTree anchored = anchors.get(alias.getAnchor());
            if (anchored == null) {
                throw new WorkloadException(where(source, alias.getStartMark()) + ": alias *" + alias.getAnchor()
                        + " names no anchor before it");
            }
            aliasNodes += size(anchored);
            if (aliasNodes > MAX_ALIAS_NODES) {
                throw new WorkloadException(where(source, alias.getStartMark()) + ": aliases expand to more than "
                        + MAX_ALIAS_NODES + " nodes");
            }
            return anchored;
        }

        private LocatedTree scalar(ScalarEvent s) {
            Mark at = content(s);
            int column = at.getColumn() + 1 + (s.isPlain() ? 0 : 1);     // inside the quotes, as Jackson reports it
            String text = s.getValue();
            LocatedTree.Type type = LocatedTree.Type.STRING;
            if (s.isPlain() && s.getTag() == null) {
                if (NULL.matcher(text).matches()) {
                    type = LocatedTree.Type.NULL;
                    text = "";
                } else if (BOOLEAN.matcher(text).matches()) {
                    type = LocatedTree.Type.BOOLEAN;
                } else if (INTEGER.matcher(text).matches()) {
                    type = LocatedTree.Type.INTEGER;
                }
            }
            return new LocatedTree.Scalar(text, at.getLine() + 1, column, type);
        }

        /** Where a node's content starts: past its {@code &anchor} and {@code !tag}, where SnakeYAML's mark is. */
        private Mark content(NodeEvent e) {
            Mark mark = e.getStartMark();
            boolean properties = e.getAnchor() != null || e instanceof ScalarEvent s && s.getTag() != null
                    || e instanceof org.yaml.snakeyaml.events.CollectionStartEvent c && c.getTag() != null;
            if (!properties || mark.getIndex() >= text.length()) return mark;
            int i = mark.getIndex(), line = mark.getLine(), column = mark.getColumn();
            while (i < text.length() && (text.charAt(i) == '&' || text.charAt(i) == '!')) {
                while (i < text.length() && !Character.isWhitespace(text.charAt(i))) { i++; column++; }
                while (i < text.length() && Character.isWhitespace(text.charAt(i))) {
                    if (text.charAt(i) == '\n') { line++; column = 0; } else column++;
                    i++;
                }
            }
            return new Mark(mark.getName(), i, line, column, mark.getBuffer(), i);
        }

        private void nested(int depth, Mark at) {
            if (depth >= MAX_DEPTH) throw new WorkloadException(where(source, at) + ": nested deeper than " + MAX_DEPTH + " levels");
        }
    }

    /** Nodes in a tree (an alias counts what it copies). */
    private static long size(LocatedTree node) {
        return switch (node) {
            case LocatedTree.Scalar s -> 1;
            case LocatedTree.Sequence q -> {
                long n = 1;
                for (LocatedTree item : q.items()) n += size(item);
                yield n;
            }
            case LocatedTree.Mapping m -> {
                long n = 1;
                for (LocatedTree value : m.entries().values()) n += 1 + size(value);
                yield n;
            }
        };
    }

    private static void expect(Parser parser, Event.ID id, String source) {
        Event e = parser.getEvent();
        if (!e.is(id)) throw new WorkloadException(where(source, e.getStartMark()) + ": unexpected " + e.getEventId());
    }

    private static String where(String source, Mark mark) {
        return mark == null ? source : source + ":" + lineColumn(mark);
    }

    private static String lineColumn(Mark mark) {
        return (mark.getLine() + 1) + ":" + (mark.getColumn() + 1);
    }

    private static String oneLine(String text) {
        return text == null ? "syntax error" : text.strip().replaceAll("\\s*\\n\\s*", " ");
    }

    // ---------------------------------------------------------------- JSON, from Jackson's tokens

    private static LocatedTree json(String text, String source) {
        JsonFactory factory = JsonFactory.builder().build();
        try (JsonParser parser = factory.createParser(text)) {
            if (parser.nextToken() == null) throw new WorkloadException(source + ": the file is empty");
            LocatedTree root = jsonNode(parser, source, 0);
            JsonToken extra = parser.nextToken();
            if (extra != null) {
                throw new WorkloadException(where(source, parser.currentTokenLocation())
                        + ": more after the document's end; the file must hold one value");
            }
            return root;
        } catch (JsonProcessingException e) {
            String problem = e.getOriginalMessage().lines().findFirst().orElse("syntax error")
                    .replaceAll(" \\(start marker at \\[Source.*\\]\\)", "");
            throw new WorkloadException(where(source, e.getLocation()) + ": " + problem, e);
        } catch (IOException e) {
            throw new WorkloadException(source + ": " + e.getMessage(), e);
        }
    }

    private static LocatedTree jsonNode(JsonParser parser, String source, int depth) throws IOException {
        JsonLocation at = parser.currentTokenLocation();
        int line = at.getLineNr(), column = at.getColumnNr();
        JsonToken token = parser.currentToken();
        if (token == JsonToken.START_ARRAY || token == JsonToken.START_OBJECT) {
            if (depth >= MAX_DEPTH) throw new WorkloadException(where(source, at) + ": nested deeper than " + MAX_DEPTH + " levels");
        }
        if (token == JsonToken.START_ARRAY) {
            List<LocatedTree> items = new ArrayList<>();
            while (parser.nextToken() != JsonToken.END_ARRAY) items.add(jsonNode(parser, source, depth + 1));
            return new LocatedTree.Sequence(items, line, column);
        }
        if (token == JsonToken.START_OBJECT) {
            Map<String, LocatedTree> entries = new LinkedHashMap<>();
            Map<String, JsonLocation> keys = new HashMap<>();
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String key = parser.currentName();
                JsonLocation first = keys.putIfAbsent(key, parser.currentTokenLocation());
                if (first != null) {
                    throw new WorkloadException(where(source, parser.currentTokenLocation()) + ": duplicate key '" + key
                            + "' (first at " + first.getLineNr() + ":" + first.getColumnNr() + ")");
                }
                parser.nextToken();
                entries.put(key, jsonNode(parser, source, depth + 1));
            }
            return new LocatedTree.Mapping(entries, line, column);
        }
        LocatedTree.Type type = switch (token) {
            case VALUE_NULL -> LocatedTree.Type.NULL;
            case VALUE_TRUE, VALUE_FALSE -> LocatedTree.Type.BOOLEAN;
            case VALUE_NUMBER_INT -> LocatedTree.Type.INTEGER;
            default -> LocatedTree.Type.STRING;
        };
        String text = token == JsonToken.VALUE_NULL ? "" : parser.getText();
        return new LocatedTree.Scalar(text, line, token == JsonToken.VALUE_STRING ? column + 1 : column, type);
    }

    private static String where(String source, JsonLocation at) {
        return at == null ? source : source + ":" + at.getLineNr() + ":" + at.getColumnNr();
    }

    private DocumentLoader() {}
}
