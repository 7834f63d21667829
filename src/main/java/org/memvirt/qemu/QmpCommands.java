package org.memvirt.qemu;

import java.time.Duration;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The QMP commands memvirt uses, typed, each waiting at most the given timeout (qapi/*.json of QEMU 7.2). Errors are
 * one-line {@link QemuException}s that name the command and QEMU's error class.
 */
public final class QmpCommands {
    /** The QOM container of devices created with {@code -device ...,id=ID} (qdev: /machine/peripheral/ID). */
    public static final String PERIPHERAL = "/machine/peripheral/";

    private final QmpClient qmp;
    private final Duration timeout;

    public QmpCommands(QmpClient qmp, Duration timeout) {
        this.qmp = qmp;
        this.timeout = timeout;
    }

    /** The connection these commands go through (events: {@link QmpClient#awaitEvent}). */
    public QmpClient client() {
        return qmp;
    }

    /** {@code query-status}. */
    public VmStatus status() {
        return VmStatus.of(qmp.execute("query-status", null, timeout));
    }

    /** {@code cont}: starts the vCPUs of a QEMU started with {@code -S}. */
    public void cont() {
        qmp.execute("cont", null, timeout);
    }

    /** {@code query-memory-size-summary}. */
    public MemorySizeSummary memorySizeSummary() {
        return MemorySizeSummary.of(qmp.execute("query-memory-size-summary", null, timeout));
    }

    /**
     * {@code query-balloon}: the guest's memory as the balloon leaves it ({@code actual}, bytes: RAM minus what the
     * guest's driver has inflated).
     *
     * @throws QemuException {@code DeviceNotActive} without a balloon device
     */
    public long balloonActualBytes() {
        return qmp.execute("query-balloon", null, timeout).path("actual").asLong();
    }

    /**
     * {@code balloon}: asks the guest's driver to bring the guest's memory to {@code targetBytes}. Returns at once;
     * the driver works asynchronously (watch {@link #balloonActualBytes()} or {@code BALLOON_CHANGE} events).
     */
    public void balloon(long targetBytes) {
        qmp.execute("balloon", QmpClient.MAPPER.createObjectNode().put("value", targetBytes), timeout);
    }

    /** {@code qom-get PATH PROPERTY}. */
    public JsonNode qomGet(String path, String property) {
        return qmp.execute("qom-get", QmpClient.MAPPER.createObjectNode().put("path", path).put("property", property),
                timeout);
    }

    /** {@code qom-set PATH PROPERTY VALUE}. */
    public void qomSet(String path, String property, JsonNode value) {
        ObjectNode args = QmpClient.MAPPER.createObjectNode().put("path", path).put("property", property);
        args.set("value", value);
        qmp.execute("qom-set", args, timeout);
    }

    /**
     * Has the guest's balloon driver report its memory statistics every {@code seconds} (0 stops it): the
     * {@code guest-stats-polling-interval} of the virtio-balloon device created with {@code id=deviceId}.
     */
    public void setGuestStatsInterval(String deviceId, int seconds) {
        qomSet(PERIPHERAL + deviceId, "guest-stats-polling-interval", QmpClient.MAPPER.getNodeFactory().numberNode(seconds));
    }

    /** The guest's memory statistics as the balloon device {@code deviceId} last received them. */
    public BalloonStats guestStats(String deviceId) {
        return BalloonStats.of(qomGet(PERIPHERAL + deviceId, "guest-stats"));
    }

    /**
     * {@code query-stats} for {@code target} {@code vm} or {@code vcpu}: KVM's binary statistics under
     * {@code -accel kvm}, an empty list under TCG (no provider registers there).
     */
    public List<StatsResult> queryStats(String target) {
        return StatsResult.listOf(qmp.execute("query-stats", QmpClient.MAPPER.createObjectNode().put("target", target),
                timeout));
    }

    /**
     * {@code quit}: QEMU stops at once. It may close the connection before its reply arrives (it sends
     * {@code SHUTDOWN} first), which counts as done here.
     */
    public void quit() {
        try {
            qmp.execute("quit", null, timeout);
        } catch (QemuException e) {
            if (e.errorClass() != null || qmp.closedBecause() == null) throw e;
        }
    }
}
