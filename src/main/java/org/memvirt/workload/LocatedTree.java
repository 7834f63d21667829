package org.memvirt.workload;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;

/** A YAML or JSON document as a tree whose nodes remember their line and column, so errors can point into the file. */
sealed interface LocatedTree {
    /** 1-based line and column of the node's first character; 0 when the node came without a location. */
    int line();

    int column();

    /** A scalar; {@code column} is of its first character inside any quotes. */
    record Scalar(String text, int line, int column) implements LocatedTree {}

    record Sequence(List<LocatedTree> items, int line, int column) implements LocatedTree {}

    record Mapping(Map<String, LocatedTree> entries, int line, int column) implements LocatedTree {}

    /** Reads the one document of {@code text} with {@code factory} (a JsonFactory or a YAMLFactory). */
    static LocatedTree read(JsonFactory factory, String text, String source) {
        String[] lines = text.split("\n", -1);
        try (JsonParser parser = factory.createParser(text)) {
            if (parser.nextToken() == null) throw new WorkloadException(source + ": the file holds no workload");
            return read(parser, lines);
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            String where = at == null ? source : source + ":" + at.getLineNr() + ":" + at.getColumnNr();
            throw new WorkloadException(where + ": " + e.getOriginalMessage().lines().findFirst().orElse("syntax error"), e);
        } catch (IOException e) {
            throw new WorkloadException(source + ": " + e.getMessage(), e);
        }
    }

    private static LocatedTree read(JsonParser parser, String[] lines) throws IOException {
        JsonLocation at = parser.currentTokenLocation();
        int line = at.getLineNr();
        int column = at.getColumnNr();
        JsonToken token = parser.currentToken();
        if (token == JsonToken.START_ARRAY) {
            List<LocatedTree> items = new ArrayList<>();
            while (parser.nextToken() != JsonToken.END_ARRAY) items.add(read(parser, lines));
            return new Sequence(items, line, column);
        }
        if (token == JsonToken.START_OBJECT) {
            Map<String, LocatedTree> entries = new LinkedHashMap<>();
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String key = parser.currentName();
                parser.nextToken();
                entries.put(key, read(parser, lines));
            }
            return new Mapping(entries, line, column);
        }
        String text = token == JsonToken.VALUE_NULL ? "" : parser.getText();
        boolean quoted = line >= 1 && line <= lines.length && column >= 1 && column <= lines[line - 1].length()
                && (lines[line - 1].charAt(column - 1) == '"' || lines[line - 1].charAt(column - 1) == '\'');
        return new Scalar(text, line, quoted ? column + 1 : column);
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
        return new Scalar(node.isNull() ? "" : node.asText(), 0, 0);
    }
}
