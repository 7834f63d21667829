package org.memvirt.workload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WorkloadFileTest {
    private static final long M = 1L << 20, G = 1L << 30;
    private static final int SPREAD = Workload.Step.SPREAD;

    @TempDir
    Path dir;

    private Path write(String name, String text) throws IOException {
        return Files.writeString(dir.resolve(name), text);
    }

    @Test
    void yamlStepsAsStringsAndMaps() throws IOException {
        Path file = write("plan.yaml", """
                # a plan
                - touch 1G at 512M
                - "sleep 10s"
                - {op: touch, size: 1G, at: 0, vcpu: 1}
                - op: random
                  count: 1M
                  over: 1G
                  writes: 30
                  dist: zipf:0.99
                - op: switch
                  count: 100
                  pcid: true
                - op: repeat 2 { verify }
                - op: repeat
                  times: 3
                  body:
                    - touch 4K
                    - {op: sleep, duration: 1ms}
                - op: fill 8K content=zero
                  vcpu: 0
                - {op: balloon, to: 512M}
                - {op: demand, mode: on}
                - {op: free, size: 1G, at: 512M}
                """);
        Workload workload = WorkloadParser.parseFile(file);
        assertThat(workload.source()).isEqualTo(file.toString());
        assertThat(workload.steps()).containsExactly(
                new Workload.Step(new Op.Touch(G, 512 * M), "touch 1G at 512M", SPREAD),
                new Workload.Step(new Op.Sleep(10_000_000_000L), "sleep 10s", SPREAD),
                new Workload.Step(new Op.Touch(G, 0), "touch 1G at 0", 1),
                new Workload.Step(new Op.Random(1_000_000, G, 30, new Op.Distribution.Zipf(0.99), 0),
                        "random 1M over 1G writes 30 dist zipf:0.99", SPREAD),
                new Workload.Step(new Op.Switch(100, true), "switch 100 pcid", SPREAD),
                new Workload.Step(new Op.Repeat(2, List.of(new Op.Verify())), "repeat 2 { verify }", SPREAD),
                new Workload.Step(new Op.Repeat(3, List.of(new Op.Touch(4096, 0), new Op.Sleep(1_000_000))),
                        "repeat 3 { touch 4K; sleep 1ms }", SPREAD),
                new Workload.Step(new Op.Fill(8192, 0, new Op.Content.Zero()), "fill 8K content=zero", 0),
                new Workload.Step(new Op.Balloon(Op.BalloonAction.TO, 512 * M), "balloon to 512M", SPREAD),
                new Workload.Step(new Op.Demand(true), "demand on", SPREAD),
                new Workload.Step(new Op.Free(G, 512 * M), "free 1G at 512M", SPREAD));
    }

    @Test
    void yamlSingleStringAndWorkloadKey() throws IOException {
        assertThat(WorkloadParser.parseFile(write("one.yml", "touch 1G; verify\n")).steps()).extracting(Workload.Step::op)
                .containsExactly(new Op.Touch(G, 0), new Op.Verify());
        assertThat(WorkloadParser.parseFile(write("key.yaml", "workload:\n  - touch 1G\n")).steps()).extracting(Workload.Step::op)
                .containsExactly(new Op.Touch(G, 0));
    }

    @Test
    void jsonAndShorthandFiles() throws IOException {
        assertThat(WorkloadParser.parseFile(write("plan.json", "[\"touch 1G\", {\"op\": \"read\", \"size\": \"1G\", \"vcpu\": 2}]")).steps())
                .containsExactly(new Workload.Step(new Op.Touch(G, 0), "touch 1G", SPREAD),
                        new Workload.Step(new Op.Read(G, 0), "read 1G", 2));
        assertThat(WorkloadParser.parseFile(write("plan.txt", "touch 1G\nrepeat 2 {\n  verify\n}\n")).steps())
                .extracting(Workload.Step::op).containsExactly(new Op.Touch(G, 0), new Op.Repeat(2, List.of(new Op.Verify())));
    }

    @Test
    void errorsPointIntoTheFile() throws IOException {
        Path yaml = write("bad.yaml", "- touch 1G\n- touch abc\n-   \"read 1G at x\"\n");
        assertThatThrownBy(() -> WorkloadParser.parseFile(yaml)).isInstanceOf(WorkloadException.class)
                .hasMessage(yaml + ":2:9: expected a size after 'touch', found 'abc' (in 'touch abc')");
        Path quoted = write("quoted.yaml", "- touch 1G\n-   \"read 1G at x\"\n");
        assertThatThrownBy(() -> WorkloadParser.parseFile(quoted))
                .hasMessage(quoted + ":2:17: expected a size after 'at', found 'x' (in 'read 1G at x')");
        Path json = write("bad.json", "[\"touch 1G\", \"read x\"]");
        assertThatThrownBy(() -> WorkloadParser.parseFile(json))
                .hasMessage(json + ":1:20: expected a size after 'read', found 'x' (in 'read x')");
        Path map = write("map.yaml", "- touch 1G\n- {op: touch, size: abc}\n");
        assertThatThrownBy(() -> WorkloadParser.parseFile(map))
                .hasMessage(map + ":2:3: expected a size after 'touch', found 'abc' (in 'touch abc')");
        Path text = write("bad.txt", "touch 1G\n  sleep\n");
        assertThatThrownBy(() -> WorkloadParser.parseFile(text))
                .hasMessage(text + ":2:8: expected a duration after 'sleep', found a new line (in 'sleep')");
        Path vcpu = write("vcpu.yaml", "- {op: touch 1G vcpu 1, vcpu: 2}\n");
        assertThatThrownBy(() -> WorkloadParser.parseFile(vcpu))
                .hasMessage(vcpu + ":1:31: 'vcpu' given twice (in 'touch 1G vcpu 1')");
        Path noOp = write("noop.yaml", "- {size: 1G}\n");
        assertThatThrownBy(() -> WorkloadParser.parseFile(noOp))
                .hasMessage(noOp + ":1:3: expected 'op: NAME' in a workload step map");
        Path syntax = write("syntax.json", "[\"touch 1G\",,]");
        assertThatThrownBy(() -> WorkloadParser.parseFile(syntax)).isInstanceOf(WorkloadException.class)
                .hasMessageStartingWith(syntax + ":1:13: ");
        assertThatThrownBy(() -> WorkloadParser.parseFile(dir.resolve("none.yaml")))
                .hasMessageStartingWith("cannot read workload file " + dir.resolve("none.yaml"));
    }

    @Test
    void embeddedNodesNameTheirSourceAndStep() throws IOException {
        ObjectMapper mapper = new ObjectMapper();
        JsonNode list = mapper.readTree("[\"touch 1G\", {\"op\": \"read\", \"size\": \"x\"}, \"sleep 1s\"]");
        assertThatThrownBy(() -> WorkloadParser.parseNode(list, "scenario.yaml: vm 'a': workload", dir))
                .hasMessage("scenario.yaml: vm 'a': workload: step 2: expected a size after 'read', found 'x' (in 'read x')");
        JsonNode strings = mapper.readTree("[\"touch 1G\", \"read x\"]");
        assertThatThrownBy(() -> WorkloadParser.parseNode(strings, "s.yaml", dir))
                .hasMessage("s.yaml: step 2:1:6: expected a size after 'read', found 'x' (in 'read x')");
        Workload one = WorkloadParser.parseNode(mapper.readTree("\"touch 1G; verify\""), "s.yaml", dir);
        assertThat(one.steps()).extracting(Workload.Step::op).containsExactly(new Op.Touch(G, 0), new Op.Verify());
        assertThat(one.source()).isEqualTo("s.yaml");
    }
}
