package org.memvirt.qemu;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * QEMU's QMP greeting (docs/interop/qmp-spec.txt 2.2: {@code {"QMP": {"version": {"qemu": {"major": ..., "minor":
 * ..., "micro": ...}, "package": ...}, "capabilities": [...]}}}).
 *
 * @param version {@code major.minor.micro}
 * @param packageName the distribution's package string ({@code Debian 1:7.2+dfsg-7+deb12u18+b3}), may be empty
 * @param capabilities the capabilities QEMU offers ({@code oob}); memvirt enables none of them
 */
public record QmpGreeting(String version, String packageName, List<String> capabilities) {
    public QmpGreeting {
        capabilities = List.copyOf(capabilities);
    }

    static QmpGreeting of(JsonNode message) {
        JsonNode qmp = message.get("QMP");
        JsonNode v = qmp.path("version").path("qemu");
        List<String> caps = new ArrayList<>();
        qmp.path("capabilities").forEach(c -> caps.add(c.asText()));
        return new QmpGreeting(v.path("major").asInt() + "." + v.path("minor").asInt() + "." + v.path("micro").asInt(),
                qmp.path("version").path("package").asText(""), caps);
    }
}
