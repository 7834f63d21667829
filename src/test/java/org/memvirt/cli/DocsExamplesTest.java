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
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.memvirt.host.HostEnv;
import org.memvirt.kvm.KvmEngine;

/**
 * Runs every {@code $ ./memvirt ARGS} line of every {@code ```console} block in README.md and under docs/ in-process
 * and checks the output shown under it (conventions in docs/README.md): output must match line by line, where a line
 * {@code ...} stands for any number of lines and {@code [...]} inside a line for any text. A command may start with
 * {@code MEMVIRT_...=value} assignments (a described host, docs/host-check.md), which hold for that command only.
 * Blocks opened with {@code ```console kvm} show a measurement on a host with a usable /dev/kvm: they run only where
 * the kvm engine is usable (elsewhere they are skipped with a printed reason), and every number in them matches any
 * number. A command must exit 0 unless the doc shows {@code $ echo $?} and the status after it.
 */
class DocsExamplesTest {
    static final Path DOCS = Path.of("docs");
    static final Path README = Path.of("README.md");
    static final String MEMVIRT = "./memvirt";
    static final String ANY_LINES = "...";
    static final String ANY_TEXT = "[...]";
    static final String STATUS = "$ echo $?";
    static final String KVM_BLOCK = "kvm";
    private static final Pattern ASSIGNMENT = Pattern.compile("(MEMVIRT_[A-Z_]+)=(.*)");
    private static final Pattern NUMBER = Pattern.compile(" *\\d[\\d,.]*");
    /** Measurements shown twice (README.md and a docs page) are taken once: by command line. */
    private static final Map<String, Run> MEASURED = new java.util.concurrent.ConcurrentHashMap<>();

    /** One command of a console block, the variables it sets, and the output the doc shows for it. */
    record Example(Path file, int line, Map<String, String> env, List<String> args, List<String> expected,
                   boolean needsKvm, int status) {
        Example withStatus(int s) {
            return new Example(file, line, env, args, expected, needsKvm, s);
        }

        String name() {
            StringBuilder sb = new StringBuilder(file + ":" + line + " ");
            env.forEach((k, v) -> sb.append(k).append('=').append(v).append(' '));
            return sb.append(String.join(" ", args)).toString();
        }
    }

    @TestFactory
    Stream<DynamicTest> everyConsoleExampleInTheDocsRunsAsShown() throws IOException {
        List<Path> pages = new ArrayList<>(List.of(README));
        try (Stream<Path> files = Files.walk(DOCS)) {
            pages.addAll(files.filter(p -> p.toString().endsWith(".md")).sorted().toList());
        }
        List<Example> examples = new ArrayList<>();
        for (Path f : pages) {
            examples.addAll(examples(f, Files.readAllLines(f)));
        }
        assertThat(examples).as("console examples under docs/").hasSizeGreaterThan(10);
        assertThat(examples).as("console examples in README.md").anyMatch(e -> e.file().equals(README));
        return examples.stream().map(e -> DynamicTest.dynamicTest(e.name(), () -> check(e)));
    }

    static void check(Example e) {
        if (e.needsKvm()) {
            KvmEngine.Usability u = KvmEngine.usable();
            if (!u.usable()) {
                String why = "needs a usable /dev/kvm (```console kvm): " + u.reason();
                System.out.println("SKIPPED DocsExamplesTest " + e.name() + ": " + why);    // dynamic: not seen by PrintSkips
                Assumptions.abort(why);
            }
        }
        Run r = e.needsKvm() ? MEASURED.computeIfAbsent(e.name().substring(e.name().indexOf(' ') + 1),
                k -> run(e.env(), e.args())) : run(e.env(), e.args());
        List<String> actual = trimmed(r.output().lines().toList());
        List<String> expected = trimmed(e.expected());
        if (e.needsKvm()) expected = expected.stream().map(DocsExamplesTest::anyNumber).toList();
        assertThat(r.rc()).as("exit status of %s, output:%n%s", e.name(), r.output()).isEqualTo(e.status());
        assertThat(matches(expected, 0, actual, 0))
                .as("output of %s%n--- shown in the doc ---%n%s%n--- actual ---%n%s", e.name(),
                        String.join("\n", expected), String.join("\n", actual))
                .isTrue();
    }

    /** {@code line} with each number (digits with {@code ,} and {@code .}) turned into {@code [...]}. */
    static String anyNumber(String line) {
        return line.trim().equals(ANY_LINES) ? line : NUMBER.matcher(line).replaceAll(Matcher.quoteReplacement(ANY_TEXT));
    }

