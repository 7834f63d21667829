package org.memvirt.report;

import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.memvirt.engine.HostResult;

/** {@code memvirt scenario --json}: a {@link HostResult} with its {@link HostResult.Summary} after the name. */
public final class ScenarioJson {
    private ScenarioJson() {}

    public static String write(HostResult r) {
        ObjectNode fields = Json.mapper().valueToTree(r);
        ObjectNode root = Json.mapper().createObjectNode();
        root.set("scenario", fields.get("scenario"));
        root.set("summary", Json.mapper().valueToTree(r.summary()));
        for (Map.Entry<String, JsonNode> f : fields.properties()) root.set(f.getKey(), f.getValue());
        return Json.write(root);
    }
}
