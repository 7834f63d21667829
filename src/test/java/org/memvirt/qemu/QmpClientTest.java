package org.memvirt.qemu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.Test;

/** QmpClient against an in-process server: the protocol's edges that real QEMU does not produce on demand. */
class QmpClientTest {
    static final Duration TIMEOUT = Duration.ofSeconds(5);

    static String reply(JsonNode command, String value) {
        return "{\"return\": " + value + ", \"id\": " + command.get("id") + "}\r\n";
    }

    @Test
    void greetingAndRepliesMayArriveInPieces() throws Exception {
        try (FakeQmpServer server = new FakeQmpServer(peer -> {
            peer.sendInPieces(FakeQmpServer.GREETING, 7);
            JsonNode caps = peer.command();
            assertThat(caps.toString()).isEqualTo("{\"execute\":\"qmp_capabilities\",\"id\":1}");
            peer.send(reply(caps, "{}"));
            JsonNode q = peer.command();
            assertThat(q.toString()).isEqualTo("{\"execute\":\"query-balloon\",\"id\":2}");
            peer.sendInPieces(reply(q, "{\"actual\": 4294967296}"), 3);
            peer.awaitClientClose();
        }); QmpClient qmp = QmpClient.connect(server.socket(), TIMEOUT)) {
            assertThat(qmp.greeting()).isEqualTo(new QmpGreeting("7.2.22", "fake", List.of("oob")));
            assertThat(new QmpCommands(qmp, TIMEOUT).balloonActualBytes()).isEqualTo(4L << 30);
        }
    }

    @Test
    void qemusErrorReplyIsOneLineWithItsClass() throws Exception {
        try (FakeQmpServer server = new FakeQmpServer(peer -> {
            peer.negotiate();
            JsonNode q = peer.command();
            peer.send("{\"id\": " + q.get("id") + ", \"error\": {\"class\": \"DeviceNotActive\", \"desc\": \"No balloon "
                    + "device has been activated\"}}\r\n");
            peer.awaitClientClose();
        }); QmpClient qmp = QmpClient.connect(server.socket(), TIMEOUT)) {
            assertThatThrownBy(() -> new QmpCommands(qmp, TIMEOUT).balloon(1L << 30))
                    .isInstanceOf(QemuException.class)
                    .hasMessage("QMP balloon: No balloon device has been activated (DeviceNotActive)")
                    .extracting(e -> ((QemuException) e).errorClass()).isEqualTo("DeviceNotActive");
        }
    }

    @Test
    void eventsBeforeAndBetweenRepliesWaitInOrder() throws Exception {
        try (FakeQmpServer server = new FakeQmpServer(peer -> {
            peer.negotiate();
            JsonNode q = peer.command();
            peer.send("{\"timestamp\": {\"seconds\": 1, \"microseconds\": 2}, \"event\": \"SHUTDOWN\", \"data\": "
                    + "{\"guest\": true, \"reason\": \"guest-shutdown\"}}\r\n{\"timestamp\": {\"seconds\": 3, "
                    + "\"microseconds\": 4}, \"event\": \"BALLOON_CHANGE\", \"data\": {\"actual\": 1073741824}}\r\n");
            peer.send(reply(q, "{\"status\": \"running\", \"singlestep\": false, \"running\": true}")
                    + "{\"timestamp\": {\"seconds\": 5, \"microseconds\": 6}, \"event\": \"RESUME\"}\r\n");
            peer.awaitClientClose();
        }); QmpClient qmp = QmpClient.connect(server.socket(), TIMEOUT)) {
            assertThat(new QmpCommands(qmp, TIMEOUT).status()).isEqualTo(new VmStatus("running", true));
            QmpEvent balloon = qmp.awaitEvent("BALLOON_CHANGE", TIMEOUT);
            assertThat(balloon.data().get("actual").asLong()).isEqualTo(1L << 30);
            assertThat(balloon.timestampMicros()).isEqualTo(3_000_004L);
            QmpEvent resume = qmp.awaitEvent("RESUME", TIMEOUT);
            assertThat(resume.data().isEmpty()).isTrue();
            assertThat(qmp.takeEvents()).extracting(QmpEvent::name).containsExactly("SHUTDOWN");
            assertThat(qmp.takeEvents()).isEmpty();
        }
    }

