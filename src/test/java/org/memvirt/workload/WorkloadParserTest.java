package org.memvirt.workload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class WorkloadParserTest {
    private static final long K = 1L << 10, M = 1L << 20, G = 1L << 30;

    private static Op op(String text) {
        Workload workload = WorkloadParser.parseShorthand(text);
        assertThat(workload.steps()).hasSize(1);
        return workload.steps().getFirst().op();
    }

    private static String error(String text) {
        try {
            WorkloadParser.parseShorthand(text);
        } catch (WorkloadException e) {
            return e.getMessage();
        }
        throw new AssertionError("no error for: " + text);
    }

    @Test
    void rangeOps() {
        assertThat(op("touch 1G")).isEqualTo(new Op.Touch(G, 0));
        assertThat(op("touch 1G at 512M")).isEqualTo(new Op.Touch(G, 512 * M));
        assertThat(op("read 64K at 4K")).isEqualTo(new Op.Read(64 * K, 4 * K));
        assertThat(op("unmap 2M at 1G")).isEqualTo(new Op.Unmap(2 * M, G));
        assertThat(op("remap 2M at 1G")).isEqualTo(new Op.Remap(2 * M, G));
        assertThat(op("free 2M at 1G")).isEqualTo(new Op.Free(2 * M, G));
    }

    @Test
    void sizesFollowMinusM() {
        assertThat(op("touch 512")).isEqualTo(new Op.Touch(512 * M, 0));      // suffix-less = MiB
        assertThat(op("touch 1.5")).isEqualTo(new Op.Touch(3 * M / 2, 0));
        assertThat(op("touch 1.5G")).isEqualTo(new Op.Touch(3 * G / 2, 0));
        assertThat(op("touch 8192B")).isEqualTo(new Op.Touch(8192, 0));
        assertThat(op("touch 4k at 0")).isEqualTo(new Op.Touch(4096, 0));
        assertThat(op("touch 0x10")).isEqualTo(new Op.Touch(16 * M, 0));            // -m 0x100 = 256 MiB too
        assertThat(op("touch 1T")).isEqualTo(new Op.Touch(1L << 40, 0));
        assertThat(op("touch 0x1f")).isEqualTo(new Op.Touch(31 * M, 0));            // qemu_strtosz_MiB: hex digits, then MiB
        assertThat(op("touch 1.M")).isEqualTo(new Op.Touch(M, 0));
        assertThat(op("touch 0.25G")).isEqualTo(new Op.Touch(G / 4, 0));
    }

    @Test
    void fillContents() {
        assertThat(op("fill 1G content=zero")).isEqualTo(new Op.Fill(G, 0, new Op.Content.Zero()));
        assertThat(op("fill 1G content=same")).isEqualTo(new Op.Fill(G, 0, new Op.Content.Same(1)));
        assertThat(op("fill 1G at 1G content=same:16")).isEqualTo(new Op.Fill(G, G, new Op.Content.Same(16)));
        assertThat(op("fill 1G content=unique at 2G")).isEqualTo(new Op.Fill(G, 2 * G, new Op.Content.Unique()));
        assertThat(op("fill 4K content=random")).isEqualTo(new Op.Fill(4 * K, 0, new Op.Content.RandomBytes(0)));
        assertThat(op("fill 4K content=random:42")).isEqualTo(new Op.Fill(4 * K, 0, new Op.Content.RandomBytes(42)));
    }

    @Test
    void randomOp() {
        Op.Distribution uniform = new Op.Distribution.Uniform();
        assertThat(op("random 1M over 1G")).isEqualTo(new Op.Random(1_000_000, G, 0, uniform, 0));
        assertThat(op("random 1500 over 1G writes 30 dist zipf:0.99 seed 7"))
                .isEqualTo(new Op.Random(1500, G, 30, new Op.Distribution.Zipf(0.99), 7));
        assertThat(op("random 2k over 64M seed 0xff writes 100% dist uniform"))
                .isEqualTo(new Op.Random(2000, 64 * M, 100, uniform, 255));
        assertThat(op("random 3G over 4K seed 18446744073709551615"))
                .isEqualTo(new Op.Random(3_000_000_000L, 4 * K, 0, uniform, -1));
    }

    @Test
    void controlOps() {
        assertThat(op("processes 4")).isEqualTo(new Op.Processes(4));
        assertThat(op("switch 10K")).isEqualTo(new Op.Switch(10_000, false));
        assertThat(op("switch 100 pcid")).isEqualTo(new Op.Switch(100, true));
        assertThat(op("demand on")).isEqualTo(new Op.Demand(true));
        assertThat(op("demand off")).isEqualTo(new Op.Demand(false));
        assertThat(op("pages 2M")).isEqualTo(new Op.PageSize(Op.PageSize.SHIFT_2M));
        assertThat(op("pages 4K")).isEqualTo(new Op.PageSize(Op.PageSize.SHIFT_4K));
        assertThat(error("pages 1G")).isEqualTo("workload: 1:7: expected '4K' or '2M' after 'pages', found '1G' (in 'pages 1G')");
        assertThat(op("balloon inflate 256M")).isEqualTo(new Op.Balloon(Op.BalloonAction.INFLATE, 256 * M));
        assertThat(op("balloon deflate 1G")).isEqualTo(new Op.Balloon(Op.BalloonAction.DEFLATE, G));
        assertThat(op("balloon to 0")).isEqualTo(new Op.Balloon(Op.BalloonAction.TO, 0));
        assertThat(op("verify")).isEqualTo(new Op.Verify());
    }

    @ParameterizedTest
    @CsvSource({"10s, 10000000000", "1.5s, 1500000000", "250ms, 250000000", "3us, 3000", "7ns, 7", "2m, 120000000000",
            "1h, 3600000000000", "0.5us, 500"})
    void sleepDurations(String duration, long nanos) {
        assertThat(op("sleep " + duration)).isEqualTo(new Op.Sleep(nanos));
    }

    @Test
    void repeatNests() {
        assertThat(op("repeat 3 { touch 1G; repeat 2 { switch 1 pcid; sleep 1ms } }")).isEqualTo(new Op.Repeat(3, List.of(
                new Op.Touch(G, 0), new Op.Repeat(2, List.of(new Op.Switch(1, true), new Op.Sleep(1_000_000)))))); 
        assertThat(op("repeat 2 {\n  unmap 4K\n  remap 4K\n}")).isEqualTo(new Op.Repeat(2, List.of(new Op.Unmap(4096, 0), new Op.Remap(4096, 0))));
    }

    @Test
    void stepsKeepTheirTextAndVcpu() {
        Workload workload = WorkloadParser.parseShorthand("touch 1G vcpu 1;  sleep 10s # nap\nverify ; ");
        assertThat(workload.steps()).containsExactly(
                new Workload.Step(new Op.Touch(G, 0), "touch 1G vcpu 1", 1),
                new Workload.Step(new Op.Sleep(10_000_000_000L), "sleep 10s", Workload.Step.SPREAD),
                new Workload.Step(new Op.Verify(), "verify", Workload.Step.SPREAD));
        assertThat(workload.source()).isEqualTo("touch 1G vcpu 1;  sleep 10s # nap\nverify ; ");
    }

    @Test
    void emptyShorthandIsAnEmptyWorkload() {
        assertThat(WorkloadParser.parseShorthand(" ;\n# nothing\n").steps()).isEmpty();
    }

    @Test
    void errorsPointAtLineAndColumn() {
        assertThat(error("touch abc")).isEqualTo("workload: 1:7: expected a size after 'touch', found 'abc' (in 'touch abc')");
        assertThat(error("  touch abc")).isEqualTo("workload: 1:9: expected a size after 'touch', found 'abc' (in 'touch abc')");
        assertThat(error("touch 1G; sleep 10")).isEqualTo(
                "workload: 1:17: expected a duration (a number and ns, us, ms, s, m or h) after 'sleep', found '10' (in 'sleep 10')");
        assertThat(error("touch 1G\nread 1G at x")).isEqualTo("workload: 2:12: expected a size after 'at', found 'x' (in 'read 1G at x')");
        assertThat(error("tuch 1G")).isEqualTo("workload: 1:1: unknown op 'tuch'; expected one of touch, read, fill, random, "
                + "processes, switch, unmap, remap, free, demand, pages, balloon, sleep, verify, repeat, trace (in 'tuch 1G')");
        assertThat(error("touch")).isEqualTo("workload: 1:6: expected a size after 'touch', found the end of the workload (in 'touch')");
        assertThat(error("touch 1G; touch ;")).isEqualTo("workload: 1:17: expected a size after 'touch', found ';' (in 'touch')");
        assertThat(error("touch 1G sleep 1s")).isEqualTo("workload: 1:10: expected ';' or a new line after 'touch 1G', found 'sleep' (in 'touch 1G sleep 1s')");
        assertThat(error("touch 0")).isEqualTo("workload: 1:7: expected a non-zero size after 'touch', found '0' (in 'touch 0')");
        assertThat(error("touch 1.7M")).isEqualTo("workload: 1:7: size '1.7M' is 1782579 bytes, not a multiple of 4K (in 'touch 1.7M')");
        assertThat(error("touch 1G at 1G at 1G")).isEqualTo("workload: 1:16: expected ';' or a new line after 'touch 1G at 1G', found 'at' (in 'touch 1G at 1G at 1G')");
        assertThat(error("fill 1G")).isEqualTo("workload: 1:8: expected 'content=zero|same[:K]|unique|random[:SEED]' in 'fill', found the end of the workload (in 'fill 1G')");
        assertThat(error("fill 1G content=ones")).isEqualTo("workload: 1:9: expected 'content=zero|same[:K]|unique|random[:SEED]', found 'content=ones' (in 'fill 1G content=ones')");
        assertThat(error("fill 1G content=zero content=zero")).isEqualTo("workload: 1:22: 'content=' given twice (in 'fill 1G content=zero content=zero')");
        assertThat(error("random 1M in 1G")).isEqualTo("workload: 1:11: expected 'over SIZE' after the count of 'random', found 'in' (in 'random 1M in 1G')");
        assertThat(error("random 1Mi over 1G")).isEqualTo("workload: 1:8: expected a count after 'random', found '1Mi' (in 'random 1Mi over 1G')");
        assertThat(error("random 1 over 1G writes 101")).isEqualTo("workload: 1:25: expected a percentage 0..100 after 'writes', found '101' (in 'random 1 over 1G writes 101')");
        assertThat(error("random 1 over 1G dist zipf:0")).isEqualTo("workload: 1:23: expected 'uniform' or 'zipf:THETA' (THETA > 0) after 'dist', found 'zipf:0' (in 'random 1 over 1G dist zipf:0')");
        assertThat(error("random 1 over 1G seed -1")).isEqualTo("workload: 1:23: expected a seed (decimal or 0x hex, below 2^64), found '-1' (in 'random 1 over 1G seed -1')");
        assertThat(error("processes 0")).isEqualTo("workload: 1:11: count after 'processes' must be 1..2147483647, found '0' (in 'processes 0')");
        assertThat(error("demand maybe")).isEqualTo("workload: 1:8: expected 'on' or 'off' after 'demand', found 'maybe' (in 'demand maybe')");
        assertThat(error("balloon pop 1G")).isEqualTo("workload: 1:9: expected 'inflate', 'deflate' or 'to' after 'balloon', found 'pop' (in 'balloon pop 1G')");
        assertThat(error("balloon inflate 0")).isEqualTo("workload: 1:17: expected a non-zero size after 'inflate', found '0' (in 'balloon inflate 0')");
        assertThat(error("repeat 2 touch 1G")).isEqualTo("workload: 1:10: expected '{' after 'repeat 2', found 'touch' (in 'repeat 2 touch 1G')");
        assertThat(error("repeat 2 { touch 1G")).isEqualTo("workload: 1:20: expected '}' to close 'repeat', found the end of the workload (in 'repeat 2 { touch 1G')");
        assertThat(error("repeat 2 {\n touch 1G\n read x\n}")).isEqualTo("workload: 3:7: expected a size after 'read', found 'x' (in 'read x')");
        assertThat(error("repeat 2 { touch 1G vcpu 1 }")).isEqualTo("workload: 1:21: 'vcpu' pins top-level steps only, not ops inside 'repeat' (in 'touch 1G vcpu 1')");
        assertThat(error("verify }")).isEqualTo("workload: 1:8: unexpected '}' without a 'repeat N {' (in '}')");
        assertThat(error("trace \"a b")).isEqualTo("workload: 1:7: unterminated quoted word (in 'trace \"a b')");
        assertThat(error("touch 8E")).isEqualTo("workload: 1:7: expected a size after 'touch', found '8E' (in 'touch 8E')");
        assertThat(error("touch 16E")).isEqualTo("workload: 1:7: expected a size after 'touch', found '16E' (in 'touch 16E')");
        assertThat(error("touch 1GB")).isEqualTo("workload: 1:7: expected a size after 'touch', found '1GB' (in 'touch 1GB')");
        assertThat(error("touch 1e3")).isEqualTo("workload: 1:7: expected a size after 'touch', found '1e3' (in 'touch 1e3')");
        assertThat(error("touch 4E at 4E")).isEqualTo("workload: 1:13: range end is at or above 2^63 bytes (in 'touch 4E at 4E')");
    }
}
