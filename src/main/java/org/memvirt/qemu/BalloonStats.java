package org.memvirt.qemu;

import java.math.BigInteger;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The guest's memory statistics as its balloon driver last reported them (QOM property {@code guest-stats} of a
 * virtio-balloon device: {@code {"stats": {"stat-free-memory": ..., ...}, "last-update": ...}}).
 *
 * @param lastUpdate the guest's last report, seconds since the epoch; 0 before the first one
 * @param stats the statistics the guest reported, by QEMU's names ({@code stat-free-memory}, {@code stat-total-memory},
 *        {@code stat-available-memory}, {@code stat-disk-caches}, {@code stat-minor-faults}, ...); memory in bytes,
 *        the rest counts. Those it never reported are left out (QEMU shows them as 2^64-1).
 */
public record BalloonStats(long lastUpdate, Map<String, Long> stats) {
    /** QEMU's "not reported": hw/virtio/virtio-balloon.c reset_stats sets every stat to -1 as a uint64. */
    static final BigInteger UNREPORTED = BigInteger.TWO.pow(64).subtract(BigInteger.ONE);

    public BalloonStats {
        stats = Map.copyOf(stats);
    }

    static BalloonStats of(JsonNode guestStats) {
        Map<String, Long> stats = new LinkedHashMap<>();
        guestStats.path("stats").properties().forEach(e -> {
            BigInteger v = e.getValue().bigIntegerValue();
            if (!v.equals(UNREPORTED)) stats.put(e.getKey(), v.longValue());
        });
        return new BalloonStats(guestStats.path("last-update").asLong(), stats);
    }

    /** Whether the guest's driver has reported at all (it does so once per polling interval). */
    public boolean reported() {
        return lastUpdate != 0;
    }
}
