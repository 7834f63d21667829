package org.memvirt.workload;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

class WorkloadParserFuzzTest {

    /** Any text made of workload words either parses or fails with a one-line WorkloadException, never otherwise. */
    @Property(tries = 1000)
    void garbageFailsOnlyWithAWorkloadException(@ForAll("texts") String text) {
        try {
            Workload workload = WorkloadParser.parseShorthand(text);
            String canonical = WorkloadFormat.format(workload);
            assertThat(WorkloadFormat.format(WorkloadParser.parseShorthand(canonical))).isEqualTo(canonical);
        } catch (WorkloadException e) {
            assertThat(e.getMessage()).startsWith("workload: ").doesNotContain("\n");
        }
    }

    @Provide
    Arbitrary<String> texts() {
        Arbitrary<String> words = Arbitraries.oneOf(
                Arbitraries.of(ShorthandParser.OPS),
                Arbitraries.of("at", "over", "writes", "dist", "seed", "pcid", "vcpu", "on", "off", "inflate", "deflate",
                        "to", "content=zero", "content=same:3", "content=random:x", "zipf:0.99", "zipf:", "uniform",
                        "1G", "4K", "512", "1.5G", "0", "0x10", "1.7M", "8E", "10s", "1.5ns", "30%", "101", "-1",
                        "18446744073709551616", "{", "}", ";", "\n", "#c\n", "\"a b\"", "\"", "1M", "abc", ""));
        return words.list().ofMaxSize(12).map(list -> String.join(" ", list));
    }

    @Property(tries = 200)
    void errorColumnsPointInsideTheText(@ForAll("texts") String text) {
        try {
            WorkloadParser.parseShorthand(text);
        } catch (WorkloadException e) {
            String[] place = e.getMessage().substring("workload: ".length()).split(":", 3);
            int line = Integer.parseInt(place[0]);
            int column = Integer.parseInt(place[1]);
            List<String> lines = text.lines().toList();
            assertThat(line).isBetween(1, Math.max(1, lines.size() + 1));
            assertThat(column).isBetween(1, (line <= lines.size() ? lines.get(line - 1).length() : 0) + 1);
        }
    }
}
