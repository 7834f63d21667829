package org.memvirt.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every record of the two recordings scripts/record-qemu-observed made with the real qemu-system-x86_64 7.2.22 (exit
 * status, raw stderr, the raw QMP query-memory-size-summary reply): {@code qemu-7.2-observed} (memory options) and
 * {@code qemu-7.2-command-lines} (whole command lines), replayed through QemuArgs: the RAM size (or exit 1) and the
 * messages, with {@code memvirt:} for QEMU's program name.
 */
class QemuObservedTest {
    static final String MEMORY_OPTIONS = "qemu-7.2-observed";
    static final String COMMAND_LINES = "qemu-7.2-command-lines";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PROGRAM = "qemu-system-x86_64: ";
    // target/i386/cpu.c x86_cpu_filter_features: printed only when QEMU runs under TCG (the recorder's fallback where
    // /dev/kvm is absent); memvirt models the KVM host, where the same command line prints nothing
    private static final Pattern TCG_ONLY = Pattern.compile("warning: TCG doesn't support requested feature: .*");

    /** One command line and what QEMU did with it: exit status, the raw QMP reply ("" if none), raw stderr. */
    record Observed(String args, int exit, String qmpReply, String stderr) {
        @Override public String toString() {
            return args;
        }

        /** The RAM size QEMU reported (base-memory), or {@code exit N} when it refused the command line. */
        String ram() throws IOException {
            if (exit != 0) return "exit " + exit;
            return JSON.readTree(qmpReply).get("return").get("base-memory").asText();
        }

        /** The stderr lines QEMU prints under KVM too: the recording's, less TCG-only warnings. */
        List<String> stderrLines() {
            List<String> out = new ArrayList<>();
            for (String l : stderr.split("\n")) {
                if (l.isEmpty()) continue;
                String msg = l.startsWith(PROGRAM) ? l.substring(PROGRAM.length()) : l;
                if (!TCG_ONLY.matcher(msg).matches()) out.add(l);
            }
            return out;
        }
    }

    /** A recording: the base command its first line names and its records. */
    record Recording(List<String> command, List<Observed> records) {}

    static Recording recording(String name) throws IOException {
        List<String> lines = resourceLines("/config/" + name + ".jsonl");
        List<String> command = List.of(JSON.readTree(lines.getFirst()).get("command").asText().split(" "));
        List<Observed> records = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            JsonNode n = JSON.readTree(line);
            records.add(new Observed(n.get("args").asText(), n.get("exit").asInt(), n.get("qmp").asText(), n.get("stderr").asText()));
        }
        return new Recording(command, records);
    }

    static Stream<Observed> observed() throws IOException {
        return Stream.concat(recording(MEMORY_OPTIONS).records().stream(), recording(COMMAND_LINES).records().stream());
    }

    private static List<String> resourceLines(String name) throws IOException {
        try (InputStream in = QemuObservedTest.class.getResourceAsStream(name)) {
            List<String> lines = new ArrayList<>();
            for (String l : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) if (!l.isEmpty()) lines.add(l);
            return lines;
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("observed")
    void matchesQemu(Observed o) throws IOException {
        List<String> args = org.memvirt.cli.ShellWords.split(o.args());
        List<String> printed = new ArrayList<>();
        String actualRam;
        try {
            MachineConfig c = QemuArgs.parse(args);
            c.warnings().forEach(w -> printed.add("memvirt: " + w));
            actualRam = Long.toUnsignedString(c.layout().ramSize());
        } catch (ConfigException e) {
            e.warnings().forEach(w -> printed.add("memvirt: " + w));
            printed.add("memvirt: " + e.getMessage());
            actualRam = "exit 1";
        }
        List<String> expected = o.stderrLines().stream()
                .map(l -> l.startsWith(PROGRAM) ? "memvirt: " + l.substring(PROGRAM.length()) : l).toList();
        assertThat(actualRam).isEqualTo(o.ram());
        assertThat(String.join("\n", printed)).isEqualTo(String.join("\n", expected));
    }

    /** Each recording holds one record per command line of its {@code .args} file, in order (none lost or stale). */
    @ParameterizedTest(name = "{0}")
    @CsvSource({MEMORY_OPTIONS + ", 268", COMMAND_LINES + ", 27"})
    void theRecordingCoversEveryCommandLineInItsOrder(String name, int count) throws IOException {
        List<String> listed = new ArrayList<>();
        for (String l : resourceLines("/config/" + name + ".args")) if (!l.startsWith("#")) listed.add(l);
        assertThat(recording(name).records()).extracting(Observed::args).containsExactlyElementsOf(listed);
        assertThat(listed).hasSize(count);
    }
}
