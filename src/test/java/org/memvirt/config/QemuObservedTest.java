package org.memvirt.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every record of {@code qemu-7.2-observed.jsonl}, as scripts/record-qemu-observed stored it from the real
 * qemu-system-x86_64 7.2.22 (exit status, raw stderr, the raw QMP query-memory-size-summary reply), replayed through
 * QemuArgs: the RAM size (or exit 1) and the messages, with {@code memvirt:} for QEMU's program name.
 */
class QemuObservedTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PROGRAM = "qemu-system-x86_64: ";
    // target/i386/cpu.c x86_cpu_filter_features: printed only when QEMU runs under TCG (the recorder's fallback where
    // /dev/kvm is absent); memvirt models the KVM host, where the same command line prints nothing
    private static final Pattern TCG_ONLY = Pattern.compile("warning: TCG doesn't support requested feature: .*");

    /** One command line and what QEMU did with it. */
    record Observed(String args, int exit, String qmpReply, String stderr) {
        @Override public String toString() {
            return args;
        }
    }

    static List<Observed> observed() throws IOException {
        List<Observed> rows = new ArrayList<>();
        List<String> lines = resourceLines("/config/qemu-7.2-observed.jsonl");
        for (String line : lines.subList(1, lines.size())) {            // line 1: QEMU's version and base command
            JsonNode n = JSON.readTree(line);
            rows.add(new Observed(n.get("args").asText(), n.get("exit").asInt(), n.get("qmp").asText(), n.get("stderr").asText()));
        }
        return rows;
    }

    private static List<String> resourceLines(String name) throws IOException {
        try (InputStream in = QemuObservedTest.class.getResourceAsStream(name)) {
            List<String> lines = new ArrayList<>();
            for (String l : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) if (!l.isEmpty()) lines.add(l);
            return lines;
        }
    }

    /** The RAM size QEMU reported (base-memory), or {@code exit N} when it refused the command line. */
    private static String expectedRam(Observed o) throws IOException {
        if (o.exit() != 0) return "exit " + o.exit();
        return JSON.readTree(o.qmpReply()).get("return").get("base-memory").asText();
    }

    /** QEMU's stderr as memvirt prints it: {@code memvirt: } for the program name, TCG-only warnings dropped. */
    private static String expectedStderr(Observed o) {
        List<String> out = new ArrayList<>();
        for (String l : o.stderr().split("\n")) {
            if (l.isEmpty()) continue;
            String msg = l.startsWith(PROGRAM) ? l.substring(PROGRAM.length()) : l;
            if (TCG_ONLY.matcher(msg).matches()) continue;
            out.add(l.startsWith(PROGRAM) ? "memvirt: " + msg : l);
        }
        return String.join("\n", out);
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
        assertThat(actualRam).isEqualTo(expectedRam(o));
        assertThat(String.join("\n", printed)).isEqualTo(expectedStderr(o));
    }

    @Test
    void theRecordingCoversEveryCommandLineInItsOrder() throws IOException {
        List<String> listed = new ArrayList<>();
        for (String l : resourceLines("/config/qemu-7.2-observed.args")) if (!l.startsWith("#")) listed.add(l);
        assertThat(observed()).extracting(Observed::args).containsExactlyElementsOf(listed);
        assertThat(listed).hasSize(268);
    }
}
