package org.memvirt.qemu.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.memvirt.workload.Op;

/** The host side of the agent protocol against a scripted agent: the happy path and every way it breaks, one line each. */
class AgentSessionTest {
    private static final Duration T = Duration.ofSeconds(10);
    private static final long M = 1 << 20;

    private static AgentSession open(FakeAgent agent, GuestWatch watch) {
        return AgentSession.open(agent.channel, watch, T);
    }

    @Test
    void readyThenOpsThenGoodbye() throws Exception {
        try (FakeAgent agent = new FakeAgent(FakeAgent.READY, r -> r.endsWith(" exit") ? "{\"type\":\"bye\",\"seq\":SEQ}"
                : FakeAgent.done(r, r.contains("touch") ? 16388 : 2))) {
            AgentSession s = open(agent, GuestWatch.NONE);
            assertThat(s.ready()).isEqualTo(new AgentReply.Ready(0, 1, "6.1.0-57-amd64", 3_400_000_000L, "never", 1));
            s.region(64 * M, T);
            AgentOpResult touch = s.run(new Op.Touch(64 * M, 0), "touch 64M", T);
            assertThat(touch.vmstat("pgfault")).isEqualTo(16388);
            assertThat(touch.vmstat("pgmajfault")).isZero();
            assertThat(touch.stat()).containsEntry("ctxt", 18L);
            assertThat(touch.meminfo()).containsEntry("MemTotal", 1_017_856_000L);
            assertThat(touch.result("pages")).isEqualTo(16384);
            AgentOpResult twice = s.run(new Op.Repeat(2, java.util.List.of(new Op.Verify())), "repeat 2 { verify }", T);
            assertThat(twice.requests()).isEqualTo(2);
            assertThat(twice.vmstat("pgfault")).isEqualTo(4);                 // summed over the unrolled requests
            s.close();
            assertThat(agent.requests).containsExactly("1 region 67108864", "2 touch 0 67108864", "3 verify", "4 verify", "5 exit");
        }
    }

    @Test
    void aMalformedReplyIsAProtocolErrorNamingTheOp() throws Exception {
        try (FakeAgent agent = new FakeAgent(FakeAgent.READY, r -> "{\"type\":\"done\",\"seq\":SEQ,\"op\":")) {
            AgentSession s = open(agent, GuestWatch.NONE);
            assertThatThrownBy(() -> s.run(new Op.Touch(M, 0), "touch 1M", T)).isInstanceOf(AgentException.class)
                    .hasMessage("guest agent protocol error in the reply to 'touch 1M': not JSON: '{\"type\":\"done\",\"seq\":1,\"op\":'");
        }
    }

    @Test
    void aReplyWithoutATypeOrWithAStringCounterIsMalformed() throws Exception {
        try (FakeAgent agent = new FakeAgent(FakeAgent.READY, r -> r.contains("touch") ? "{\"seq\":SEQ}"
                : "{\"type\":\"done\",\"seq\":SEQ,\"op\":\"verify\",\"ns\":1,\"running\":0,\"vmstat\":{\"pgfault\":\"many\"}}")) {
            AgentSession s = open(agent, GuestWatch.NONE);
            assertThatThrownBy(() -> s.run(new Op.Touch(M, 0), "touch 1M", T))
                    .hasMessage("guest agent protocol error in the reply to 'touch 1M': no string \"type\"");
        }
        try (FakeAgent agent = new FakeAgent(FakeAgent.READY,
                r -> "{\"type\":\"done\",\"seq\":SEQ,\"op\":\"verify\",\"ns\":1,\"running\":0,\"vmstat\":{\"pgfault\":\"many\"}}")) {
            AgentSession s = open(agent, GuestWatch.NONE);
            assertThatThrownBy(() -> s.run(new Op.Verify(), "verify", T))
                    .hasMessage("guest agent protocol error in the reply to 'verify': \"vmstat.pgfault\" is not an integer");
        }
    }

    @Test
    void aReplyForAnotherRequestIsAProtocolError() throws Exception {
        try (FakeAgent agent = new FakeAgent(FakeAgent.READY, r -> FakeAgent.done(r, 1).replace("SEQ", "7"))) {
            AgentSession s = open(agent, GuestWatch.NONE);
            assertThatThrownBy(() -> s.run(new Op.Verify(), "verify", T))
                    .hasMessage("guest agent protocol error in the reply to 'verify': sequence 7, expected 1");
        }
    }

    @Test
    void theAgentsOwnErrorIsPassedOnWithTheOp() throws Exception {
        try (FakeAgent agent = new FakeAgent(FakeAgent.READY, r -> "{\"type\":\"error\",\"seq\":SEQ,\"message\":"
                + "\"process 0 (pid 57) was killed by SIGKILL (the guest's OOM killer?)\"}")) {
            AgentSession s = open(agent, GuestWatch.NONE);
            assertThatThrownBy(() -> s.run(new Op.Touch(M, 0), "touch 1M", T))
                    .hasMessage("guest agent: 'touch 1M' failed: process 0 (pid 57) was killed by SIGKILL (the guest's OOM killer?)")
                    .satisfies(e -> assertThat(((AgentException) e).exitCode()).isEqualTo(org.memvirt.ExitCoded.GUEST));
        }
    }

