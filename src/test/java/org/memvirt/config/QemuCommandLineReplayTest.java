package org.memvirt.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.memvirt.cli.ShellWords;
import org.memvirt.qemu.RealQemu;
import org.memvirt.report.Json;

/**
 * The recordings and tables memvirt's QEMU command line rests on, checked against the real qemu-system-x86_64 where
 * it is installed: every record of {@code qemu-7.2-command-lines.jsonl}, {@link QemuOption}'s table and the
 * {@code -object} types of {@link BackendObject#OBJECT_TYPES}.
 */
@Tag("qemu")
class QemuCommandLineReplayTest {
    /** The recording's harness: no devices, no display, stopped CPUs, QMP on stdio (-accel tcg runs on every host). */
    static final List<String> HARNESS = List.of("-nodefaults", "-display", "none", "-S", "-qmp", "stdio", "-accel", "tcg");
    static final int SECONDS = 30;
    // scripts/record-qemu-observed's QMP input: the id marks the reply it records
    static final String QMP = "{\"execute\": \"qmp_capabilities\"}\n{\"execute\": \"query-memory-size-summary\", \"id\": \"ram\"}\n"
            + "{\"execute\": \"quit\"}\n";

    @BeforeAll
    static void qemuInstalled() {
        RealQemu.assumeInstalled();
    }

    static Stream<QemuObservedTest.Observed> commandLines() throws IOException {
        return QemuObservedTest.recording(QemuObservedTest.COMMAND_LINES).records().stream();
    }

    /** The recording was made with the harness (its accelerator aside: the replay runs TCG, which every host has). */
    @Test
    void theRecordingWasMadeWithTheHarness() throws IOException {
        List<String> command = QemuObservedTest.recording(QemuObservedTest.COMMAND_LINES).command();
        assertThat(command.subList(1, command.size() - 1)).isEqualTo(HARNESS.subList(0, HARNESS.size() - 1));
    }

    /** QEMU run now gives the recorded raw answers: exit status, the QMP reply byte for byte, stderr. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("commandLines")
    void qemuStillAnswersWhatWasRecorded(QemuObservedTest.Observed recorded) throws Exception {
        List<String> args = new ArrayList<>(HARNESS);
        args.addAll(ShellWords.split(recorded.args()));
        RealQemu.Outcome o = RealQemu.run(args, QMP, SECONDS);
        String reply = "";
        for (String line : o.stdout().split("\r?\n")) {
            if (line.startsWith("{") && Json.mapper().readTree(line).path("id").asText().equals("ram")) reply = line;
        }
        QemuObservedTest.Observed now = new QemuObservedTest.Observed(recorded.args(), o.exit(), reply, o.stderr());
        assertThat(now.exit()).isEqualTo(recorded.exit());
        assertThat(now.qmpReply()).isEqualTo(recorded.qmpReply());
        assertThat(now.stderrLines()).isEqualTo(recorded.stderrLines());
    }

    /**
     * One run checks the whole table, because QEMU's first pass reads every word before it acts on any and stops at
     * the first unknown one. The line is the table's options, each that takes an argument followed by the invalid
     * word {@code -zzz} as its argument, each that takes none followed by one that takes an argument, and
     * {@code -yyy} at the end. Only if every option exists and takes an argument exactly where the table says does
     * QEMU reach {@code -yyy}: an unknown option fails at itself, an option wrongly listed with an argument leaves
     * {@code -zzz} to be read as an option, one wrongly listed without swallows the next option, whose {@code -zzz}
     * then fails.
     */
    @Test
    void everyOptionOfTheTableIsQemusWithTheSameArgumentRule() throws Exception {
        List<QemuOption> flags = QemuOption.all().stream().filter(o -> !o.takesArgument()).toList();
        List<QemuOption> withArgument = QemuOption.all().stream().filter(QemuOption::takesArgument).toList();
        assertThat(withArgument.size()).isGreaterThan(flags.size());
        List<String> line = new ArrayList<>();
        for (int i = 0; i < withArgument.size(); i++) {
            if (i < flags.size()) line.add("-" + flags.get(i).name());
            line.addAll(List.of("-" + withArgument.get(i).name(), "-zzz"));
        }
        line.add("-yyy");
        RealQemu.Outcome o = RealQemu.run(line, "", SECONDS);
        assertThat(o.stderr()).isEqualTo("qemu-system-x86_64: -yyy: invalid option\n");
        assertThat(o.exit()).isEqualTo(1);
        for (String unknown : List.of("memory", "no-kvm", "hdx")) {
            assertThat(RealQemu.run(List.of("-" + unknown), "", SECONDS).stderr())
                    .isEqualTo("qemu-system-x86_64: -" + unknown + ": invalid option\n");
        }
    }

    /** QEMU's own schema (QMP query-qmp-schema) lists the values of the {@code -object} type enum. */
    @Test
    void theObjectTypesAreTheValuesOfQemusObjectTypeEnum() throws Exception {
        String qmp = "{\"execute\":\"qmp_capabilities\"}\n{\"execute\":\"query-qmp-schema\"}\n{\"execute\":\"quit\"}\n";
        RealQemu.Outcome o = RealQemu.run(HARNESS, qmp, SECONDS);
        List<List<String>> enums = new ArrayList<>();
        for (String reply : o.stdout().split("\r?\n")) {
            JsonNode schema = Json.mapper().readTree(reply).path("return");
            for (JsonNode type : schema) {
                if (!type.path("meta-type").asText().equals("enum")) continue;
                List<String> values = new ArrayList<>();
                type.path("values").forEach(v -> values.add(v.asText()));
                if (values.contains("memory-backend-ram")) enums.add(values);
            }
        }
        assertThat(enums).containsExactly(BackendObject.OBJECT_TYPES);
    }
}
