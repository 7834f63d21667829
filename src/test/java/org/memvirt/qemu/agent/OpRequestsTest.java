package org.memvirt.qemu.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.memvirt.workload.AccessStream;
import org.memvirt.workload.Op;
import org.memvirt.workload.WorkloadParser;

/** Workload ops as the agent's primitive requests (docs/agent-protocol.md). */
class OpRequestsTest {
    private static List<String> requests(String workload) {
        OpRequests enc = new OpRequests();
        List<String> out = new ArrayList<>();
        for (var step : WorkloadParser.parseShorthand(workload).steps()) enc.of(step.op()).forEachRemaining(out::add);
        return out;
    }

    @Test
    void rangeOpsAreOffsetAndBytes() {
        assertThat(requests("touch 64M; read 4K at 1M; unmap 2M at 2M; remap 2M at 2M; free 1G"))
                .containsExactly("touch 0 67108864", "read 1048576 4096", "unmap 2097152 2097152", "remap 2097152 2097152",
                        "free 0 1073741824");
    }

    @Test
    void fillsCarryPatternsKindAndParameter() {
        assertThat(requests("fill 8K content=zero; fill 8K content=same:3; fill 8K content=unique; fill 8K content=random:18446744073709551615"))
                .containsExactly("fill 0 8192 0 0", "fill 0 8192 1 3", "fill 0 8192 2 0", "fill 0 8192 3 18446744073709551615");
    }

    @Test
    void processOpsAndSwitches() {
        assertThat(requests("processes 4; switch 2K pcid; switch 10; demand on; pages 2M; pages 4K; sleep 1ms; verify"))
                .containsExactly("processes 4", "switch 2000 1", "switch 10 0", "demand 1", "pages 21", "pages 12",
                        "sleep 1000000", "verify");
    }

    @Test
    void repeatsAreUnrolledInOrder() {
        assertThat(requests("repeat 2 { touch 4K; repeat 2 { verify } }"))
                .containsExactly("touch 0 4096", "verify", "verify", "touch 0 4096", "verify", "verify");
    }

    @Test
    void randomPopulatesItsRangeWithDemandOffThenStreamsTheSimsSequence() {
        List<String> r = requests("random 70000 over 64M writes 30 seed 7");
        assertThat(r).hasSize(3);
        assertThat(r.get(0)).isEqualTo("populate 0 67108864");
        String[] first = r.get(1).split(" "), second = r.get(2).split(" ");
        assertThat(first[1]).isEqualTo("65536");
        assertThat(second[1]).isEqualTo("4464");
        AccessStream s = new AccessStream(16384, 30, new Op.Distribution.Uniform(), 7);
        for (int i = 0; i < 65536; i++) assertThat(Long.parseLong(first[2 + i])).isEqualTo(s.next());
        for (int i = 0; i < 4464; i++) assertThat(Long.parseLong(second[2 + i])).isEqualTo(s.next());
        assertThat(requests("demand on; random 10 over 4K")).containsExactly("demand 1", "access 10 0 0 0 0 0 0 0 0 0 0");
    }

    @Test
    void aTraceReplaysPagesAndPopulatesItsRunsFirst() {
        Op.Trace t = new Op.Trace("t", new long[] {0x1008 | 1, 0x2000, 0x5010 | 1, 0x1000});
        OpRequests enc = new OpRequests();
        List<String> out = new ArrayList<>();
        enc.of(t).forEachRemaining(out::add);
        assertThat(out).containsExactly("populate 4096 8192", "populate 20480 4096", "access 4 3 4 11 2");
    }

    @Test
    void requestsAreMadeOnlyAsTheyAreTaken() {
        OpRequests enc = new OpRequests();
        Iterator<String> it = enc.of(new Op.Repeat(1_000_000_000, List.of(new Op.Random(1, 4096, 0, new Op.Distribution.Uniform(), 0))));
        assertThat(it.next()).isEqualTo("populate 0 4096");
        assertThat(it.next()).isEqualTo("access 1 0");
        assertThat(it.next()).isEqualTo("populate 0 4096");
    }
}
