package org.memvirt.report;

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.memvirt.engine.RunResult;

/** {@code memvirt run --json}: a {@link RunResult} with counters flat by name (docs/commands/run.md). */
public final class RunJson {
    private RunJson() {}

    /** One run. */
    public static String write(RunResult r) {
        return Json.write(tree(r));
    }

    /** The main run's JSON as without {@code --compare}, plus {@code runs}: every run's JSON, the main run first. */
    public static String write(List<RunResult> runs) {
        ObjectNode root = tree(runs.getFirst());
        ArrayNode all = root.putArray("runs");
        for (RunResult r : runs) all.add(tree(r));
        return Json.write(root);
    }

    private static ObjectNode tree(RunResult r) {
        ObjectNode root = Json.mapper().valueToTree(r);
        flattenCounters(root, "counters");
        JsonNode vcpus = root.get("vcpus");
        if (vcpus != null) for (int i = 0; i < vcpus.size(); i++) flattenValues((ObjectNode) vcpus.get(i), (ArrayNode) vcpus, i);
        JsonNode ops = root.get("ops");
        if (ops != null) for (JsonNode op : ops) flattenCounters((ObjectNode) op, "deltas");
        return root;
    }

    private static void flattenCounters(ObjectNode parent, String field) {
        JsonNode c = parent.get(field);
        if (c != null && c.has("values")) parent.set(field, c.get("values"));
    }

    private static void flattenValues(ObjectNode counters, ArrayNode array, int index) {
        if (counters.has("values")) array.set(index, counters.get("values"));
    }
}
