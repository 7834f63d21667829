package org.memvirt.workload;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class WorkloadFormatTest {

    private static String canonical(String text) {
        return WorkloadFormat.format(WorkloadParser.parseShorthand(text));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "touch 1G at 512M           | touch 1G at 512M",
            "touch 1024M at 0           | touch 1G",
            "touch 512                  | touch 512M",
            "read 1.5G at 4096B         | read 1536M at 4K",
            "fill 8K content=same:1     | fill 8K content=same",
            "fill 8K at 4K content=same:3 | fill 8K at 4K content=same:3",
            "fill 8K content=random:0   | fill 8K content=random",
            "fill 8K content=random:0x10 | fill 8K content=random:16",
            "fill 1M content=zero       | fill 1M content=zero",
            "fill 1M content=unique     | fill 1M content=unique",
            "random 1000000 over 1024M  | random 1M over 1G",
            "random 1500 over 1G writes 30% dist zipf:0.990 seed 0x7 | random 1500 over 1G writes 30 dist zipf:0.99 seed 7",
            "random 1 over 4K dist zipf:1.0 writes 0 dist | -",
            "random 1 over 4K dist zipf:1.0 writes 0 | random 1 over 4K dist zipf:1",
            "random 1 over 4K dist uniform seed 18446744073709551615 | random 1 over 4K seed 18446744073709551615",
            "processes 16               | processes 16",
            "switch 2000 pcid           | switch 2K pcid",
            "unmap 2M at 1G             | unmap 2M at 1G",
            "remap 2M                   | remap 2M",
            "free 1024M at 0            | free 1G",
            "demand on                  | demand on",
            "pages 2M                   | pages 2M",
            "pages 4k                   | pages 4K",
            "balloon to 0               | balloon to 0",
            "balloon inflate 256M       | balloon inflate 256M",
            "sleep 1.5s                 | sleep 1500ms",
            "sleep 60s                  | sleep 1m",
            "sleep 0ms                  | sleep 0s",
            "verify                     | verify",
            "repeat 3 {touch 1G;sleep 1s} | repeat 3 { touch 1G; sleep 1s }",
            "repeat 2 { }               | repeat 2 { }",
            "touch 1G vcpu 1; verify    | touch 1G vcpu 1; verify",
    })
    void canonicalText(String written, String canonical) {
        if (canonical.equals("-")) return;   // a row kept to show 'dist' without a value is an error (see parser tests)
        assertThat(canonical(written)).isEqualTo(canonical);
    }

    @Test
    void traceKeepsItsFileNameAndQuotesBlanks() {
        assertThat(WorkloadFormat.format(new Op.Trace("ls.lackey", new long[] {0}))).isEqualTo("trace ls.lackey");
        assertThat(WorkloadFormat.format(new Op.Trace("my trace.out", new long[] {0}))).isEqualTo("trace \"my trace.out\"");
        assertThat(WorkloadFormat.format(new Op.Trace("a\"b", new long[] {0}))).isEqualTo("trace \"a\\\"b\"");
    }

    @Test
    void sizesPickTheLargestExactSuffix() {
        assertThat(WorkloadUnits.formatSize(4096)).isEqualTo("4K");
        assertThat(WorkloadUnits.formatSize(3L << 29)).isEqualTo("1536M");
        assertThat(WorkloadUnits.formatSize(1L << 62)).isEqualTo("4E");
        assertThat(WorkloadUnits.formatSize(100)).isEqualTo("100B");
        assertThat(WorkloadUnits.formatCount(1_500_000)).isEqualTo("1500K");
        assertThat(WorkloadUnits.formatDuration(90_000_000_000L)).isEqualTo("90s");
    }

    @Property(tries = 500)
    void formatThenParseGivesTheSameOp(@ForAll("ops") Op op) {
        String text = WorkloadFormat.format(op);
        assertThat(WorkloadParser.parseShorthand(text).steps()).singleElement()
                .satisfies(step -> assertThat(step.op()).isEqualTo(op))
                .satisfies(step -> assertThat(step.text()).isEqualTo(text));
    }

    @Property(tries = 100)
    void formatThenParseGivesTheSameWorkload(@ForAll("workloads") Workload workload) {
        Workload again = WorkloadParser.parseShorthand(WorkloadFormat.format(workload));
        assertThat(again.steps()).hasSameSizeAs(workload.steps());
        for (int i = 0; i < workload.steps().size(); i++) {
            assertThat(again.steps().get(i).op()).isEqualTo(workload.steps().get(i).op());
            assertThat(again.steps().get(i).vcpu()).isEqualTo(workload.steps().get(i).vcpu());
        }
    }

    @Provide
    Arbitrary<Workload> workloads() {
        Arbitrary<Workload.Step> step = ops().flatMap(op -> Arbitraries.integers().between(-1, 63)
                .map(vcpu -> new Workload.Step(op, WorkloadFormat.format(op), vcpu)));
        return step.list().ofMaxSize(6).map(steps -> new Workload(steps, "generated"));
    }

    @Provide
    Arbitrary<Op> ops() {
        return Arbitraries.recursive(this::leafOps, inner -> Arbitraries.integers().between(1, Integer.MAX_VALUE)
                .flatMap(times -> inner.list().ofMaxSize(3).map(body -> (Op) new Op.Repeat(times, body))), 0, 2);
    }

    private Arbitrary<Op> leafOps() {
        Arbitrary<Long> pages = Arbitraries.oneOf(Arbitraries.longs().between(1, 1L << 40),
                Arbitraries.of(1L, 256L, 512L, 262_144L));
        Arbitrary<Long> sizes = pages.map(p -> p * WorkloadUnits.PAGE_SIZE);
        Arbitrary<Long> offsets = Arbitraries.longs().between(0, 1L << 40).map(p -> p * WorkloadUnits.PAGE_SIZE);
        Arbitrary<Long> counts = Arbitraries.oneOf(Arbitraries.longs().between(1, Long.MAX_VALUE),
                Arbitraries.longs().between(1, 9_223_372L).map(n -> n * 1_000_000_000_000L / 1_000_000L));
        Arbitrary<Op.Content> contents = Arbitraries.oneOf(Arbitraries.just(new Op.Content.Zero()),
                Arbitraries.just(new Op.Content.Unique()),
                Arbitraries.integers().between(1, Integer.MAX_VALUE).map(Op.Content.Same::new),
                Arbitraries.longs().map(Op.Content.RandomBytes::new));
        Arbitrary<Op.Distribution> dists = Arbitraries.oneOf(Arbitraries.just(new Op.Distribution.Uniform()),
                Arbitraries.longs().between(Double.doubleToLongBits(1e-9), Double.doubleToLongBits(1e9))
                        .map(bits -> new Op.Distribution.Zipf(Double.longBitsToDouble(bits))),
                Arbitraries.of(0.5, 0.99, 1.0, 1.2).map(Op.Distribution.Zipf::new));
        return Arbitraries.oneOf(List.of(
                Arbitraries.longs().between(0, 9).flatMap(kind -> sizes.flatMap(size -> offsets.map(off -> switch ((int) (kind % 5)) {
                    case 0 -> (Op) new Op.Touch(size, off);
                    case 1 -> new Op.Read(size, off);
                    case 2 -> new Op.Unmap(size, off);
                    case 3 -> new Op.Free(size, off);
                    default -> new Op.Remap(size, off);
                }))),
                sizes.flatMap(size -> offsets.flatMap(off -> contents.map(c -> new Op.Fill(size, off, c)))),
                counts.flatMap(count -> sizes.flatMap(over -> Arbitraries.integers().between(0, 100).flatMap(writes ->
                        dists.flatMap(dist -> Arbitraries.longs().map(seed -> new Op.Random(count, over, writes, dist, seed)))))),
                Arbitraries.integers().between(1, Integer.MAX_VALUE).map(Op.Processes::new),
                counts.flatMap(count -> Arbitraries.of(true, false).map(pcid -> new Op.Switch(count, pcid))),
                Arbitraries.of(true, false).map(Op.Demand::new),
                Arbitraries.of(Op.PageSize.SHIFT_4K, Op.PageSize.SHIFT_2M).map(Op.PageSize::new),
                Arbitraries.of(Op.BalloonAction.class).flatMap(action -> sizes.map(size -> new Op.Balloon(action, size))),
                Arbitraries.just(new Op.Balloon(Op.BalloonAction.TO, 0)),
                Arbitraries.oneOf(Arbitraries.longs().between(0, Long.MAX_VALUE),
                        Arbitraries.longs().between(0, 1_000_000).map(s -> s * 1_000_000_000L)).map(Op.Sleep::new),
                Arbitraries.just(new Op.Verify())));
    }
}