    @Test
    void repliesOutOfOrderFindTheirCommandsById() throws Exception {
        try (FakeQmpServer server = new FakeQmpServer(peer -> {
            peer.negotiate();
            JsonNode first = peer.command(), second = peer.command();
            peer.send(reply(second, "\"" + second.get("execute").asText() + "\""));
            peer.send(reply(first, "\"" + first.get("execute").asText() + "\""));
            peer.awaitClientClose();
        }); QmpClient qmp = QmpClient.connect(server.socket(), TIMEOUT)) {
            CompletableFuture<String> a = CompletableFuture.supplyAsync(() -> qmp.execute("a", null, TIMEOUT).asText());
            CompletableFuture<String> b = CompletableFuture.supplyAsync(() -> qmp.execute("b", null, TIMEOUT).asText());
            assertThat(List.of(a.get(), b.get())).containsExactly("a", "b");
        }
    }

    /** What {@code query-status} fails with when the server answers it with {@code sent}; and a later command. */
    static List<String> failuresAfter(String sent) throws Exception {
        try (FakeQmpServer server = new FakeQmpServer(peer -> {
            peer.negotiate();
            peer.command();
            peer.send(sent);
            peer.awaitClientClose();
        }); QmpClient qmp = QmpClient.connect(server.socket(), TIMEOUT)) {
            List<String> messages = new java.util.ArrayList<>();
            for (String command : List.of("query-status", "query-balloon")) {
                try {
                    qmp.execute(command, null, TIMEOUT);
                    messages.add(command + " succeeded");
                } catch (QemuException e) {
                    messages.add(e.getMessage());
                }
            }
            return messages;
        }
    }

    @Test
    void anErrorWithoutIdAnswersTheOldestCommand() throws Exception {
        assertThat(failuresAfter("{\"error\": {\"class\": \"GenericError\", \"desc\": \"JSON parse error, invalid "
                + "keyword\"}}\r\n").getFirst()).isEqualTo("QMP query-status: JSON parse error, invalid keyword (GenericError)");
    }

    @Test
    void malformedJsonLosesTheConnectionWithOneLine() throws Exception {
        String why = "QEMU sent malformed JSON on QMP (Unexpected character (']' (code 93)): expected a valid value "
                + "(JSON String, Number, Array, Object or token 'null', 'true' or 'false'))";
        assertThat(failuresAfter("{\"return\": ]}\r\n")).containsExactly("QMP query-status: " + why,
                "QMP query-balloon: " + why);
    }

    @Test
    void aMessageThatIsNotAnObjectLosesTheConnection() throws Exception {
        assertThat(failuresAfter("[1, 2]\r\n").getFirst())
                .isEqualTo("QMP query-status: QEMU sent a QMP message that is not a JSON object ('[')");
    }

    @Test
    void eofInTheMiddleOfAReply() throws Exception {
        try (FakeQmpServer server = new FakeQmpServer(peer -> {
            peer.negotiate();
            peer.command();
            peer.send("{\"return\": {\"actual\": 12");
            peer.hangUp();
        }); QmpClient qmp = QmpClient.connect(server.socket(), TIMEOUT)) {
            assertThatThrownBy(() -> qmp.execute("query-balloon", null, TIMEOUT))
                    .hasMessage("QMP query-balloon: QEMU closed the QMP connection in the middle of a message");
            assertThatThrownBy(() -> qmp.awaitEvent("SHUTDOWN", TIMEOUT))
                    .hasMessage("QMP: QEMU closed the QMP connection in the middle of a message before a SHUTDOWN event");
        }
    }

    @Test
    void eofBetweenMessagesFailsTheWaitingCommand() throws Exception {
        try (FakeQmpServer server = new FakeQmpServer(peer -> {
            peer.negotiate();
            peer.command();
            peer.hangUp();
        }); QmpClient qmp = QmpClient.connect(server.socket(), TIMEOUT)) {
            assertThatThrownBy(() -> qmp.execute("query-balloon", null, TIMEOUT))
                    .hasMessage("QMP query-balloon: QEMU closed the QMP connection");
            assertThat(qmp.closedBecause()).isEqualTo("QEMU closed the QMP connection");
        }
    }

