package org.memvirt.qemu.agent;

import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** Turns one line from the agent into an {@link AgentReply}, or says in one line what is wrong with it. */
final class ReplyDecoder {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int EXCERPT = 60;

    /** A line that is not a valid reply; the message says why. */
    static final class Malformed extends Exception {
        private static final long serialVersionUID = 1L;

        Malformed(String message) {
            super(message);
        }
    }

    static AgentReply decode(String line) throws Malformed {
        JsonNode n;
        try {
            n = JSON.readTree(line);
        } catch (JsonProcessingException e) {
            throw new Malformed("not JSON: " + excerpt(line));
        }
        if (n == null || !n.isObject()) throw new Malformed("not a JSON object: " + excerpt(line));
        long seq = number(n, "seq");
        String type = text(n, "type");
        return switch (type) {
            case "ready" -> new AgentReply.Ready(seq, (int) number(n, "protocol"), text(n, "kernel"), number(n, "uptime_ns"),
                    text(n, "thp"), (int) number(n, "cpus"));
            case "done" -> new AgentReply.Done(seq, text(n, "op"), number(n, "ns"), (int) number(n, "running"),
                    numbers(n, "result", true), n.path("result").path("first").asText(""), numbers(n, "vmstat", false),
                    numbers(n, "stat", false), numbers(n, "meminfo", false));
            case "error" -> new AgentReply.Failure(seq, text(n, "message"));
            case "bye" -> new AgentReply.Bye(seq);
            default -> throw new Malformed("unknown reply type '" + type + "'");
        };
    }

    private static long number(JsonNode n, String field) throws Malformed {
        JsonNode v = n.get(field);
        if (v == null || !v.canConvertToLong() || !v.isIntegralNumber()) throw new Malformed("no integer \"" + field + "\"");
        return v.asLong();
    }

    private static String text(JsonNode n, String field) throws Malformed {
        JsonNode v = n.get(field);
        if (v == null || !v.isTextual()) throw new Malformed("no string \"" + field + "\"");
        return v.asText();
    }

    /** An object of integers ({@code skipText}: string members, such as verify's "first", are left out). */
    private static Map<String, Long> numbers(JsonNode n, String field, boolean skipText) throws Malformed {
        JsonNode o = n.get(field);
        if (o == null) return Map.of();
        if (!o.isObject()) throw new Malformed("\"" + field + "\" is not an object");
        Map<String, Long> m = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : o.properties()) {
            if (skipText && e.getValue().isTextual()) continue;
            if (!e.getValue().isIntegralNumber()) throw new Malformed("\"" + field + "." + e.getKey() + "\" is not an integer");
            m.put(e.getKey(), e.getValue().asLong());
        }
        return m;
    }

    private static String excerpt(String line) {
        String oneLine = line.replaceAll("\\p{Cntrl}", "?");
        return oneLine.length() <= EXCERPT ? "'" + oneLine + "'" : "'" + oneLine.substring(0, EXCERPT) + "...' (" + line.length() + " chars)";
    }

    private ReplyDecoder() {}
}
