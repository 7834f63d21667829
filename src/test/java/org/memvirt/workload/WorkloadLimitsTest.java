package org.memvirt.workload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class WorkloadLimitsTest {
    private static final long M = 1L << 20, G = 1L << 30;

    private static Op op(String text) {
        return WorkloadParser.parseShorthand(text).steps().getFirst().op();
    }

    private static void check(String workload, long ram) {
        WorkloadLimits.check(WorkloadParser.parseShorthand(workload), ram);
    }

    @Test
    void footprintOfEachOp() {
        assertThat(Footprint.pages(op("touch 1G at 512M"))).isEqualTo(262_144);
        assertThat(Footprint.firstPage(op("touch 1G at 512M"))).isEqualTo(131_072);
        assertThat(Footprint.regionEnd(op("touch 1G at 512M"))).isEqualTo(G + 512 * M);
        assertThat(Footprint.pages(op("fill 8K at 4K content=zero"))).isEqualTo(2);
        assertThat(Footprint.regionEnd(op("unmap 4K at 1G"))).isEqualTo(G + 4096);
        assertThat(Footprint.pages(op("random 1M over 64M"))).isEqualTo(16_384);
        assertThat(Footprint.accesses(op("random 1M over 64M"))).isEqualTo(1_000_000);
        assertThat(Footprint.regionEnd(op("random 1M over 64M"))).isEqualTo(64 * M);
        assertThat(Footprint.pages(op("sleep 1s"))).isZero();
        assertThat(Footprint.regionEnd(op("balloon inflate 1G"))).isZero();
        Op repeat = op("repeat 10 { touch 4M; read 8M at 4M; switch 5 }");
        assertThat(Footprint.pages(repeat)).isEqualTo(2048);
        assertThat(Footprint.accesses(repeat)).isEqualTo(10 * (1024 + 2048));
        assertThat(Footprint.regionEnd(repeat)).isEqualTo(12 * M);
        assertThat(Footprint.accesses(op("repeat 2147483647 { random 9223372036854775807 over 4K }"))).isEqualTo(Long.MAX_VALUE);
        assertThat(Footprint.regionEnd(WorkloadParser.parseShorthand("touch 1G; read 2M at 1G; random 1 over 16M"))).isEqualTo(G + 2 * M);
    }

    @Test
    void workloadThatFitsPasses() {
        assertThatCode(() -> check("touch 1G; balloon to 1G; processes 4095; switch 10 pcid", G)).doesNotThrowAnyException();
    }

    @Test
    void rangeBeyondRamNamesTheStep() {
        assertThatThrownBy(() -> check("touch 512M; touch 1G at 512M", G)).isInstanceOf(WorkloadException.class)
                .hasMessage("workload step 2 'touch 1G at 512M': reaches region offset 1536M, beyond the guest's 1G of RAM"
                        + " (the workload region is as large as RAM)");
        assertThatThrownBy(() -> check("verify\nrepeat 2 {\n  sleep 1s\n  random 1 over 2G\n}", G))
                .hasMessage("workload step 2 'repeat 2 { sleep 1s; random 1 over 2G }': 'random 1 over 2G' reaches region"
                        + " offset 2G, beyond the guest's 1G of RAM (the workload region is as large as RAM)");
    }

    @Test
    void balloonAndPcidLimits() {
        assertThatThrownBy(() -> check("balloon inflate 2G", G))
                .hasMessage("workload step 1 'balloon inflate 2G': asks the balloon for 2G, more than the guest's 1G of RAM");
        assertThatCode(() -> check("balloon deflate 2G", G)).doesNotThrowAnyException();
        assertThatCode(() -> check("processes 4096; switch 1", G)).doesNotThrowAnyException();
        assertThatThrownBy(() -> check("processes 4096; repeat 2 { switch 1 pcid }", G))
                .hasMessage("workload step 2 'repeat 2 { switch 1 pcid }': 'switch 1 pcid' switches with PCID over 4096"
                        + " processes, but PCIDs 1..4095 tag at most 4095");
    }
}
