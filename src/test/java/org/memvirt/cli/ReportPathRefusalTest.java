package org.memvirt.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import org.memvirt.testing.DirSnapshot;
import org.memvirt.testing.SpecialFiles;

/**
 * Every command that writes a file refuses, before any work, to write it onto anything but a regular file or a new
 * path: exit status 1, one line naming the option, the path and why, and nothing in the directory created, changed or
 * replaced (device nodes and FIFOs are made in the test's own directory).
 */
class ReportPathRefusalTest {
    static final String SCENARIO = """
            duration: 1s
            host: {ram: 1G}
            vms:
              - {name: a, qemu: "-m 64M", workload: ["touch 1M"]}
            """;

    @TempDir
    Path dir;

    /** Each command that takes {@code --report}, with otherwise valid arguments. */
    static Stream<String> commands() {
        return Stream.of("run", "scenario", "translate", "demo");
    }

    private List<String> argv(String command, Path report) throws IOException {
        List<String> args = new ArrayList<>(List.of(command));
        switch (command) {
            case "run" -> args.addAll(List.of("-m", "64M", "--engine", "sim", "--workload", "touch 1M"));
            case "scenario" -> args.addAll(List.of(Files.writeString(dir.resolve("s.yaml"), SCENARIO).toString(),
                    "--engine", "sim"));
            case "translate" -> args.addAll(List.of("--gva", "0x1000"));
            case "demo" -> { }
            default -> throw new IllegalArgumentException(command);
        }
        args.addAll(List.of("--report", report.toString()));
        return args;
    }

    private void refused(String command, Path report, String reason) throws IOException {
        List<String> args = argv(command, report);
        DirSnapshot before = DirSnapshot.of(dir);
        MainTest.CliRun r = MainTest.CliRun.of(args.toArray(String[]::new));
        assertThat(r.rc()).as(r.err()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("memvirt: cannot write --report " + report + ": " + reason + "\n");
        assertThat(r.out()).isEmpty();
        assertThat(DirSnapshot.of(dir)).isEqualTo(before);
    }

    @ParameterizedTest
    @MethodSource("commands")
    void ontoACharacterDevice(String command) throws IOException {
        refused(command, SpecialFiles.charDevice(dir.resolve("null")), "it is a character device, not a regular file");
    }

    @ParameterizedTest
    @MethodSource("commands")
    void ontoAFifo(String command) throws IOException {
        refused(command, SpecialFiles.fifo(dir.resolve("fifo")), "it is a FIFO, not a regular file");
    }

    @ParameterizedTest
    @MethodSource("commands")
    void ontoADirectory(String command) throws IOException {
        refused(command, Files.createDirectory(dir.resolve("out")), "it is a directory, not a regular file");
    }

    @ParameterizedTest
    @MethodSource("commands")
    void throughALinkToAFifo(String command) throws IOException {
        SpecialFiles.fifo(dir.resolve("fifo"));
        refused(command, Files.createSymbolicLink(dir.resolve("r.html"), Path.of("fifo")),
                "it is a symbolic link to a FIFO, not to a regular file");
    }

    @ParameterizedTest
    @MethodSource("commands")
    void intoAMissingDirectory(String command) throws IOException {
        refused(command, dir.resolve("nowhere/r.html"), "directory " + dir.resolve("nowhere") + " does not exist");
    }
}
