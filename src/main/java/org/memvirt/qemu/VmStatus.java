package org.memvirt.qemu;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * QMP {@code query-status} (qapi/run-state.json StatusInfo).
 *
 * @param status QEMU's RunState: {@code prelaunch} (started with -S), {@code running}, {@code paused},
 *        {@code shutdown}, {@code guest-panicked}, {@code internal-error}, ...
 * @param running whether the vCPUs run
 */
public record VmStatus(String status, boolean running) {
    static VmStatus of(JsonNode r) {
        return new VmStatus(r.path("status").asText(), r.path("running").asBoolean());
    }
}
