package org.memvirt.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import org.memvirt.Skip;
import org.memvirt.testing.DirSnapshot;
import org.memvirt.testing.SpecialFiles;

/**
 * Bad input to every command, one row each: the exit status, the exact message (one line on stderr, except QEMU's own
 * errors where QEMU prints its hint lines too), nothing on stdout, and the test directory (every file a row names,
 * and any it might create) unchanged. {@code {dir}} in a row stands for that directory, which holds the fixtures made
 * by {@link #fixtures}. The rows are in src/test/resources/refusals/bad-input.tsv: arguments (shell words), status,
 * message ({@code \n} for a line break; {@code [...]} for a number that depends on this JVM, such as its heap). Rows
 * that quote a {@code {dir}} path assume the temporary directory's path is short enough (under 40 characters, as
 * JUnit's under /tmp) not to be shortened in the message.
 */
class BadInputTest {
    static final String ANY = "[...]";

    @TempDir
    Path dir;

    static Stream<Arguments> rows() throws IOException {
        List<Arguments> rows = new ArrayList<>();
        try (var in = BadInputTest.class.getResourceAsStream("/refusals/bad-input.tsv")) {
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (line.isBlank() || line.startsWith("#")) continue;
                String[] f = line.split("\t", -1);
                rows.add(Arguments.of(f[0], Integer.parseInt(f[1]), f[2].replace("\\n", "\n")));
            }
        }
        return rows.stream();
    }

    /** Input files of every kind the rows name, made fresh for each row. */
    void fixtures() throws IOException {
        Files.writeString(dir.resolve("empty.yaml"), "");
        Files.writeString(dir.resolve("empty.json"), "");
        Files.writeString(dir.resolve("empty.txt"), "# nothing but a comment\n");
        Files.write(dir.resolve("binary.yaml"), new byte[] {0x7f, 'E', 'L', 'F', 2, 1, 1, 0, 0, 0});
        Files.write(dir.resolve("binary.json"), new byte[] {'{', 0, '}'});
        Files.write(dir.resolve("latin1.txt"), "touch 1M # caf\u00e9".getBytes(StandardCharsets.ISO_8859_1));
        Files.createDirectory(dir.resolve("dir.yaml"));
        Files.createDirectory(dir.resolve("dir.json"));
        SpecialFiles.fifo(dir.resolve("fifo.yaml"));
        Path locked = Files.writeString(dir.resolve("locked.yaml"), "- touch 1M\n");
        Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("---------"));
        Files.writeString(dir.resolve("dup.yaml"), "- op: touch\n  size: 1M\n  size: 2M\n");
        Files.writeString(dir.resolve("alias.yaml"), "- &t touch 1M\n- *t\n- *nope\n");
        Files.writeString(dir.resolve("trunc.json"), "[\"touch 1M\",\n \"read 1M\"");
        Files.writeString(dir.resolve("list.yaml"), "- a\n- b\n");
        Files.writeString(dir.resolve("deep.yaml"), "[".repeat(100) + "]".repeat(100) + "\n");
        Files.writeString(dir.resolve("two-docs.yaml"), "- touch 1M\n---\n- touch 2M\n");
        Files.writeString(dir.resolve("long.txt"), "touch 1M " + "x".repeat(200_000) + "\n");
        try (var big = new java.io.RandomAccessFile(dir.resolve("big.yaml").toFile(), "rw")) {
            big.setLength((16L << 20) + 1);                                  // sparse: one byte past the limit
        }
        try (var huge = new java.io.RandomAccessFile(dir.resolve("huge.out").toFile(), "rw")) {
            huge.setLength(1L << 40);                                        // sparse: a 1 TiB trace
        }
        Files.writeString(dir.resolve("tlb.properties"), "l1.entries=abc\n");
        Files.writeString(dir.resolve("s-ok.yaml"), "duration: 1s\nhost: {ram: 1G}\nvms: [{name: a, qemu: \"-m 64M\"}]\n");
        for (String[] bad : SCENARIOS) Files.writeString(dir.resolve(bad[0] + ".yaml"), bad[1]);
    }

    /** Scenario files with one bad field each: name, text. */
    static final String[][] SCENARIOS = {
        {"s-duration-negative", "duration: -1s\nhost: {ram: 1G}\nvms: [{name: a}]\n"},
        {"s-duration-nan", "duration: NaN\nhost: {ram: 1G}\nvms: [{name: a}]\n"},
        {"s-duration-huge", "duration: 99999999999999h\nhost: {ram: 1G}\nvms: [{name: a}]\n"},
        {"s-ram-negative", "host: {ram: -1}\nvms: [{name: a}]\n"},
        {"s-ram-zero", "host: {ram: 0}\nvms: [{name: a}]\n"},
        {"s-ram-nan", "host: {ram: NaN}\nvms: [{name: a}]\n"},
        {"s-ram-16e", "host: {ram: 16E}\nvms: [{name: a}]\n"},
        {"s-reserve", "host: {ram: 1G, reserve: 2G}\nvms: [{name: a}]\n"},
        {"s-no-vms", "host: {ram: 1G}\nvms: []\n"},
        {"s-count-zero", "host: {ram: 1G}\nvms: [{name: a, count: 0}]\n"},
        {"s-count-huge", "host: {ram: 1G}\nvms: [{name: a, count: 99999999999}]\n"},
        {"s-qemu", "host: {ram: 1G}\nvms: [{name: a, qemu: \"-m 1X\"}]\n"},
        {"s-memory-small", "host: {ram: 1G}\nvms: [{name: a, memory: 1K}]\n"},
        {"s-workload-range", "host: {ram: 1G}\nvms: [{name: a, memory: 64M, workload: [touch 128M]}]\n"},
        {"s-workload-bad", "host: {ram: 1G}\nvms: [{name: a, workload: [touch 1M, touch NaN]}]\n"},
        {"s-balloon", "host: {ram: 1G}\nvms: [{name: a, memory: 64M, balloon: {target: 128M}}]\n"},
        {"s-quantum", "quantum: 1ns\nhost: {ram: 1G}\nvms: [{name: a}]\n"},
        {"s-sample", "sample: 0s\nhost: {ram: 1G}\nvms: [{name: a}]\n"},
        {"s-ksm-run", "host: {ram: 1G, ksm: {run: 5}}\nvms: [{name: a}]\n"},
        {"s-ksm-pages", "host: {ram: 1G, ksm: {pages_to_scan: -1}}\nvms: [{name: a}]\n"},
        {"s-unknown", "host: {ram: 1G}\nvms: [{name: a}]\nextra: 1\n"},
        {"s-dup-vm", "host: {ram: 1G}\nvms: [{name: a}, {name: a}]\n"},
        {"s-swap-kind", "host: {ram: 1G, swap_kind: tape}\nvms: [{name: a}]\n"},
        {"s-oom-adj", "host: {ram: 1G}\nvms: [{name: a, oom_score_adj: 1e3}]\n"},
    };

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void isRefusedSafely(String args, int status, String message) throws IOException {
        fixtures();
        List<String> argv = new ArrayList<>();
        for (String word : ShellWords.split(args)) argv.add(word.replace("{dir}", dir.toString()));
        Skip.unless(argv.stream().noneMatch(a -> a.contains("locked.yaml")) || !SpecialFiles.root(),
                "root reads a file without read permission");
        DirSnapshot before = DirSnapshot.of(dir);
        MainTest.CliRun r = MainTest.CliRun.of(argv.toArray(String[]::new));
        String expected = message.replace("{dir}", dir.toString()) + "\n";
        if (System.getProperty("badinput.print") != null) {
            System.out.println("ROW\t" + args + "\t" + r.rc() + "\t" + r.err().strip().replace(dir.toString(), "{dir}").replace("\n", "\\n"));
            return;
        }
        if (expected.contains(ANY)) {                                         // a figure of this JVM (its heap)
            String[] parts = expected.split(java.util.regex.Pattern.quote(ANY), -1);
            StringBuilder regex = new StringBuilder();
            for (int i = 0; i < parts.length; i++) regex.append(i == 0 ? "" : "[0-9.,]+").append(java.util.regex.Pattern.quote(parts[i]));
            assertThat(r.err()).matches(java.util.regex.Pattern.compile(regex.toString(), java.util.regex.Pattern.DOTALL));
        } else {
            assertThat(r.err()).isEqualTo(expected);
        }
        assertThat(r.rc()).as(r.err()).isEqualTo(status);
        assertThat(r.out()).isEmpty();
        assertThat(DirSnapshot.of(dir)).isEqualTo(before);
    }
}
