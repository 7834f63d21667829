package org.memvirt.qemu.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.memvirt.workload.Op;

/**
 * The real guest agent (as built into target/classes/guest), run on this host as an ordinary process over its stdin
 * and stdout: its op semantics and verify, without QEMU. The guest's counters are the host's here (shared with every
 * other process), so these tests check the agent's own figures; the exact page-fault counts are checked in a real
 * guest by QemuGuestTest.
 */
class AgentNativeTest {
    private static final Duration T = Duration.ofSeconds(60);
    private static final long M = 1 << 20;
    private Process agent;
    private AgentSession session;

    @BeforeEach
    void start() throws Exception {
        agent = new ProcessBuilder(Path.of("target/classes/guest/agent").toString(), "--stdio")
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        AgentConnection channel = AgentConnection.of(agent.getInputStream(), agent.getOutputStream());
        session = AgentSession.open(channel, () -> agent.isAlive() ? java.util.Optional.empty()
                : java.util.Optional.of("the agent exited with status " + agent.exitValue()), T);
        session.region(64 * M, T);
    }

    @AfterEach
    void stop() throws Exception {
        session.close();
        assertThat(agent.waitFor()).isZero();                                 // 'exit' ends it cleanly
    }

    private AgentOpResult run(Op op, String text) {
        return session.run(op, text, T);
    }

    @Test
    void touchVerifyUnmapRemapAndFreeKeepWhatTheWorkloadWrote() {
        assertThat(session.ready().protocol()).isEqualTo(1);
        assertThat(run(new Op.Touch(64 * M, 0), "touch 64M").result("pages")).isEqualTo(16384);
        assertThat(run(new Op.Unmap(4 * M, 0), "unmap 4M").result("pages")).isEqualTo(1024);
        AgentOpResult verify = run(new Op.Verify(), "verify");                // reads unmapped pages via /proc/self/mem
        assertThat(verify.result("pages")).isEqualTo(16384);
        assertThat(verify.result("mismatches")).isZero();
        assertThat(run(new Op.Remap(4 * M, 0), "remap 4M").result("pages")).isEqualTo(1024);
        assertThat(run(new Op.Free(8 * M, 4 * M), "free 8M at 4M").result("pages")).isEqualTo(2048);
        assertThat(run(new Op.Verify(), "verify").result("pages")).isEqualTo(16384 - 2048);
        assertThat(run(new Op.Read(8 * M, 4 * M), "read 8M at 4M").result("pages")).isEqualTo(2048);   // zeros again
        assertThat(run(new Op.Verify(), "verify").result("mismatches")).isZero();
    }

    @Test
    void processesHaveTheirOwnRegionsAndSwitchesGoRoundTheRing() {
        run(new Op.Touch(4 * M, 0), "touch 4M");
        assertThat(run(new Op.Processes(3), "processes 3").result("processes")).isEqualTo(3);
        AgentOpResult sw = run(new Op.Switch(10, false), "switch 10");
        assertThat(sw.running()).isEqualTo(1);                               // 10 handoffs from process 0 over 3
        run(new Op.Fill(2 * M, 0, new Op.Content.Unique()), "fill 2M content=unique");   // process 1's region
        AgentOpResult v = run(new Op.Verify(), "verify");
        assertThat(v.result("pages")).isEqualTo(1024 + 512);                  // process 0's touch, process 1's fill
        assertThat(v.result("mismatches")).isZero();
        assertThat(run(new Op.Switch(2, true), "switch 2 pcid").running()).isZero();
    }

    @Test
    void randomAndTraceWritesAreVerified() {
        AgentOpResult r = run(new Op.Random(100_000, 64 * M, 50, new Op.Distribution.Zipf(0.99), 3), "random 100K over 64M");
        assertThat(r.result("accesses")).isEqualTo(100_000);
        assertThat(r.requests()).isEqualTo(3);                                // populate + 65,536 + 34,464
        run(new Op.Demand(true), "demand on");
        run(new Op.Trace("t", new long[] {0x100000 | 1, 0x200008, 0x300010 | 1}), "trace t");
        assertThat(run(new Op.Verify(), "verify").result("mismatches")).isZero();
    }

    @Test
    void anOpOutsideTheRegionIsTheAgentsErrorAndTheSessionGoesOn() {
        assertThatThrownBy(() -> run(new Op.Touch(128 * M, 0), "touch 128M")).isInstanceOf(AgentException.class)
                .hasMessage("guest agent: 'touch 128M' failed: 'touch 0 134217728' is not a 4 KiB-aligned range inside the"
                        + " region of 67108864 bytes");
        assertThat(run(new Op.Touch(M, 0), "touch 1M").result("pages")).isEqualTo(256);
        assertThat(List.of(run(new Op.PageSize(21), "pages 2M").requests())).containsExactly(1);
    }
}
