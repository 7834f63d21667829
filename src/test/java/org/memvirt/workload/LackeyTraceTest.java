package org.memvirt.workload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LackeyTraceTest {

    static Path resources() throws URISyntaxException {
        return Path.of(LackeyTraceTest.class.getResource("/workload/sample.lackey").toURI()).getParent();
    }

    @Test
    void sampleMapsUsedChunksInAddressOrder() throws Exception {
        long[] accesses = LackeyTrace.read(resources().resolve("sample.lackey"));
        // chunks 0x20 (0x0400_0000), 0x21 (0x0420_0000) and 0xfff8 (0x1f_ff00_0000) become region chunks 0, 1, 2
        assertThat(accesses).containsExactly(0x400778 | 1, 0x29e30, 0x2a008 | 1, 0x29e30, 0x200010, 0x400ff8 | 1);
    }

    @Test
    void traceOpReadsItsFileRelativeToTheBaseDirectory() throws Exception {
        Workload workload = WorkloadParser.parseShorthand("trace sample.lackey", resources());
        Op.Trace trace = (Op.Trace) workload.steps().getFirst().op();
        assertThat(trace.file()).isEqualTo("sample.lackey");
        assertThat(trace.accesses()).hasSize(6);
        assertThat(WorkloadFormat.format(trace)).isEqualTo("trace sample.lackey");
        assertThat(trace).isEqualTo(new Op.Trace("sample.lackey", LackeyTrace.read(resources().resolve("sample.lackey"))));
        assertThat(Footprint.regionEnd(trace)).isEqualTo(0x401000);
        assertThat(Footprint.pages(trace)).isEqualTo(4);
        assertThat(Footprint.accesses(trace)).isEqualTo(6);
    }

    @Test
    void malformedLinesNameFileAndLine(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("bad.lackey"), "I  0401ab70,3\n L 0402zz,8\n");
        assertThatThrownBy(() -> WorkloadParser.parseShorthand("verify; trace bad.lackey", dir))
                .isInstanceOf(WorkloadException.class)
                .hasMessage("workload: 1:15: " + dir.resolve("bad.lackey")
                        + ":2: expected a lackey line 'I|L|S|M ADDR,SIZE', found 'L 0402zz,8' (in 'trace bad.lackey')");
    }

    @Test
    void traceWithoutDataAccessesIsAnError(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("empty.lackey"), "==1== Lackey\nI  0401ab70,3\n");
        assertThatThrownBy(() -> LackeyTrace.read(dir.resolve("empty.lackey")))
                .hasMessage(dir.resolve("empty.lackey") + ": no data accesses (' L', ' S' or ' M' lines) in the trace");
        assertThatThrownBy(() -> LackeyTrace.read(dir.resolve("missing.lackey")))
                .hasMessage("cannot read trace " + dir.resolve("missing.lackey") + ": no such file");
    }

    @Test
    void valgrindTraceOfBinTrueParses(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("true.lackey");
        java.util.Optional<Path> valgrindPath = onPath("valgrind");
        org.memvirt.Skip.unless(valgrindPath.isPresent(), "valgrind is not installed (not on PATH)");
        Process valgrind = new ProcessBuilder(valgrindPath.get().toString(), "--tool=lackey", "--trace-mem=yes",
                "--log-file=" + log, "/bin/true")
                .redirectErrorStream(true).redirectOutput(dir.resolve("valgrind.out").toFile()).start();
        boolean done = valgrind.waitFor(120, TimeUnit.SECONDS);
        if (!done) valgrind.destroyForcibly();
        assertThat(done && valgrind.exitValue() == 0).as("valgrind --tool=lackey finished cleanly; its output:%n%s",
                Files.readString(dir.resolve("valgrind.out"))).isTrue();

        List<String> lines = Files.readAllLines(log);
        long loads = lines.stream().filter(l -> l.startsWith(" L ")).count();
        long stores = lines.stream().filter(l -> l.startsWith(" S ") || l.startsWith(" M ")).count();
        long[] accesses = LackeyTrace.read(log);
        assertThat(accesses.length).isEqualTo(loads + stores);
        assertThat(java.util.Arrays.stream(accesses).filter(a -> (a & 1) != 0).count()).isEqualTo(stores);
        Op.Trace trace = new Op.Trace("true.lackey", accesses);
        long usedChunks = lines.stream().filter(l -> l.matches(" [LSM] .*"))
                .mapToLong(l -> Long.parseLong(l.substring(3, l.indexOf(',')), 16) >>> LackeyTrace.CHUNK_SHIFT).distinct().count();
        assertThat(Footprint.regionEnd(trace)).isLessThanOrEqualTo(usedChunks << LackeyTrace.CHUNK_SHIFT);
        System.out.printf("valgrind lackey /bin/true: %d loads, %d stores/modifies, %d pages, region %s%n",
                loads, stores, Footprint.pages(trace), WorkloadUnits.formatSize(Footprint.regionEnd(trace)));
    }

    /** The first executable {@code name} in $PATH. */
    private static java.util.Optional<Path> onPath(String name) {
        String path = System.getenv().getOrDefault("PATH", "");
        return java.util.Arrays.stream(path.split(java.io.File.pathSeparator)).filter(d -> !d.isEmpty())
                .map(d -> Path.of(d, name)).filter(Files::isExecutable).findFirst();
    }
}
