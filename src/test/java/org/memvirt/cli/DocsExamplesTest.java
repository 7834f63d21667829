package org.memvirt.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Runs every {@code $ ./memvirt ARGS} line of every {@code ```console} block under docs/ in-process and checks the
 * output shown under it (conventions in docs/README.md): exact blocks must match line by line, where a line
 * {@code ...} stands for any number of lines and {@code [...]} inside a line for any text; blocks opened with
 * {@code ```console host-dependent} only have to exit 0. A command must exit 0 unless the doc shows {@code $ echo $?}
 * and the status after it.
 */
class DocsExamplesTest {
    static final Path DOCS = Path.of("docs");
    static final String PROMPT = "$ ./memvirt";
    static final String ANY_LINES = "...";
    static final String ANY_TEXT = "[...]";
    static final String STATUS = "$ echo $?";

    /** One command of a console block and the output the doc shows for it. */
    record Example(Path file, int line, String command, List<String> expected, boolean hostDependent, int status) {
        Example withStatus(int s) {
            return new Example(file, line, command, expected, hostDependent, s);
        }

        String name() {
            return file + ":" + line + " " + command;
        }
    }

    @TestFactory
    Stream<DynamicTest> everyConsoleExampleInTheDocsRunsAsShown() throws IOException {
        List<Example> examples = new ArrayList<>();
        try (Stream<Path> files = Files.walk(DOCS)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".md")).sorted().toList()) {
                examples.addAll(examples(f, Files.readAllLines(f)));
            }
        }
        assertThat(examples).as("console examples under docs/").hasSizeGreaterThan(10);
        return examples.stream().map(e -> DynamicTest.dynamicTest(e.name(), () -> check(e)));
    }

    static void check(Example e) {
        Run r = run(ShellWords.split(e.command()));
        List<String> actual = trimmed(r.output().lines().toList());
        if (e.hostDependent()) {
            assertThat(r.rc()).as("exit status of %s, output:%n%s", e.name(), r.output()).isZero();
            return;
        }
        List<String> expected = trimmed(e.expected());
        assertThat(r.rc()).as("exit status of %s, output:%n%s", e.name(), r.output()).isEqualTo(e.status());
        assertThat(matches(expected, 0, actual, 0))
                .as("output of %s%n--- shown in the doc ---%n%s%n--- actual ---%n%s", e.name(),
                        String.join("\n", expected), String.join("\n", actual))
                .isTrue();
    }

    /** The examples of one Markdown file. */
    static List<Example> examples(Path file, List<String> lines) {
        List<Example> out = new ArrayList<>();
        boolean inConsole = false, inOtherFence = false, hostDependent = false;
        String command = null;
        int commandLine = 0;
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String l = lines.get(i);
            if (l.startsWith("```")) {
                if (inConsole) {
                    if (command != null) out.add(new Example(file, commandLine, command, expected, hostDependent, 0));
                    command = null;
                    inConsole = false;
                } else if (inOtherFence) {
                    inOtherFence = false;
                } else if (l.startsWith("```console")) {
                    inConsole = true;
                    hostDependent = l.substring("```console".length()).trim().equals("host-dependent");
                    expected = new ArrayList<>();
                } else {
                    inOtherFence = true;
                }
                continue;
            }
            if (!inConsole) continue;
            if (l.equals(STATUS) && command != null) {
                out.add(new Example(file, commandLine, command, expected, hostDependent, 0)
                        .withStatus(Integer.parseInt(lines.get(++i).trim())));
                command = null;
            } else if (l.startsWith("$ ")) {
                if (command != null) out.add(new Example(file, commandLine, command, expected, hostDependent, 0));
                assertThat(l).as("%s:%d: console examples run ./memvirt", file, i + 1).startsWith(PROMPT + " ");
                command = l.substring(PROMPT.length()).trim();
                commandLine = i + 1;
                expected = new ArrayList<>();
            } else if (command != null) {
                expected.add(l);
            }
        }
        return out;
    }

    /** {@code expected[i..]} against {@code actual[j..]}: {@code ...} lines match any run of lines. */
    static boolean matches(List<String> expected, int i, List<String> actual, int j) {
        if (i == expected.size()) return j == actual.size();
        if (expected.get(i).trim().equals(ANY_LINES)) {
            for (int k = j; k <= actual.size(); k++) if (matches(expected, i + 1, actual, k)) return true;
            return false;
        }
        return j < actual.size() && lineMatches(expected.get(i), actual.get(j)) && matches(expected, i + 1, actual, j + 1);
    }

    static boolean lineMatches(String expected, String actual) {
        if (!expected.contains(ANY_TEXT)) return expected.equals(actual);
        StringBuilder regex = new StringBuilder();
        String[] parts = expected.split(Pattern.quote(ANY_TEXT), -1);
        for (int k = 0; k < parts.length; k++) {
            if (k > 0) regex.append(".*");
            regex.append(Pattern.quote(parts[k]));
        }
        return actual.matches(regex.toString());
    }

    /** Trailing blanks dropped from each line, trailing empty lines from the end. */
    static List<String> trimmed(List<String> lines) {
        List<String> out = new ArrayList<>(lines.size());
        for (String l : lines) out.add(l.stripTrailing());
        while (!out.isEmpty() && out.getLast().isEmpty()) out.removeLast();
        return out;
    }


    /** The exit status and what stdout and stderr showed, interleaved as on a terminal. */
    record Run(int rc, String output) {}

    static synchronized Run run(List<String> args) {
        PrintStream oldOut = System.out, oldErr = System.err;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (PrintStream both = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            System.setOut(both);
            System.setErr(both);
            var cl = Main.commandLine();
            PrintWriter w = new PrintWriter(both, true);
            cl.setOut(w);
            cl.setErr(w);
            int rc = cl.execute(args.toArray(String[]::new));
            w.flush();
            return new Run(rc, bytes.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    @Test
    void splitsLikeAShell() {
        assertThat(ShellWords.split("run -m 4G --workload \"touch 1G; switch 10\" --json"))
                .containsExactly("run", "-m", "4G", "--workload", "touch 1G; switch 10", "--json");
        assertThat(ShellWords.split("a 'b \"c\"' d\\ e \"f\\\"g\" # comment")).containsExactly("a", "b \"c\"", "d e", "f\"g");
        assertThat(ShellWords.split("x''y \"\"")).containsExactly("xy", "");
    }

    @Test
    void wildcardsMatchLinesAndText() {
        assertThat(matches(List.of("a", "...", "d"), 0, List.of("a", "b", "c", "d"), 0)).isTrue();
        assertThat(matches(List.of("a", "...", "d"), 0, List.of("a", "d"), 0)).isTrue();
        assertThat(matches(List.of("a", "d"), 0, List.of("a", "b", "d"), 0)).isFalse();
        assertThat(lineMatches("took [...] s (CPU [...])", "took 1.25 s (CPU 0.9)")).isTrue();
        assertThat(lineMatches("took [...] s", "took 1.25 ms")).isFalse();
    }
}
