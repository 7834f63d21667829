package org.memvirt.qemu;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * An asynchronous QMP event (docs/interop/qmp-spec.txt 2.5: {@code {"event": ..., "data": ..., "timestamp":
 * {"seconds": ..., "microseconds": ...}}}), for example {@code BALLOON_CHANGE} ({@code data.actual}, bytes) or
 * {@code SHUTDOWN} ({@code data.guest}, {@code data.reason}).
 *
 * @param name the event's name
 * @param data its data member, an empty object where QEMU sent none
 * @param timestampMicros QEMU's wall-clock time of the event in microseconds since the epoch
 */
public record QmpEvent(String name, JsonNode data, long timestampMicros) {
    static QmpEvent of(JsonNode message) {
        JsonNode ts = message.path("timestamp");
        long micros = ts.path("seconds").asLong() * 1_000_000 + ts.path("microseconds").asLong();
        JsonNode data = message.has("data") ? message.get("data") : QmpClient.MAPPER.createObjectNode();
        return new QmpEvent(message.get("event").asText(), data, micros);
    }
}