    @Test
    void theAgentDyingMidOpIsDiagnosedFromTheWatch() throws Exception {
        GuestWatch qemuGone = () -> Optional.of("QEMU exited with status 1: qemu-system-x86_64: terminating on signal 15");
        try (FakeAgent agent = new FakeAgent(FakeAgent.READY, r -> null)) {
            AgentSession s = open(agent, qemuGone);
            assertThatThrownBy(() -> s.run(new Op.Touch(64 * M, 0), "touch 64M", T))
                    .hasMessage("the guest died during 'touch 64M': QEMU exited with status 1:"
                            + " qemu-system-x86_64: terminating on signal 15");
        }
    }

    @Test
    void theAgentDyingAloneIsSaidSoAfterAGrace() throws Exception {
        try (FakeAgent agent = new FakeAgent(FakeAgent.READY, r -> null)) {
            AgentSession s = open(agent, GuestWatch.NONE);
            long start = System.nanoTime();
            assertThatThrownBy(() -> s.run(new Op.Verify(), "verify", T))
                    .hasMessage("the guest agent's channel closed during 'verify': the agent died, QEMU still runs");
            assertThat((System.nanoTime() - start) / 1_000_000).isGreaterThanOrEqualTo(AgentSession.DEATH_GRACE_MILLIS);
        }
    }

    @Test
    void aKernelPanicOnTheConsoleEndsTheWaitAtOnce() throws Exception {
        GuestConsole console = new GuestConsole();
        GuestWatch watch = () -> console.panic().map(p -> "guest kernel panic: " + p);
        try (FakeAgent agent = new FakeAgent(FakeAgent.READY, r -> {
            console.accept("[    4.071326] Kernel panic - not syncing: Attempted to kill init! exitcode=0x00004600");
            return "";
        })) {
            AgentSession s = open(agent, watch);
            assertThatThrownBy(() -> s.run(new Op.Touch(64 * M, 0), "touch 64M", T))
                    .hasMessage("the guest died during 'touch 64M': guest kernel panic: Kernel panic - not syncing:"
                            + " Attempted to kill init! exitcode=0x00004600");
        }
    }

    @Test
    void silenceEndsAtTheOpsTimeout() throws Exception {
        try (FakeAgent agent = new FakeAgent(FakeAgent.READY, r -> "")) {
            AgentSession s = open(agent, GuestWatch.NONE);
            assertThatThrownBy(() -> s.run(new Op.Sleep(1), "sleep 1ns", Duration.ofMillis(300)))
                    .hasMessage("the guest agent gave no answer during 'sleep 1ns' within 300 ms");
        }
    }

    @Test
    void aNewerAgentOrAnotherFirstMessageIsRefusedAtStartUp() throws Exception {
        try (FakeAgent agent = new FakeAgent(FakeAgent.READY.replace("\"protocol\":1", "\"protocol\":2"), r -> "")) {
            assertThatThrownBy(() -> open(agent, GuestWatch.NONE))
                    .hasMessage("the guest agent speaks protocol 2, this memvirt 1: rebuild the guest image (memvirt image build)");
        }
        try (FakeAgent agent = new FakeAgent("{\"type\":\"bye\",\"seq\":0}", r -> "")) {
            assertThatThrownBy(() -> open(agent, GuestWatch.NONE))
                    .hasMessage("guest agent protocol error at start-up: expected its ready message, got goodbye");
        }
        try (FakeAgent agent = new FakeAgent(null, r -> "")) {
            assertThatThrownBy(() -> AgentSession.open(agent.channel, GuestWatch.NONE, Duration.ofMillis(200)))
                    .hasMessage("the guest agent gave no answer during start-up within 200 ms");
        }
    }

    @Test
    void anEndlessReplyIsCutOff() throws Exception {
        try (FakeAgent agent = new FakeAgent(FakeAgent.READY, r -> "x".repeat(AgentConnection.MAX_LINE + 10))) {
            AgentSession s = open(agent, GuestWatch.NONE);
            assertThatThrownBy(() -> s.run(new Op.Verify(), "verify", T))
                    .hasMessage("the guest agent's channel closed during 'verify' (a reply longer than 1 MiB without a"
                            + " newline): the agent died, QEMU still runs");
        }
    }

    @Test
    void balloonOpsAreRefusedBeforeAnythingIsSent() throws Exception {
        try (FakeAgent agent = new FakeAgent(FakeAgent.READY, r -> FakeAgent.done(r, 0))) {
            AgentSession s = open(agent, GuestWatch.NONE);
            Op op = new Op.Repeat(2, java.util.List.of(new Op.Touch(M, 0), new Op.Balloon(Op.BalloonAction.TO, M)));
            assertThatThrownBy(() -> s.run(op, "repeat 2 { touch 1M; balloon to 1M }", T))
                    .hasMessage("'repeat 2 { touch 1M; balloon to 1M }': balloon ops are driven from the host over QMP, not by the guest agent");
            assertThat(agent.requests).isEmpty();
        }
    }
}