    /** The examples of one Markdown file. */
    static List<Example> examples(Path file, List<String> lines) {
        List<Example> out = new ArrayList<>();
        boolean inConsole = false, inOtherFence = false, needsKvm = false;
        Example pending = null;
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String l = lines.get(i);
            if (l.startsWith("```")) {
                if (inConsole) {
                    if (pending != null) out.add(pending);
                    pending = null;
                    inConsole = false;
                } else if (inOtherFence) {
                    inOtherFence = false;
                } else if (l.startsWith("```console")) {
                    inConsole = true;
                    String kind = l.substring("```console".length()).trim();
                    assertThat(kind).as("%s:%d: a console block is ```console or ```console kvm", file, i + 1)
                            .isIn("", KVM_BLOCK);
                    needsKvm = kind.equals(KVM_BLOCK);
                } else {
                    inOtherFence = true;
                }
                continue;
            }
            if (!inConsole) continue;
            if (l.equals(STATUS) && pending != null) {
                out.add(pending.withStatus(Integer.parseInt(lines.get(++i).trim())));
                pending = null;
            } else if (l.startsWith("$ ")) {
                if (pending != null) out.add(pending);
                expected = new ArrayList<>();
                pending = command(file, i + 1, l.substring(2), expected, needsKvm);
            } else if (pending != null) {
                expected.add(l);
            }
        }
        return out;
    }

    /** {@code [MEMVIRT_X=value ...] ./memvirt ARGS}, split as a shell would. */
    private static Example command(Path file, int line, String text, List<String> expected, boolean needsKvm) {
        List<String> words = ShellWords.split(text);
        Map<String, String> env = new TreeMap<>();
        int k = 0;
        for (Matcher m; k < words.size() && (m = ASSIGNMENT.matcher(words.get(k))).matches(); k++) {
            env.put(m.group(1), m.group(2));
        }
        assertThat(k < words.size() ? words.get(k) : "")
                .as("%s:%d: console examples run ./memvirt, after MEMVIRT_ variables if any", file, line)
                .isEqualTo(MEMVIRT);
        return new Example(file, line, env, List.copyOf(words.subList(k + 1, words.size())), expected, needsKvm, 0);
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

    /**
     * Runs memvirt as a shell would with {@code env} added to this process's environment: this process's MEMVIRT_
     * variables, overridden by {@code env}, are the only ones memvirt sees.
     */
    static Run run(Map<String, String> env, List<String> args) {
        Map<String, String> vars = new TreeMap<>();
        System.getenv().forEach((k, v) -> {
            if (k.startsWith("MEMVIRT_")) vars.put(k, v);
        });
        vars.putAll(env);
        return HostEnv.with(vars, () -> run(args));
    }

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
            int rc = Main.execute(cl, args.toArray(String[]::new));
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

    @Test
    void numbersInKvmBlocksMatchAnyNumberButWordsMustMatch() {
        assertThat(lineMatches(anyNumber("  resident        1026.1 MiB  (guest RAM)"), "  resident  987.5 MiB  (guest RAM)"))
                .isTrue();
        assertThat(lineMatches(anyNumber("  resident        1026.1 MiB  (guest RAM)"), "  resident  987.5 GiB  (guest RAM)"))
                .isFalse();
        assertThat(lineMatches(anyNumber("exits 263,773 in 1.4 s"), "exits 12 in 0.9 s")).isTrue();
        assertThat(anyNumber("...")).isEqualTo("...");
    }

    @Test
    void commandsMaySetMemvirtVariablesFirst() {
        List<Example> ex = examples(Path.of("x.md"), List.of("```console",
                "$ MEMVIRT_HOST_ROOT=src/test/resources/host/pvm MEMVIRT_KVM=off ./memvirt host-check --json", "{",
                "$ echo $?", "3", "```", "```console kvm", "$ ./memvirt demo", "...", "```"));
        assertThat(ex).hasSize(2);
        assertThat(ex.get(0).env()).containsExactly(Map.entry("MEMVIRT_HOST_ROOT", "src/test/resources/host/pvm"),
                Map.entry("MEMVIRT_KVM", "off"));
        assertThat(ex.get(0).args()).containsExactly("host-check", "--json");
        assertThat(ex.get(0).expected()).containsExactly("{");
        assertThat(ex.get(0).status()).isEqualTo(3);
        assertThat(ex.get(0).needsKvm()).isFalse();
        assertThat(ex.get(1).needsKvm()).isTrue();
        assertThat(ex.get(1).env()).isEmpty();
    }

    @Test
    void anExampleRunsWithTheVariablesItSets() {
        Run r = run(Map.of("MEMVIRT_HOST_ROOT", "src/test/resources/host/no-kvm"), List.of("host-check"));
        assertThat(r.output()).contains("KVM:            not usable: no /dev/kvm",
                "CPU:            GenuineIntel, Intel(R) Xeon(R) Platinum (fixture), 2 CPUs");
        Run pvm = run(Map.of("MEMVIRT_HOST_ROOT", "src/test/resources/host/pvm"), List.of("host-check"));
        assertThat(pvm.output()).contains("KVM:            usable: API 12, 2 vCPUs recommended, 1024 max");
    }
}
