package org.memvirt.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every line of {@code qemu-7.2-observed.tsv} (memory options) and {@code qemu-7.2-command-lines.tsv} (whole command
 * lines): what qemu-system-x86_64 7.2.22 printed and which RAM size it reported (QMP query-memory-size-summary) for a
 * command line, replayed through QemuArgs.
 */
class QemuObservedTest {
    static final String MEMORY_OPTIONS = "/config/qemu-7.2-observed.tsv";
    static final String COMMAND_LINES = "/config/qemu-7.2-command-lines.tsv";

    static Stream<Arguments> observed() throws IOException {
        return Stream.concat(rows(MEMORY_OPTIONS).stream(), rows(COMMAND_LINES).stream());
    }

    /** The rows of one recording: command line, RAM size or {@code exit 1}, stderr. */
    static List<Arguments> rows(String resource) throws IOException {
        List<Arguments> rows = new ArrayList<>();
        try (InputStream in = QemuObservedTest.class.getResourceAsStream(resource)) {
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (line.isEmpty() || line.startsWith("#")) continue;
                String[] f = line.split("\t", -1);
                rows.add(Arguments.of(f[0], f[1], f[2].replace("\\n", "\n").replace("\\\\", "\\")));
            }
        }
        return rows;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("observed")
    void matchesQemu(String commandLine, String ram, String stderr) {
        List<String> args = org.memvirt.cli.ShellWords.split(commandLine);
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
        assertThat(actualRam).isEqualTo(ram);
        assertThat(String.join("\n", printed)).isEqualTo(stderr);
    }
}