    @Test
    void quitCountsAConnectionClosedAfterShutdownAsDone() throws Exception {
        try (FakeQmpServer server = new FakeQmpServer(peer -> {
            peer.negotiate();
            assertThat(peer.command().get("execute").asText()).isEqualTo("quit");
            peer.send("{\"timestamp\": {\"seconds\": 1, \"microseconds\": 0}, \"event\": \"SHUTDOWN\", \"data\": "
                    + "{\"guest\": false, \"reason\": \"host-qmp-quit\"}}\r\n");
            peer.hangUp();
        }); QmpClient qmp = QmpClient.connect(server.socket(), TIMEOUT)) {
            new QmpCommands(qmp, TIMEOUT).quit();
            assertThat(qmp.awaitEvent("SHUTDOWN", TIMEOUT).data().get("reason").asText()).isEqualTo("host-qmp-quit");
        }
    }

    @Test
    void everyWaitEndsAtItsTimeout() throws Exception {
        Duration short_ = Duration.ofMillis(200);
        try (FakeQmpServer server = new FakeQmpServer(peer -> {
            peer.negotiate();
            peer.awaitClientClose();
        }); QmpClient qmp = QmpClient.connect(server.socket(), TIMEOUT)) {
            long t0 = System.nanoTime();
            assertThatThrownBy(() -> qmp.execute("query-status", null, short_))
                    .hasMessage("QMP query-status: no reply within 200 ms");
            assertThatThrownBy(() -> qmp.awaitEvent("BALLOON_CHANGE", short_))
                    .hasMessage("QMP: no BALLOON_CHANGE event within 200 ms");
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(TIMEOUT);
        }
    }

    @Test
    void noGreetingInTimeFailsTheConnect() throws Exception {
        try (FakeQmpServer server = new FakeQmpServer(FakeQmpServer.Peer::awaitClientClose)) {
            assertThatThrownBy(() -> QmpClient.connect(server.socket(), Duration.ofMillis(200)))
                    .hasMessage("QMP: no greeting from QEMU within 200 ms");
        }
    }

    @Test
    void nothingListeningIsOneLine() {
        Path nowhere = Path.of(System.getProperty("java.io.tmpdir"), "memvirt-no-such-qmp.sock");
        assertThatThrownBy(() -> QmpClient.connect(nowhere, TIMEOUT))
                .hasMessageStartingWith("QMP: cannot connect to " + nowhere + ": ").hasMessageNotContaining("\n");
    }

    @Test
    void kvmStatisticsAndBalloonStatsAreTyped() throws Exception {
        // shapes of qapi/stats.json StatsResult (scalar, boolean, list) and of hw/virtio/virtio-balloon.c guest-stats
        try (FakeQmpServer server = new FakeQmpServer(peer -> {
            peer.negotiate();
            JsonNode stats = peer.command();
            assertThat(stats.get("arguments").toString()).isEqualTo("{\"target\":\"vcpu\"}");
            peer.send(reply(stats, "[{\"provider\": \"kvm\", \"qom-path\": \"/machine/unattached/device[0]\", "
                    + "\"stats\": [{\"name\": \"exits\", \"value\": 18446744073709551615}, {\"name\": \"pf_fixed\", "
                    + "\"value\": 7}, {\"name\": \"guest_mode\", \"value\": true}, {\"name\": \"halt_wait_hist\", "
                    + "\"value\": [1, 0, 2]}]}]"));
            JsonNode get = peer.command();
            assertThat(get.get("arguments").toString())
                    .isEqualTo("{\"path\":\"/machine/peripheral/balloon0\",\"property\":\"guest-stats\"}");
            peer.send(reply(get, "{\"stats\": {\"stat-free-memory\": 3221225472, \"stat-swap-in\": "
                    + "18446744073709551615}, \"last-update\": 1700000000}"));
            peer.awaitClientClose();
        }); QmpClient qmp = QmpClient.connect(server.socket(), TIMEOUT)) {
            QmpCommands q = new QmpCommands(qmp, TIMEOUT);
            assertThat(q.queryStats("vcpu")).containsExactly(new StatsResult("kvm", "/machine/unattached/device[0]",
                    Map.of("exits", -1L, "pf_fixed", 7L, "guest_mode", 1L), Map.of("halt_wait_hist", List.of(1L, 0L, 2L))));
            BalloonStats b = q.guestStats("balloon0");
            assertThat(b).isEqualTo(new BalloonStats(1700000000L, Map.of("stat-free-memory", 3L << 30)));
            assertThat(b.reported()).isTrue();
        }
    }
}
