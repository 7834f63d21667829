package org.memvirt.qemu;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * QMP {@code query-memory-size-summary} (qapi/machine.json MemoryInfo).
 *
 * @param baseMemory the machine's RAM, bytes ({@code -m} after QEMU's rounding)
 * @param pluggedMemory memory in hot-plugged DIMMs and virtio-mem devices, bytes; 0 where the machine has no
 *        device-memory region (QEMU then leaves the member out)
 */
public record MemorySizeSummary(long baseMemory, long pluggedMemory) {
    static MemorySizeSummary of(JsonNode r) {
        return new MemorySizeSummary(r.path("base-memory").bigIntegerValue().longValue(),
                r.path("plugged-memory").bigIntegerValue().longValue());
    }
}
